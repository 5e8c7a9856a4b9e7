"""Checking score vectors against a scheme and computing the result by the scheme's rule."""

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from hoctap.schemes.definition import SchemeDefinition
from hoctap.schemes.rules import MemberCounts, Outcome, evaluate


def clean_scores(definition: SchemeDefinition, scores: Mapping[str, object]) -> dict[str, str]:
    """Return scores as exact decimal strings; raise one ValidationError naming every bad value."""
    errors: list[str] = []
    cleaned: dict[str, str] = {}
    for code, raw in scores.items():
        if code not in definition.indicator_codes:
            errors.append(_("%(code)s is not an indicator of this scheme.") % {"code": code})
            continue
        value = parse_score(raw)
        indicator = definition.indicator(code)
        if value is None or not 0 <= value <= indicator.max or value % indicator.step != 0:
            errors.append(
                _("%(code)s: %(value)s is not a score from 0 to %(max)s in steps of %(step)s.")
                % {"code": code, "value": raw, "max": indicator.max, "step": indicator.step}
            )
            continue
        cleaned[code] = str(value.normalize()) if value != value.to_integral() else str(int(value))
    if errors:
        raise ValidationError(errors)
    return cleaned


def parse_score(raw: object) -> Decimal | None:
    """Return a score typed or sent in any usual way (comma or point decimals), or None."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def missing_indicators(definition: SchemeDefinition, scores: Mapping[str, object]) -> list[str]:
    """Return the indicator codes that have no score yet, in scheme order."""
    return [code for code in definition.indicator_codes if code not in scores]


def outcome_of(
    definition: SchemeDefinition,
    scores: Mapping[str, str],
    members: MemberCounts | None = None,
) -> Outcome:
    """Compute the result from complete final scores with the scheme's one rule."""
    return evaluate(
        definition.rule, {code: Decimal(v) for code, v in scores.items()}, members=members
    )
