"""What the assessment page shows: each indicator's three layers, why a result falls short,
and the next steps with exactly the scores each would take."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.forms import BoundField
from django.utils.translation import gettext as _

from hoctap.assessments.models import Assessment, Evidence, State
from hoctap.assessments.scoring import missing_indicators, outcome_of
from hoctap.assessments.workflow import LAYER_LABELS, Action, allowed_actions
from hoctap.schemes.definition import SchemeDefinition
from hoctap.schemes.rules import shortfalls

LAYERS = ("self", "reviewer", "final")
# The layer an action fills, and the one it may take for the blanks when the user accepts it.
BELOW = {"reviewer": "self", "final": "reviewer"}
_FILLED_BY = {Action.REVIEW: "reviewer", Action.DECIDE: "final"}


def basis_layer(state: str) -> str:
    """Return the layer the assessment's result rests on in this state."""
    if state == State.SUBMITTED:
        return "reviewer"
    if state in (State.BRANCH_REVIEWED, State.DECIDED):
        return "final"
    return "self"


def basis_scores(a: Assessment, layer: str) -> dict[str, Any]:
    """Return the scores the layer would hold if its blanks took the layer below, as seen."""
    below = BELOW.get(layer)
    lower = basis_scores(a, below) if below and a.state != State.DECIDED else {}
    return {**lower, **a.scores(layer)}


def score_preview(definition: SchemeDefinition, scores: Mapping[str, Any]) -> dict[str, Any]:
    """Compute the total, the result once complete, and every minimum it falls below."""
    clean = {c: str(v) for c, v in scores.items() if v not in (None, "")}
    total = sum((Decimal(v) for v in clean.values()), Decimal(0))
    missing = missing_indicators(definition, clean)
    outcome = None if missing else outcome_of(definition, clean)
    reasons = [
        s
        for s in shortfalls(definition.rule, {c: Decimal(v) for c, v in clean.items()})
        if not (missing and s.subject == "total")
    ]
    return {
        "total": total,
        "missing": missing,
        "label": definition.result_label(outcome.code) if outcome else "",
        "passed": outcome.passed if outcome else None,
        "reasons": [_reason(s.subject, s.value, s.needed) for s in reasons],
        "failing": {s.subject for s in reasons},
    }


def _reason(subject: str, value: Decimal, needed: Decimal) -> str:
    name = _("Total") if subject == "total" else subject
    return f"{name}: {_plain(value)} < {_plain(needed)}"


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value != value.to_integral() else str(int(value))
    return text.replace(".", ",")


@dataclass
class IndicatorRow:
    """One indicator as the page shows it: wording, the three layers, its evidence."""

    code: str
    text: str
    hint: str
    maximum: Decimal
    layers: dict[str, str]
    failing: bool
    evidence: list[Evidence] = field(default_factory=list)
    input: BoundField | None = None
    # The score the user may accept for this indicator, from the layer below theirs.
    acceptable: str = ""


def indicator_rows(
    a: Assessment,
    *,
    editing: str | None,
    form_fields: Mapping[str, BoundField],
    evidence: Iterable[Evidence],
    failing: set[str],
) -> list[IndicatorRow]:
    """Return a row per indicator of the scheme, in order, with the evidence that backs it."""
    definition = a.scheme.parsed
    by_code: dict[str, list[Evidence]] = {}
    for item in evidence:
        for code in item.indicators:
            by_code.setdefault(code, []).append(item)
    below = BELOW.get(editing or "")
    return [
        IndicatorRow(
            code=i.code,
            text=i.text_for(a.group),
            hint=i.evidence,
            maximum=i.max,
            layers={layer: _shown(a.scores(layer).get(i.code)) for layer in LAYERS},
            failing=i.code in failing,
            evidence=by_code.get(i.code, []),
            input=form_fields.get(i.code),
            acceptable=_shown(a.scores(below).get(i.code)) if below else "",
        )
        for i in definition.indicators
    ]


def _shown(value: object) -> str:
    return "" if value in (None, "") else str(value).replace(".", ",")


@dataclass(frozen=True)
class NextStep:
    """An action the user may take now, with the scores it would take as its own."""

    action: str
    accept: str = ""
    accept_label: str = ""
    # Indicators whose blank score the action would take from the layer below.
    blanks: tuple[str, ...] = ()


def next_steps(a: Assessment, roles: frozenset[str]) -> list[NextStep]:
    """Return the actions allowed now; review and decide say which scores they would accept."""
    steps = []
    definition = a.scheme.parsed
    for action in allowed_actions(State(a.state), roles):
        layer = _FILLED_BY.get(action)
        if layer is None:
            steps.append(NextStep(action.value))
            continue
        blanks = tuple(missing_indicators(definition, a.scores(layer)))
        below = BELOW[layer]
        steps.append(
            NextStep(
                action.value,
                accept=below if blanks else "",
                accept_label=str(LAYER_LABELS[below]),
                blanks=blanks,
            )
        )
    return steps


def group_label(definition: SchemeDefinition, code: str) -> str:
    """Return a target group as people know it locally, with its code: "Nông dân … (G1)"."""
    group = definition.group_for(code)
    return f"{group.label if group else code} ({code})"
