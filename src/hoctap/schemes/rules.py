"""Check and evaluate scheme result rules; pure, so browser, importer and server agree."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import takewhile
from typing import Any, TypeGuard, TypeVar

ZERO = Decimal(0)
_T = TypeVar("_T")


@dataclass(frozen=True)
class MemberCounts:
    """How many members of a subject hold the scheme's title, out of all its members."""

    holding: int
    total: int


@dataclass(frozen=True)
class Outcome:
    """The result a rule gives for one set of final scores."""

    passed: bool
    code: str
    total: Decimal
    level: int | None = None


class RuleError(ValueError):
    """A rule is malformed, or a score or member count it needs is missing."""


Rule = Mapping[str, Any]
Scores = Mapping[str, Decimal]
Codes = frozenset[str] | None  # None: evaluation, where the scores decide which codes exist

# Required and optional fields per type; any other field is most likely a typo.
_FIELDS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "sum_min": (frozenset({"total_at_least", "each_at_least"}), frozenset({"indicators"})),
    "bands": (frozenset({"bands", "otherwise"}), frozenset({"passing"})),
    "levels": (frozenset({"levels"}), frozenset({"target_met_at"})),
    "member_share": (frozenset({"at_least_percent"}), frozenset()),
    "all_of": (frozenset({"rules"}), frozenset()),
}


def validate_rule(rule: Mapping[str, Any], indicator_codes: Sequence[str]) -> list[str]:
    """Return every problem with `rule` (empty list when it is sound)."""
    return _guarded_problems(rule, frozenset(indicator_codes))


def evaluate(
    rule: Mapping[str, Any], scores: Mapping[str, Decimal], *, members: MemberCounts | None = None
) -> Outcome:
    """Return the result the rule gives for these final scores (and member counts)."""
    problems = _guarded_problems(rule, None)
    if problems:
        raise RuleError("; ".join(problems))
    return _evaluate(rule, scores, members)


def evaluator(rule: Mapping[str, Any]) -> Callable[[Scores, MemberCounts | None], Outcome]:
    """Return `evaluate` for one rule, checked once: for a caller that evaluates it many times."""
    problems = _guarded_problems(rule, None)
    if problems:
        raise RuleError("; ".join(problems))

    def outcome(scores: Scores, members: MemberCounts | None = None) -> Outcome:
        return _evaluate(rule, scores, members)

    return outcome


# Validation


def _guarded_problems(rule: object, codes: Codes) -> list[str]:
    # YAML anchors can make a rule contain itself; report that instead of crashing.
    try:
        return _problems(rule, codes)
    except RecursionError:
        return ["rules nest too deeply or contain themselves"]


def _problems(rule: object, codes: Codes) -> list[str]:
    if not isinstance(rule, Mapping):
        return ["a rule must be a mapping"]
    kind = rule.get("type")
    if not isinstance(kind, str) or kind not in _FIELDS:
        return [f"unknown rule type {kind!r}; expected one of {', '.join(_FIELDS)}"]
    required, optional = _FIELDS[kind]
    fields = {str(field) for field in rule} - {"type"}
    problems = [f"{kind}: missing field {f!r}" for f in sorted(required - fields)]
    problems += [f"{kind}: unknown field {f!r}" for f in sorted(fields - required - optional)]
    return problems + _CHECKS[kind](rule, codes)


def _check_sum_min(rule: Rule, codes: Codes) -> list[str]:
    problems = _field_numbers(rule, "total_at_least", "each_at_least")
    if "indicators" in rule:
        problems += _code_list(rule["indicators"], "indicators", codes)
    return problems


def _check_bands(rule: Rule, codes: Codes) -> list[str]:
    band_codes, problems = _band_problems(rule["bands"]) if "bands" in rule else ([], [])
    otherwise = rule.get("otherwise")
    if "otherwise" in rule and not _is_code(otherwise):
        problems.append("otherwise must be a result code")
    elif otherwise in band_codes:
        problems.append(f"otherwise {otherwise!r} is also a band code")
    if "passing" not in rule:
        return problems
    passing = rule["passing"]
    if not _is_list(passing) or not passing or not all(_is_code(c) for c in passing):
        problems.append("passing must be a non-empty list of band codes")
    else:
        problems += [
            f"passing names {c!r}, which is no band" for c in passing if c not in band_codes
        ]
    return problems


def _band_problems(bands: object) -> tuple[list[str], list[str]]:
    if not _is_list(bands) or not bands:
        return [], ["bands must be a non-empty list"]
    band_codes: list[str] = []
    marks: list[Decimal] = []
    problems: list[str] = []
    for index, item in enumerate(bands):
        band = item if isinstance(item, Mapping) else {}
        code, mark = band.get("code"), _number(band.get("at_least"))
        if _is_code(code):
            band_codes.append(code)
        else:
            problems.append(f"bands[{index}].code must be a non-empty string")
        if mark is None:
            problems.append(f"bands[{index}].at_least must be a number")
        else:
            marks.append(mark)
    problems += [f"band code {c!r} is used twice" for c in _duplicates(band_codes)]
    problems += [f"two bands start at {m}" for m in _duplicates(marks)]
    return band_codes, problems


def _check_levels(rule: Rule, codes: Codes) -> list[str]:
    problems = _field_numbers(rule, "target_met_at")
    levels = rule.get("levels")
    if "levels" not in rule:
        return problems
    if not _is_list(levels) or not levels:
        return [*problems, "levels must be a non-empty list"]
    numbers: list[int] = []
    for index, item in enumerate(levels):
        entry = item if isinstance(item, Mapping) else {}
        level = entry.get("level")
        if isinstance(level, int) and not isinstance(level, bool):
            numbers.append(level)
        else:
            problems.append(f"levels[{index}].level must be a whole number")
        problems += _code_list(entry.get("targets"), f"levels[{index}].targets", codes)
    if len(numbers) == len(levels) and sorted(numbers) != list(range(1, len(levels) + 1)):
        problems.append("levels must be numbered 1, 2, 3 … with none missing or repeated")
    return problems


def _check_member_share(rule: Rule, codes: Codes) -> list[str]:
    if "at_least_percent" not in rule:
        return []
    percent = _number(rule["at_least_percent"])
    if percent is None or not 0 <= percent <= 100:
        return ["at_least_percent must be a number from 0 to 100"]
    return []


def _check_all_of(rule: Rule, codes: Codes) -> list[str]:
    rules = rule.get("rules")
    if "rules" not in rule:
        return []
    if not _is_list(rules) or not rules:
        return ["rules must be a non-empty list of rules"]
    return [f"rules[{i}]: {p}" for i, sub in enumerate(rules) for p in _problems(sub, codes)]


_CHECKS: dict[str, Callable[[Rule, Codes], list[str]]] = {
    "sum_min": _check_sum_min,
    "bands": _check_bands,
    "levels": _check_levels,
    "member_share": _check_member_share,
    "all_of": _check_all_of,
}


def _field_numbers(rule: Rule, *fields: str) -> list[str]:
    return [f"{f} must be a number" for f in fields if f in rule and _number(rule[f]) is None]


def _code_list(value: object, where: str, codes: Codes) -> list[str]:
    if not _is_list(value) or not value or not all(_is_code(c) for c in value):
        return [f"{where} must be a non-empty list of indicator codes"]
    problems = [f"{where} names {c!r} twice" for c in _duplicates(value)]
    if codes is not None:
        problems += [f"{where} names unknown indicator {c!r}" for c in value if c not in codes]
    return problems


def _number(value: object) -> Decimal | None:
    """Return `value` as an exact Decimal, or None when it is not a finite number."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        # Through str, so a YAML 0.1 is one tenth and not the nearest binary fraction.
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _is_list(value: object) -> TypeGuard[list[Any] | tuple[Any, ...]]:
    return isinstance(value, list | tuple)


def _is_code(value: object) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value.strip())


def _duplicates(items: Sequence[_T]) -> list[_T]:
    return [item for index, item in enumerate(items) if item in items[:index]]


# Evaluation; rules reaching here have passed validation.


def _evaluate(rule: Rule, scores: Scores, members: MemberCounts | None) -> Outcome:
    return _EVALUATORS[rule["type"]](rule, scores, members)


def _sum_min(rule: Rule, scores: Scores, members: MemberCounts | None) -> Outcome:
    considered = _pick(scores, rule.get("indicators") or list(scores))
    total = sum(considered, ZERO)
    each = _decimal(rule["each_at_least"])
    passed = total >= _decimal(rule["total_at_least"]) and all(s >= each for s in considered)
    return _verdict(passed, total)


def _bands(rule: Rule, scores: Scores, members: MemberCounts | None) -> Outcome:
    total = sum(scores.values(), ZERO)
    reached = [band for band in rule["bands"] if _decimal(band["at_least"]) <= total]
    best = max(reached, key=lambda band: _decimal(band["at_least"]), default=None)
    code = str(rule["otherwise"] if best is None else best["code"])
    passing = rule.get("passing", [band["code"] for band in rule["bands"]])
    return Outcome(passed=code in passing, code=code, total=total)


def _levels(rule: Rule, scores: Scores, members: MemberCounts | None) -> Outcome:
    met_at = _decimal(rule.get("target_met_at", 1))
    ordered = sorted(rule["levels"], key=lambda entry: int(entry["level"]))
    # Pick every level's scores before counting, so a missing score is an error even
    # above a level that is not met.
    met = [all(s >= met_at for s in _pick(scores, entry["targets"])) for entry in ordered]
    level = len(list(takewhile(bool, met)))
    total = sum(scores.values(), ZERO)
    return Outcome(passed=level >= 1, code=f"level_{level}", total=total, level=level)


def _member_share(rule: Rule, scores: Scores, members: MemberCounts | None) -> Outcome:
    if members is None:
        raise RuleError("member_share needs the member counts")
    if not 0 <= members.holding <= members.total:
        raise RuleError(f"cannot have {members.holding} of {members.total} members holding")
    # Integers only: 9 of 10 must meet 90 % exactly, whatever the member count.
    numerator, denominator = _decimal(rule["at_least_percent"]).as_integer_ratio()
    reached = members.holding * 100 * denominator >= numerator * members.total
    return _verdict(members.total > 0 and reached, ZERO)


def _all_of(rule: Rule, scores: Scores, members: MemberCounts | None) -> Outcome:
    outcomes = [_evaluate(sub, scores, members) for sub in rule["rules"]]
    return _verdict(all(o.passed for o in outcomes), outcomes[0].total)


_EVALUATORS: dict[str, Callable[[Rule, Scores, MemberCounts | None], Outcome]] = {
    "sum_min": _sum_min,
    "bands": _bands,
    "levels": _levels,
    "member_share": _member_share,
    "all_of": _all_of,
}


def _pick(scores: Scores, codes: Sequence[str]) -> list[Decimal]:
    missing = [code for code in codes if code not in scores]
    if missing:
        raise RuleError(f"no score for {', '.join(missing)}")
    return [scores[code] for code in codes]


def _decimal(value: object) -> Decimal:
    number = _number(value)
    if number is None:
        raise RuleError(f"{value!r} is not a number")
    return number


def _verdict(passed: bool, total: Decimal) -> Outcome:
    return Outcome(passed=passed, code="passed" if passed else "not_passed", total=total)


# Why a result falls short, for the people who decide it.


@dataclass(frozen=True)
class Shortfall:
    """One requirement of a rule that the scores do not meet: `subject` has `value` < `needed`.

    `subject` is an indicator code, or "total" for the sum the rule counts.
    """

    subject: str
    value: Decimal
    needed: Decimal


def shortfalls(rule: Mapping[str, Any], scores: Mapping[str, Decimal]) -> list[Shortfall]:
    """Return each minimum the scores fall below, for the rules that set minimums.

    Scores may be incomplete (a reviewer halfway through): what is missing is not counted.
    Rules without minimums on scores (levels, member shares) give no reasons here.
    """
    if _guarded_problems(rule, None):
        return []
    return _shortfalls(rule, scores)


def _shortfalls(rule: Rule, scores: Scores) -> list[Shortfall]:
    kind = rule["type"]
    if kind == "all_of":
        found: list[Shortfall] = []
        for sub in rule["rules"]:
            found += [s for s in _shortfalls(sub, scores) if s not in found]
        return found
    if kind == "sum_min":
        codes = rule.get("indicators") or list(scores)
        each = _decimal(rule["each_at_least"])
        found = [Shortfall(c, scores[c], each) for c in codes if c in scores and scores[c] < each]
        total = sum((scores[c] for c in codes if c in scores), ZERO)
        needed = _decimal(rule["total_at_least"])
        return [*found, Shortfall("total", total, needed)] if total < needed else found
    if kind == "bands":
        passing = rule.get("passing", [band["code"] for band in rule["bands"]])
        lowest = min(
            (_decimal(band["at_least"]) for band in rule["bands"] if band["code"] in passing),
            default=None,
        )
        total = sum(scores.values(), ZERO)
        return [Shortfall("total", total, lowest)] if lowest is not None and total < lowest else []
    return []
