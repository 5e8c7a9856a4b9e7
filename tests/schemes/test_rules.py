"""The rule evaluator against brute-force oracles, and the rule checker case by case."""

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from hoctap.schemes.rules import MemberCounts, RuleError, evaluate, evaluator, validate_rule

CDHT_CODES = [f"CS{n}" for n in range(1, 11)]
CDHT: dict[str, Any] = {"type": "sum_min", "total_at_least": 80, "each_at_least": 5}

UNIT_BANDS = [
    {"code": "tot", "at_least": 85},
    {"code": "kha", "at_least": 70},
    {"code": "trung_binh", "at_least": 50},
]
UNIT: dict[str, Any] = {"type": "bands", "bands": UNIT_BANDS, "otherwise": "khong_dat"}

TARGETS = {1: ["T1", "T2", "T3"], 2: ["T4", "T5"], 3: ["T6", "T7", "T8"]}
LEVEL_CODES = [code for targets in TARGETS.values() for code in targets]
COMMUNITY: dict[str, Any] = {
    "type": "levels",
    "levels": [{"level": k, "targets": targets} for k, targets in TARGETS.items()],
}

MEMBERS_90: dict[str, Any] = {"type": "member_share", "at_least_percent": 90}
UNIT_LEVEL_1: dict[str, Any] = {"type": "all_of", "rules": [UNIT, MEMBERS_90]}

ALL_CODES = [*CDHT_CODES, "TC1", "TC2", "TC3", *LEVEL_CODES]


def cdht_scores(values: list[Decimal]) -> dict[str, Decimal]:
    return dict(zip(CDHT_CODES, values, strict=True))


def unit_scores(total: Decimal) -> dict[str, Decimal]:
    return {"TC1": Decimal(30), "TC2": total - 30}


# sum_min


@given(st.lists(st.integers(0, 10), min_size=10, max_size=10))
@example([8] * 10)
@example([8] * 9 + [7])
@example([10] * 9 + [4])
@example([10] * 5 + [5] * 5)
def test_a_citizen_passes_cdht_exactly_when_the_total_reaches_80_and_none_is_below_5(
    points: list[int],
) -> None:
    outcome = evaluate(CDHT, cdht_scores([Decimal(p) for p in points]))
    expected = sum(points) >= 80 and min(points) >= 5
    assert outcome.passed is expected
    assert outcome.code == ("passed" if expected else "not_passed")
    assert outcome.total == sum(points)


@given(st.lists(st.integers(0, 20), min_size=10, max_size=10))
@example([16] * 10)
@example([16] * 9 + [15])
@example([20] * 9 + [9])
def test_half_point_scores_pass_cdht_by_the_same_rule(halves: list[int]) -> None:
    scores = [Decimal(h) / 2 for h in halves]
    outcome = evaluate(CDHT, cdht_scores(scores))
    assert outcome.passed is (sum(halves) >= 160 and min(halves) >= 10)
    assert outcome.total == Decimal(sum(halves)) / 2


def test_only_the_listed_indicators_count_when_a_rule_names_a_subset() -> None:
    rule = {**CDHT, "total_at_least": 15, "indicators": ["CS1", "CS2"]}
    scores = {"CS1": Decimal(8), "CS2": Decimal(7), "CS3": Decimal(0)}
    assert evaluate(rule, scores) == evaluate(rule, {"CS1": Decimal(8), "CS2": Decimal(7)})
    assert evaluate(rule, scores).passed
    assert evaluate(rule, scores).total == 15


def test_a_threshold_written_as_a_yaml_float_is_met_by_exactly_that_decimal() -> None:
    rule = {"type": "sum_min", "total_at_least": 0.3, "each_at_least": 0.1}
    assert evaluate(rule, {"CS1": Decimal("0.1"), "CS2": Decimal("0.2")}).passed
    assert not evaluate(rule, {"CS1": Decimal("0.09"), "CS2": Decimal("0.3")}).passed


# bands


def unit_band_oracle(total: Decimal) -> str:
    for code, mark in (("tot", 85), ("kha", 70), ("trung_binh", 50)):
        if total >= mark:
            return code
    return "khong_dat"


@given(st.integers(0, 200).map(lambda halves: Decimal(halves) / 2), st.permutations(UNIT_BANDS))
def test_a_learning_unit_gets_the_highest_band_its_total_reaches(
    total: Decimal, bands: list[dict[str, Any]]
) -> None:
    outcome = evaluate({**UNIT, "bands": bands}, unit_scores(total))
    assert outcome.code == unit_band_oracle(total)
    assert outcome.passed is (outcome.code != "khong_dat")
    assert outcome.total == total


@pytest.mark.parametrize(
    ("total", "code"),
    [
        ("100", "tot"),
        ("85", "tot"),
        ("84.5", "kha"),
        ("70", "kha"),
        ("69.5", "trung_binh"),
        ("50", "trung_binh"),
        ("49.5", "khong_dat"),
        ("0", "khong_dat"),
    ],
)
def test_a_band_starts_exactly_at_its_mark(total: str, code: str) -> None:
    assert evaluate(UNIT, unit_scores(Decimal(total))).code == code


def test_only_the_passing_bands_pass_when_a_rule_lists_them() -> None:
    rule = {**UNIT, "passing": ["tot", "kha"]}
    assert evaluate(rule, unit_scores(Decimal(70))).passed
    outcome = evaluate(rule, unit_scores(Decimal(69)))
    assert (outcome.code, outcome.passed) == ("trung_binh", False)


# levels


def level_oracle(met: dict[str, bool]) -> int:
    def reaches(k: int) -> bool:
        return all(met[t] for level in range(1, k + 1) for t in TARGETS[level])

    return max(k for k in range(len(TARGETS) + 1) if reaches(k))


@given(
    st.fixed_dictionaries({code: st.booleans() for code in LEVEL_CODES}),
    st.permutations(COMMUNITY["levels"]),
)
@example(dict.fromkeys(LEVEL_CODES, True) | {"T4": False}, COMMUNITY["levels"])
def test_a_community_reaches_the_highest_level_whose_targets_and_all_below_are_met(
    met: dict[str, bool], levels: list[dict[str, Any]]
) -> None:
    scores = {code: Decimal(int(ok)) for code, ok in met.items()}
    outcome = evaluate({**COMMUNITY, "levels": levels}, scores)
    expected = level_oracle(met)
    assert (outcome.level, outcome.code) == (expected, f"level_{expected}")
    assert outcome.passed is (expected >= 1)
    assert outcome.total == sum(met.values())


def test_a_failed_level_caps_the_result_even_when_higher_targets_are_met() -> None:
    scores = dict.fromkeys(LEVEL_CODES, Decimal(1)) | {"T5": Decimal(0)}
    outcome = evaluate(COMMUNITY, scores)
    assert (outcome.code, outcome.level, outcome.passed) == ("level_1", 1, True)


def test_no_level_is_reached_when_a_first_level_target_is_missed() -> None:
    scores = dict.fromkeys(LEVEL_CODES, Decimal(1)) | {"T1": Decimal(0)}
    outcome = evaluate(COMMUNITY, scores)
    assert (outcome.code, outcome.level, outcome.passed) == ("level_0", 0, False)


def test_a_target_is_met_from_the_rules_target_met_at_score() -> None:
    rule = {**COMMUNITY, "target_met_at": "7.5"}
    scores = dict.fromkeys(LEVEL_CODES, Decimal("7.5")) | {"T6": Decimal("7.4")}
    assert evaluate(rule, scores).level == 2


# member_share


@st.composite
def member_counts(draw: st.DrawFn) -> MemberCounts:
    total = draw(st.integers(0, 300))
    return MemberCounts(holding=draw(st.integers(0, total)), total=total)


@given(member_counts(), st.decimals(min_value=0, max_value=100, places=2))
@example(MemberCounts(holding=9, total=10), Decimal(90))
@example(MemberCounts(holding=89, total=99), Decimal(90))
@example(MemberCounts(holding=0, total=0), Decimal(0))
@example(MemberCounts(holding=29, total=100), Decimal(29))
def test_a_unit_passes_the_member_share_exactly_when_enough_members_hold_the_title(
    members: MemberCounts, percent: Decimal
) -> None:
    rule = {"type": "member_share", "at_least_percent": str(percent)}
    outcome = evaluate(rule, {}, members=members)
    share_reached = (
        members.total > 0 and Fraction(members.holding, members.total) >= Fraction(percent) / 100
    )
    assert outcome.passed is share_reached
    assert outcome.total == 0


@pytest.mark.parametrize(
    ("holding", "total", "percent", "passed"),
    [
        (9, 10, 90, True),
        (90, 100, 90, True),
        (89, 99, 90, False),
        (899, 1000, 90, False),
        (29, 100, 29, True),
        (57, 100, 57, True),
        (56, 100, 57, False),
        (9, 125, "7.2", True),
        (0, 0, 90, False),
        (0, 0, 0, False),
    ],
)
def test_a_share_exactly_at_the_mark_passes_and_one_just_under_fails(
    holding: int, total: int, percent: int | str, passed: bool
) -> None:
    rule = {"type": "member_share", "at_least_percent": percent}
    outcome = evaluate(rule, {}, members=MemberCounts(holding=holding, total=total))
    assert outcome.passed is passed


def test_a_float_percent_is_met_by_exactly_that_share() -> None:
    rule = {"type": "member_share", "at_least_percent": 0.1}
    assert evaluate(rule, {}, members=MemberCounts(holding=1, total=1000)).passed


# all_of


@pytest.mark.parametrize(
    ("holding", "total", "passed"),
    [("9", "85", True), ("9", "49.5", False), ("8", "100", False), ("10", "50", True)],
)
def test_a_learning_unit_reaches_level_1_only_with_a_passing_band_and_90_percent_members(
    holding: str, total: str, passed: bool
) -> None:
    members = MemberCounts(holding=int(holding), total=10)
    outcome = evaluate(UNIT_LEVEL_1, unit_scores(Decimal(total)), members=members)
    assert outcome.passed is passed
    assert outcome.code == ("passed" if passed else "not_passed")
    assert (outcome.total, outcome.level) == (Decimal(total), None)


# validate_rule


@pytest.mark.parametrize("rule", [CDHT, UNIT, COMMUNITY, MEMBERS_90, UNIT_LEVEL_1])
def test_the_shipped_rules_are_sound(rule: dict[str, Any]) -> None:
    assert validate_rule(rule, ALL_CODES) == []


def test_a_subset_and_passing_bands_are_sound_when_they_name_known_codes() -> None:
    assert validate_rule({**CDHT, "indicators": ["CS1", "CS2"]}, CDHT_CODES) == []
    assert validate_rule({**UNIT, "passing": ["tot", "kha"]}, []) == []


def _all_of(*rules: Any) -> dict[str, Any]:
    return {"type": "all_of", "rules": list(rules)}


MALFORMED: dict[str, tuple[Any, str]] = {
    "not a mapping": (["sum_min"], "must be a mapping"),
    "no type": ({"total_at_least": 80}, "unknown rule type None"),
    "unknown type": ({"type": "average"}, "unknown rule type 'average'"),
    "missing field": ({"type": "sum_min", "total_at_least": 80}, "missing field 'each_at_least'"),
    "misspelt field": ({**CDHT, "pasing": ["x"]}, "unknown field 'pasing'"),
    "threshold a word": ({**CDHT, "total_at_least": "eighty"}, "total_at_least must be a number"),
    "threshold a bool": ({**CDHT, "each_at_least": True}, "each_at_least must be a number"),
    "threshold empty": ({**CDHT, "each_at_least": None}, "each_at_least must be a number"),
    "threshold not finite": ({**CDHT, "total_at_least": "nan"}, "total_at_least must be"),
    "subset unknown": ({**CDHT, "indicators": ["CS1", "CS11"]}, "unknown indicator 'CS11'"),
    "subset a string": ({**CDHT, "indicators": "CS1"}, "indicators must be a non-empty list"),
    "subset empty": ({**CDHT, "indicators": []}, "indicators must be a non-empty list"),
    "subset repeated": ({**CDHT, "indicators": ["CS1", "CS1"]}, "names 'CS1' twice"),
    "no bands": ({**UNIT, "bands": []}, "bands must be a non-empty list"),
    "band code repeated": (
        {**UNIT, "bands": [*UNIT_BANDS, {"code": "kha", "at_least": 60}]},
        "band code 'kha' is used twice",
    ),
    "band mark repeated": (
        {**UNIT, "bands": [*UNIT_BANDS, {"code": "yeu", "at_least": 50}]},
        "two bands start at 50",
    ),
    "band mark a word": (
        {**UNIT, "bands": [{"code": "tot", "at_least": "high"}]},
        "bands[0].at_least must be a number",
    ),
    "band without code": ({**UNIT, "bands": [{"at_least": 85}]}, "bands[0].code must be"),
    "band not a mapping": ({**UNIT, "bands": ["tot"]}, "bands[0].code must be"),
    "otherwise a band": ({**UNIT, "otherwise": "kha"}, "otherwise 'kha' is also a band code"),
    "otherwise missing": (
        {"type": "bands", "bands": UNIT_BANDS},
        "missing field 'otherwise'",
    ),
    "passing unknown": ({**UNIT, "passing": ["tot", "gioi"]}, "passing names 'gioi'"),
    "passing empty": ({**UNIT, "passing": []}, "passing must be a non-empty list"),
    "levels empty": ({**COMMUNITY, "levels": []}, "levels must be a non-empty list"),
    "level skipped": (
        {**COMMUNITY, "levels": [{"level": 1, "targets": ["T1"]}, {"level": 3, "targets": ["T2"]}]},
        "levels must be numbered",
    ),
    "level repeated": (
        {**COMMUNITY, "levels": [{"level": 1, "targets": ["T1"]}, {"level": 1, "targets": ["T2"]}]},
        "levels must be numbered",
    ),
    "levels not from 1": (
        {**COMMUNITY, "levels": [{"level": 2, "targets": ["T1"]}, {"level": 3, "targets": ["T2"]}]},
        "levels must be numbered",
    ),
    "level a string": (
        {**COMMUNITY, "levels": [{"level": "1", "targets": ["T1"]}]},
        "levels[0].level must be a whole number",
    ),
    "target unknown": (
        {**COMMUNITY, "levels": [{"level": 1, "targets": ["T1", "T9"]}]},
        "levels[0].targets names unknown indicator 'T9'",
    ),
    "targets empty": (
        {**COMMUNITY, "levels": [{"level": 1, "targets": []}]},
        "levels[0].targets must be a non-empty list",
    ),
    "target_met_at a word": ({**COMMUNITY, "target_met_at": "yes"}, "target_met_at must be"),
    "percent above 100": ({**MEMBERS_90, "at_least_percent": 101}, "from 0 to 100"),
    "percent below 0": ({**MEMBERS_90, "at_least_percent": -1}, "from 0 to 100"),
    "percent a word": ({**MEMBERS_90, "at_least_percent": "ninety"}, "from 0 to 100"),
    "all_of empty": (_all_of(), "rules must be a non-empty list"),
    "all_of not a list": ({"type": "all_of", "rules": UNIT}, "rules must be a non-empty list"),
    "all_of invalid sub-rule": (_all_of(UNIT, {"type": "average"}), "rules[1]: unknown rule type"),
    "all_of invalid deep down": (
        _all_of(_all_of(MEMBERS_90, {**MEMBERS_90, "at_least_percent": 120})),
        "rules[0]: rules[1]: at_least_percent must be",
    ),
}


@pytest.mark.parametrize(("rule", "problem"), MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_rule_is_reported_with_its_problem(rule: Any, problem: str) -> None:
    problems = validate_rule(rule, ALL_CODES)
    assert any(problem in p for p in problems), problems


def test_a_rule_that_contains_itself_is_reported_rather_than_crashing() -> None:
    rule: dict[str, Any] = {"type": "all_of", "rules": []}
    rule["rules"].append(rule)
    assert validate_rule(rule, ALL_CODES) == ["rules nest too deeply or contain themselves"]


# evaluation errors


def test_evaluating_without_a_score_the_rule_needs_is_an_error() -> None:
    rule = {**CDHT, "indicators": CDHT_CODES}
    scores = cdht_scores([Decimal(10)] * 10)
    del scores["CS4"]
    with pytest.raises(RuleError, match="no score for CS4"):
        evaluate(rule, scores)


def test_evaluating_levels_without_a_target_score_is_an_error_even_above_a_failed_level() -> None:
    scores = dict.fromkeys(LEVEL_CODES, Decimal(0))
    del scores["T8"]
    with pytest.raises(RuleError, match="no score for T8"):
        evaluate(COMMUNITY, scores)


def test_evaluating_a_member_share_without_member_counts_is_an_error() -> None:
    with pytest.raises(RuleError, match="needs the member counts"):
        evaluate(MEMBERS_90, {})
    with pytest.raises(RuleError, match="needs the member counts"):
        evaluate(UNIT_LEVEL_1, unit_scores(Decimal(90)))


def test_evaluating_more_holders_than_members_is_an_error() -> None:
    with pytest.raises(RuleError, match="11 of 10"):
        evaluate(MEMBERS_90, {}, members=MemberCounts(holding=11, total=10))


def test_evaluating_a_malformed_rule_is_an_error() -> None:
    with pytest.raises(RuleError, match="each_at_least must be a number"):
        evaluate({**CDHT, "each_at_least": "five"}, cdht_scores([Decimal(10)] * 10))


# evaluator: the rule checked once, for a caller that evaluates many score sets


@given(st.lists(st.integers(0, 10), min_size=10, max_size=10))
def test_an_evaluator_gives_what_evaluate_gives(points: list[int]) -> None:
    scores = cdht_scores([Decimal(p) for p in points])
    assert evaluator(CDHT)(scores, None) == evaluate(CDHT, scores)


def test_an_evaluator_refuses_a_malformed_rule_at_once() -> None:
    with pytest.raises(RuleError):
        evaluator({"type": "sum_min"})
