"""A scheme's content as typed objects, and the checks a scheme file must pass (pure)."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from hoctap.core.text import fold, nfc

SUBJECTS = ("citizen", "household", "clan", "community", "agency")
STATUSES = ("official", "provisional")
_CODE = re.compile(r"[a-z0-9][a-z0-9-]*")


@dataclass(frozen=True)
class Group:
    code: str
    name: str
    aliases: tuple[str, ...]
    local_name: str = ""

    @property
    def label(self) -> str:
        """Return the name the scheme's users know the group by (local, else national)."""
        return self.local_name or self.name


@dataclass(frozen=True)
class Indicator:
    code: str
    text: str
    max: Decimal
    step: Decimal
    evidence: str
    criterion: str
    text_by_group: Mapping[str, str]

    def text_for(self, group: str) -> str:
        """Return the wording for a target group (the common text where none differs)."""
        return self.text_by_group.get(group, self.text)


@dataclass(frozen=True)
class Criterion:
    code: str
    name: str
    indicators: tuple[Indicator, ...]


@dataclass(frozen=True)
class SchemeDefinition:
    code: str
    title: str
    status: str
    subject: str
    groups: tuple[Group, ...]
    criteria: tuple[Criterion, ...]
    rule: Mapping[str, Any]
    results: Mapping[str, str]

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(i for c in self.criteria for i in c.indicators)

    @property
    def indicator_codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.indicators)

    def indicator(self, code: str) -> Indicator:
        return next(i for i in self.indicators if i.code == code)

    def group_for(self, value: str) -> Group | None:
        """Return the group named by its code, its name or a local alias, in any case or accent."""
        key = fold(value)
        for group in self.groups:
            names = (group.code, group.name, *group.aliases)
            if key in {fold(n) for n in names}:
                return group
        return None

    def result_label(self, code: str) -> str:
        return self.results.get(code, code)


def definition_from_dict(data: Mapping[str, Any]) -> SchemeDefinition:
    """Build typed objects from a definition that `definition_problems` found sound."""
    criteria = tuple(
        Criterion(
            code=c["code"],
            name=nfc(c["name"]),
            indicators=tuple(_indicator(i, c["code"]) for i in c["indicators"]),
        )
        for c in data["criteria"]
    )
    groups = tuple(
        Group(
            code=g["code"],
            name=nfc(g["name"]),
            aliases=tuple(nfc(a) for a in g.get("aliases", [])),
            local_name=nfc(g.get("local_name", "")),
        )
        for g in data["groups"]
    )
    return SchemeDefinition(
        code=data["code"],
        title=nfc(data["title"]),
        status=data["status"],
        subject=data["subject"],
        groups=groups,
        criteria=criteria,
        rule=data["rule"],
        results={k: nfc(str(v)) for k, v in (data.get("results") or {}).items()},
    )


def _indicator(data: Mapping[str, Any], criterion: str) -> Indicator:
    return Indicator(
        code=data["code"],
        text=nfc(data["text"]),
        max=Decimal(str(data["max"])),
        step=Decimal(str(data.get("step", 1))),
        evidence=nfc(data.get("evidence", "")),
        criterion=criterion,
        text_by_group={k: nfc(v) for k, v in (data.get("text_by_group") or {}).items()},
    )


@dataclass(frozen=True)
class Problem:
    line: int | None
    message: str


def _line(node: object, key: str | None = None) -> int | None:
    """Return the YAML line of a mapping (or of one of its keys), when the loader kept it."""
    lines: dict[str, int] = getattr(node, "key_lines", {})
    if key is not None and key in lines:
        return lines[key]
    line: int | None = getattr(node, "line", None)
    return line


def _number(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _is_text_map(value: object) -> bool:
    """Tell whether `value` maps codes to texts (as text_by_group and results do)."""
    return isinstance(value, Mapping) and all(
        isinstance(k, str) and _is_text(v) for k, v in value.items()
    )


def definition_problems(data: object) -> list[Problem]:
    """Return every problem of a parsed scheme file, each with its line where known."""
    from hoctap.schemes.rules import validate_rule

    if not isinstance(data, Mapping):
        return [Problem(1, _("A scheme file must be a mapping of fields."))]
    problems: list[Problem] = []
    for key in ("code", "title", "status", "subject", "groups", "criteria", "rule"):
        if key not in data:
            problems.append(Problem(_line(data), _("Missing field: %(f)s") % {"f": key}))
    if problems:
        return problems
    if not isinstance(data["code"], str) or not _CODE.fullmatch(data["code"]):
        problems.append(
            Problem(_line(data, "code"), _("code must be lower-case letters, digits and hyphens."))
        )
    if not _is_text(data["title"]):
        problems.append(Problem(_line(data, "title"), _("title must be text.")))
    if not _is_text_map(data.get("results") or {}):
        problems.append(
            Problem(_line(data, "results"), _("results must map result codes to labels."))
        )
    if data["status"] not in STATUSES:
        problems.append(
            Problem(_line(data, "status"), _("status must be official or provisional."))
        )
    if data["subject"] not in SUBJECTS:
        problems.append(
            Problem(
                _line(data, "subject"),
                _("subject must be one of: %(v)s") % {"v": ", ".join(SUBJECTS)},
            )
        )
    problems += _group_problems(data)
    codes, indicator_problems = _indicator_problems(data)
    problems += indicator_problems
    rule = data["rule"]
    if isinstance(rule, Mapping):
        problems += [Problem(_line(data, "rule"), msg) for msg in validate_rule(rule, codes)]
    else:
        problems.append(Problem(_line(data, "rule"), _("rule must be a mapping.")))
    return problems


def _group_problems(data: Mapping[str, Any]) -> list[Problem]:
    groups = data["groups"]
    if not isinstance(groups, list) or not groups:
        return [Problem(_line(data, "groups"), _("groups must list at least one target group."))]
    problems: list[Problem] = []
    seen: set[str] = set()
    for group in groups:
        if not isinstance(group, Mapping) or not all(
            _is_text(group.get(k)) for k in ("code", "name")
        ):
            problems.append(
                Problem(
                    _line(group) or _line(data, "groups"), _("Each group needs a code and a name.")
                )
            )
            continue
        aliases = group.get("aliases") or []
        if not isinstance(aliases, list) or not all(_is_text(a) for a in aliases):
            problems.append(Problem(_line(group, "aliases"), _("aliases must be a list of names.")))
            continue
        # A group may repeat its own name as an alias; another group may not use it.
        own: set[str] = set()
        for name in (group["code"], group["name"], *aliases):
            key = fold(name)
            if key in seen:
                problems.append(
                    Problem(_line(group), _("Group name or alias used twice: %(n)s") % {"n": name})
                )
            own.add(key)
        seen |= own
    return problems


def _indicator_problems(data: Mapping[str, Any]) -> tuple[list[str], list[Problem]]:
    criteria = data["criteria"]
    if not isinstance(criteria, list) or not criteria:
        return [], [
            Problem(_line(data, "criteria"), _("criteria must list at least one criterion."))
        ]
    codes: list[str] = []
    problems: list[Problem] = []
    for criterion in criteria:
        indicators = criterion.get("indicators") if isinstance(criterion, Mapping) else None
        if (
            not isinstance(criterion, Mapping)
            or not all(_is_text(criterion.get(k)) for k in ("code", "name"))
            or not isinstance(indicators, list)
            or not indicators
        ):
            problems.append(
                Problem(_line(criterion), _("Each criterion needs a code, a name and indicators."))
            )
            continue
        for indicator in indicators:
            problems += _one_indicator(indicator, codes)
    return codes, problems


def _one_indicator(indicator: object, codes: list[str]) -> list[Problem]:
    if not isinstance(indicator, Mapping) or not all(
        _is_text(indicator.get(k)) for k in ("code", "text")
    ):
        return [Problem(_line(indicator), _("Each indicator needs a code and a text."))]
    code = str(indicator["code"])
    problems: list[Problem] = []
    if not isinstance(indicator.get("evidence", ""), str):
        problems.append(Problem(_line(indicator, "evidence"), _("evidence must be text.")))
    if not _is_text_map(indicator.get("text_by_group") or {}):
        problems.append(
            Problem(
                _line(indicator, "text_by_group"),
                _("text_by_group must map group codes to wording."),
            )
        )
    if code in codes:
        problems.append(
            Problem(_line(indicator, "code"), _("Indicator code used twice: %(c)s") % {"c": code})
        )
    codes.append(code)
    top, step = _number(indicator.get("max")), _number(indicator.get("step", 1))
    if top is None or top <= 0:
        problems.append(Problem(_line(indicator, "max"), _("max must be a positive number.")))
    elif step is None or step <= 0 or top % step != 0:
        problems.append(
            Problem(_line(indicator, "step"), _("step must be a positive number that divides max."))
        )
    return problems
