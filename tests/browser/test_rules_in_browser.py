"""static/js/rules.js in Chromium gives what hoctap.schemes.rules gives, case for case.

Hypothesis draws rules of every type (sound and broken), scores and member counts; each case
is evaluated by Python and by the browser, in batches (one page.evaluate per batch), and the
two must agree: the same outcome (totals as Decimals and as written), or the same error with
the same text, and the same list of problems from validation.
"""

import copy
import decimal
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from playwright.sync_api import Browser, ConsoleMessage, Page

from hoctap.schemes.definition import SchemeDefinition, definition_from_dict
from hoctap.schemes.loader import scheme_parse
from hoctap.schemes.rules import MemberCounts, RuleError, evaluate, validate_rule
from tests.browser.conftest import PageErrors
from tests.schemes.test_rules import ALL_CODES, MALFORMED

ROOT = Path(__file__).resolve().parents[2]
RULES_JS = ROOT / "static" / "js" / "rules.js"
SCHEME_FILES = sorted((ROOT / "schemes").glob("*.yaml"))
# Not shipped, but the loader's own test schemes: the bands, levels and all_of rule types.
FIXTURE_SCHEME_FILES = sorted((ROOT / "tests" / "schemes" / "fixtures").glob("*.yaml"))

RULES_PER_BATCH = 25  # with 1 to 4 cases each
SCHEME_BATCH = 50
# Every case runs evaluate() and validate() on both sides; one call per batch keeps it fast.
RUN_BATCH = """(text) => JSON.stringify(JSON.parse(text).map((c) => {
  const run = (f) => {
    try { return { value: f() }; } catch (e) { return { error: [e.name, e.message] }; }
  };
  return {
    outcome: run(() => HoctapRules.evaluate(c.rule, c.scores, c.members)),
    problems: run(() => HoctapRules.validate(c.rule, c.codes)),
  };
}))"""

# Reproducible in CI: the same examples on every run, and nothing replayed from a database.
# No shrinking: a failure names the shortest case that differs, while shrinking a batch of
# cases would take Hypothesis its five minutes.
BROWSER_SETTINGS = settings(
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow],
)


@dataclass(frozen=True)
class Case:
    rule: Any
    scores: dict[str, Decimal]
    wire: Mapping[str, int | float | str]  # the same scores as the browser gets them
    members: MemberCounts | None
    codes: list[str]

    def payload(self) -> dict[str, Any]:
        members = None
        if self.members is not None:
            members = {"holding": self.members.holding, "total": self.members.total}
        return {"rule": self.rule, "scores": self.wire, "members": members, "codes": self.codes}


def python_result(case: Case) -> dict[str, Any]:
    """What rules.py gives, in the shape the browser's answer takes."""
    outcome: dict[str, Any]
    try:
        result = evaluate(case.rule, case.scores, members=case.members)
    except RuleError as error:
        outcome = {"error": ["RuleError", str(error)]}
    except decimal.Overflow:
        # Python's text is a list of decimal signals; rules.js words it for people.
        outcome = {"error": ["Overflow", "the sum is too large for a decimal"]}
    else:
        outcome = {
            "value": {
                "passed": result.passed,
                "code": result.code,
                "total": str(result.total),
                "level": result.level,
            }
        }
    return {"outcome": outcome, "problems": {"value": validate_rule(case.rule, case.codes)}}


def browser_results(tab: Page, cases: list[Case]) -> list[dict[str, Any]]:
    # As JSON text both ways: how the app gets a rule, and much faster than Playwright's own.
    answer = tab.evaluate(RUN_BATCH, json.dumps([case.payload() for case in cases]))
    results: list[dict[str, Any]] = json.loads(answer)
    return results


def agree(js: dict[str, Any], py: dict[str, Any]) -> bool:
    if "value" in js["outcome"] and "value" in py["outcome"]:
        totals = js["outcome"]["value"]["total"], py["outcome"]["value"]["total"]
        if Decimal(totals[0]) != Decimal(totals[1]):
            return False
    # Then everything alike, totals too as written (the same exponent, as str(Decimal) has it).
    return js == py


def assert_same(tab: Page, cases: list[Case]) -> None:
    results = zip(cases, browser_results(tab, cases), map(python_result, cases), strict=True)
    differ = [(case, js, py) for case, js, py in results if not agree(js, py)]
    if differ:
        case, js, py = min(differ, key=lambda d: len(repr(d[0])))
        pytest.fail(
            f"{len(differ)} of {len(cases)} cases differ; the shortest:\n{case}\n"
            f"browser: {js}\npython:  {py}"
        )


@pytest.fixture(scope="module")
def rules_page(browser: Browser) -> Iterator[tuple[Page, PageErrors]]:
    """One blank page for the whole module, with rules.js loaded as a page loads it.

    Like conftest's `page`, but shared: rules.js is pure, so no test can disturb another,
    and Hypothesis may run many examples on it.
    """
    context = browser.new_context()
    tab = context.new_page()
    errors = PageErrors()
    tab.on("pageerror", lambda error: errors.append(str(error)))

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    tab.on("console", console)
    tab.goto("about:blank")
    tab.add_script_tag(path=str(RULES_JS))
    yield tab, errors
    context.close()


@pytest.fixture
def rules_tab(rules_page: tuple[Page, PageErrors]) -> Iterator[Page]:
    """The shared page, checked for script errors after each test."""
    tab, errors = rules_page
    yield tab
    assert errors == []


# Strategies. Each is built once: Hypothesis is quick to draw from a strategy, slow to build one.

CODES = ["CS1", "CS2", "CS3", "CS4", "CS5", "T1", "T2", "it's", "mã\u200b8", "𝑥\\9"]


def pick(draw: st.DrawFn, items: list[Any]) -> Any:
    return items[draw(st.integers(0, len(items) - 1))]


def some_of(draw: st.DrawFn, items: list[str]) -> list[str]:
    """A non-empty selection of items, in their order or reversed."""
    mask = draw(st.integers(1, 2 ** len(items) - 1))
    chosen = [item for i, item in enumerate(items) if mask >> i & 1]
    return chosen[::-1] if draw(st.booleans()) else chosen


@st.composite
def code_lists(draw: st.DrawFn) -> list[str]:
    return some_of(draw, CODES)


def quarters(low: int, high: int) -> st.SearchStrategy[int | float]:
    """Numbers on a 0.25 grid as YAML gives them: an int when whole, else a float."""
    return st.integers(low * 4, high * 4).map(lambda q: q // 4 if q % 4 == 0 else q / 4)


# Long and far-off decimals, so that sums round at 28 digits as Python's context does.
wild_decimals = st.builds(
    lambda c, e: Decimal(c).scaleb(e), st.integers(-(10**32), 10**32), st.integers(-40, 12)
)
ODD_FLOATS = [0.1, 33.3, 66.7, 99.9, 12.34, 0.05, 1e-05, 1.5e-07, 2.675, 7.000001, 1 / 3]
# Text as Decimal() reads it: Python's whitespace around, underscores, any Unicode digits.
ODD_TEXTS = [
    *["80", "7.5", " 90 ", "1e1", "8_0", "80.000", "+5", "-0", ".5", "5.", "0E+3", "1e-7"],
    *["\x1c80\x85", "\u300050\u2028", "٨٠", "８０", "1e٣", "1__0"],
]


def numbers(low: int, high: int) -> st.SearchStrategy[Any]:
    """A threshold as a rule may write it: int, float or decimal text."""
    return st.one_of(
        st.integers(low, high),
        quarters(low, high),
        st.sampled_from(ODD_FLOATS),
        st.sampled_from(ODD_TEXTS),
        st.decimals(low, high, places=2).map(str),
        wild_decimals.map(str),
    )


totals, marks, points, junk_numbers = (
    numbers(0, 60),
    numbers(0, 60),
    numbers(0, 10),
    numbers(-5, 120),
)

sum_min_rules = st.fixed_dictionaries(
    {"type": st.just("sum_min"), "total_at_least": totals, "each_at_least": points},
    optional={"indicators": code_lists()},
)

BAND_CODES = ["tot", "kha", "trung_binh", "gioi", "it's", "ưu tú"]


@st.composite
def bands_rules(draw: st.DrawFn) -> dict[str, Any]:
    bands: list[dict[str, Any]] = []
    for code in some_of(draw, BAND_CODES)[:4]:
        mark = draw(marks)
        if all(Decimal(str(mark)) != Decimal(str(band["at_least"])) for band in bands):
            bands.append({"code": code, "at_least": mark})
    rule = {"type": "bands", "bands": bands, "otherwise": pick(draw, ["khong_dat", "x"])}
    if draw(st.booleans()):
        rule["passing"] = some_of(draw, [band["code"] for band in bands])
    return rule


@st.composite
def levels_rules(draw: st.DrawFn) -> dict[str, Any]:
    numbered = pick(draw, [[1], [1, 2], [2, 1], [1, 2, 3], [3, 1, 2]])
    rule: dict[str, Any] = {
        "type": "levels",
        "levels": [{"level": n, "targets": some_of(draw, CODES)} for n in numbered],
    }
    if draw(st.booleans()):
        rule["target_met_at"] = draw(points)
    return rule


PERCENTS = [33.3, 90, 66.67, 12.5, 99.99, 0.1, 1 / 3, "90", "33.3", "100", "0", "7.2", "9E+1"]
member_share_rules = st.fixed_dictionaries(
    {
        "type": st.just("member_share"),
        "at_least_percent": st.one_of(
            st.integers(0, 100),
            st.sampled_from(PERCENTS),
            st.decimals(0, 100, places=3).map(str),
            st.decimals(0, 100, places=1).map(float),
        ),
    }
)


def all_of(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    rules = st.lists(inner, min_size=1, max_size=3)
    return st.builds(lambda rules: {"type": "all_of", "rules": rules}, rules)


# All four kinds, and all_of nesting them up to three deep (st.recursive is slower at this).
leaf_rules = st.one_of(sum_min_rules, bands_rules(), levels_rules(), member_share_rules)
inner_rules = st.one_of(leaf_rules, leaf_rules, leaf_rules, all_of(leaf_rules))
sound_rules = st.one_of(leaf_rules, leaf_rules, leaf_rules, all_of(inner_rules))

JUNK: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    101,
    2.5,
    "",
    " ",
    "\u3000",
    "eighty",
    "nan",
    "-Infinity",
    "sNaN",
    "1_0",
    " 7.5 ",
    "1e2",
    "٨٠",
    "1e999999999999999999",
    "1e1000000000000000000",
    [],
    {},
    ["CS1"],
    ["CS1", "CS1"],
    ["CS9"],
    "CS1",
    {"code": "x"},
    {"code": "tot", "at_least": 1},
    {"level": 1, "targets": ["CS1"]},
    {"level": "1", "targets": ["T1"]},
    {"level": 1.5, "targets": []},
    {"type": "average"},
    {"type": "all_of", "rules": []},
    {"type": "member_share"},
    "sum_min",
    "kha",
    "tot",
    "\ufeff80",  # no whitespace to Python, unlike JavaScript's trim()
    "1 0",
    "_",
    "tab\there\n",
    " \x1c\x85",
    "nul\x00 del\x7f nbsp\xa0 tag\U000e0001 \\",
    'say "it\'s"',
]
junk_values = st.one_of(st.sampled_from(JUNK), junk_numbers).map(copy.deepcopy)
FIELD_NAMES = [
    "pasing",
    "Type",
    "tab\there",
    "\ufeffzz",
    "tổng",
    "it's",
    "x\u200by",
    "𝑥",
    "type",
    "indicators",
    "passing",
    "bands",
    "levels",
    "rules",
    "otherwise",
    "target_met_at",
    "at_least_percent",
    "total_at_least",
    "each_at_least",
]


def containers(value: Any) -> Iterator[dict[str, Any] | list[Any]]:
    """Every mapping and list in a rule, the rule itself first."""
    if isinstance(value, dict | list):
        yield value
        for item in value.values() if isinstance(value, dict) else value:
            yield from containers(item)


@st.composite
def broken_rules(draw: st.DrawFn) -> Any:
    """A sound rule with one or two things changed: a field dropped, added, repeated or junk."""
    rule = copy.deepcopy(draw(sound_rules))
    for _ in range(draw(st.integers(1, 2))):
        if draw(st.integers(0, 19)) == 19:
            return draw(junk_values)  # not even a mapping, most likely
        places = list(containers(rule))
        mappings = [place for place in places if isinstance(place, dict)]
        # Mostly a field of some rule, band or level; else an item of some list.
        place = pick(draw, places if draw(st.integers(0, 2)) == 2 else mappings or places)
        action = pick(draw, ["junk", "drop", "add"])
        if isinstance(place, dict):
            if action == "add" or not place:
                place[pick(draw, FIELD_NAMES)] = draw(junk_values)
            elif action == "drop":
                del place[pick(draw, sorted(place))]
            else:
                place[pick(draw, sorted(place))] = draw(junk_values)
        elif place:
            index = draw(st.integers(0, len(place) - 1))
            if action == "add":
                place.append(copy.deepcopy(place[index]))  # a repeated code, band or level
            elif action == "drop":
                del place[index]
            else:
                place[index] = draw(junk_values)
    return rule


# Score grids: whole points, halves, quarters, hundredths, and tenths written "7.0" (an
# exponent Python keeps); now and then long decimals instead, which round past 28 digits.
STEPS = [Decimal(1), Decimal("0.5"), Decimal("0.25"), Decimal("0.01"), Decimal("0.1")]


def on_grid(top: Decimal, step: Decimal) -> st.SearchStrategy[Decimal]:
    """0, step, 2 * step … up to top, as Decimals keeping the step's exponent."""
    return st.integers(0, int(top / step)).map(lambda k: k * step)


GRIDS = [on_grid(Decimal(10), step) for step in STEPS]


def as_sent(value: Decimal, as_number: bool) -> int | float | str:
    """The score as a JSON number when that reads back as the same Decimal, else as text.

    JSON writes 7.0 as 7, another Decimal, and JavaScript rounds integers past 2**53.
    """
    if as_number and value.as_tuple().exponent == 0 and abs(value) < 2**53:
        return int(value)
    if (
        as_number
        and value != value.to_integral_value()
        and Decimal(repr(float(value))).as_tuple() == value.as_tuple()
    ):
        return float(value)
    return str(value)


@st.composite
def score_maps(draw: st.DrawFn) -> tuple[dict[str, Decimal], dict[str, int | float | str]]:
    """Scores for every code, or (one map in four) for some; sent as text or as numbers."""
    values = wild_decimals if draw(st.integers(0, 9)) == 9 else pick(draw, GRIDS)
    everyone = 2 ** len(CODES) - 1
    present = everyone if draw(st.integers(0, 3)) < 3 else draw(st.integers(0, everyone))
    order = CODES[::-1] if draw(st.booleans()) else CODES
    scores = {code: draw(values) for i, code in enumerate(order) if present >> i & 1}
    as_numbers = draw(st.booleans())
    return scores, {code: as_sent(value, as_numbers) for code, value in scores.items()}


@st.composite
def member_counts(draw: st.DrawFn) -> MemberCounts | None:
    """None now and then; else counts, with more holders than members now and then."""
    if draw(st.integers(0, 4)) == 4:
        return None
    total = draw(st.integers(0, 20)) if draw(st.booleans()) else draw(st.integers(0, 1000))
    holding = draw(st.integers(0, total))
    if draw(st.integers(0, 9)) == 9:
        holding = pick(draw, [total + 1, total + 3, -1])
    return MemberCounts(holding=holding, total=total)


@st.composite
def rule_cases(draw: st.DrawFn, rules: st.SearchStrategy[Any]) -> list[Case]:
    """One rule with a few sets of scores and member counts: several cases for one rule."""
    rule = draw(rules)
    codes = pick(draw, [CODES, CODES, CODES[:5], CODES[3:], []])
    return [
        Case(rule, *draw(score_maps()), draw(member_counts()), codes)
        for _ in range(draw(st.integers(1, 4)))
    ]


def batches(rules: st.SearchStrategy[Any], size: int) -> st.SearchStrategy[list[Case]]:
    groups = st.lists(rule_cases(rules), min_size=size, max_size=size)
    return groups.map(lambda cases: [case for group in cases for case in group])


any_rules = st.one_of(sound_rules, broken_rules())

# Tests


@settings(BROWSER_SETTINGS, max_examples=40)
@given(batches(any_rules, RULES_PER_BATCH))
def test_the_browser_gives_what_python_gives_for_any_rule(
    rules_page: tuple[Page, PageErrors], batch: list[Case]
) -> None:
    tab, errors = rules_page
    assert_same(tab, batch)
    assert errors == []


def load(path: Path) -> SchemeDefinition:
    """A scheme file read as the loader reads it (checked, then in its stored JSON form)."""
    return definition_from_dict(scheme_parse(path.read_text(encoding="utf-8"), name=path.name))


def grid_cases(definition: SchemeDefinition) -> st.SearchStrategy[Case]:
    """Valid scores on every indicator's step grid, sent as text or as JSON numbers."""
    grid = {i.code: on_grid(i.max, i.step) for i in definition.indicators}

    def case(scores: dict[str, Decimal], numbers: bool, members: MemberCounts | None) -> Case:
        wire = {code: as_sent(value, numbers) for code, value in scores.items()}
        return Case(definition.rule, scores, wire, members, list(definition.indicator_codes))

    return st.builds(case, st.fixed_dictionaries(grid), st.booleans(), member_counts())


@pytest.mark.parametrize(
    "path", SCHEME_FILES + FIXTURE_SCHEME_FILES, ids=lambda p: p.relative_to(ROOT).as_posix()
)
def test_the_browser_gives_what_python_gives_for_each_scheme_file(
    rules_tab: Page, path: Path
) -> None:
    definition = load(path)
    codes = list(definition.indicator_codes)
    problems = rules_tab.evaluate(
        "([r, c]) => HoctapRules.validate(r, c)", [definition.rule, codes]
    )
    assert problems == validate_rule(definition.rule, codes) == []

    @settings(BROWSER_SETTINGS, max_examples=4)
    @given(st.lists(grid_cases(definition), min_size=SCHEME_BATCH, max_size=SCHEME_BATCH))
    def check(batch: list[Case]) -> None:
        assert_same(rules_tab, batch)

    check()


def test_the_shipped_schemes_are_found() -> None:
    assert {"cdht-2020.yaml", "cdht-2022.yaml"} <= {p.name for p in SCHEME_FILES}


CDHT = load(ROOT / "schemes" / "cdht-2022.yaml").rule
FAMILY = load(ROOT / "tests" / "schemes" / "fixtures" / "gia-dinh-hoc-tap.yaml").rule
CDHT_CODES = [f"CS{n}" for n in range(1, 11)]


def cdht(*points: int | str) -> dict[str, int | str]:
    return dict(zip(CDHT_CODES, points, strict=True))


KNOWN: list[tuple[str, Any, dict[str, Any], dict[str, int] | None, dict[str, Any]]] = [
    (
        "cdht: 80 in all with one indicator at 4",
        CDHT,
        cdht(4, 10, 10, 10, 10, 10, 10, 6, 5, 5),
        None,
        {"passed": False, "code": "not_passed", "total": "80", "level": None},
    ),
    (
        "cdht: 8 everywhere",
        CDHT,
        cdht(*[8] * 10),
        None,
        {"passed": True, "code": "passed", "total": "80", "level": None},
    ),
    (
        "cdht: 79.5 in half points",
        CDHT,
        cdht(*[8] * 9, "7.5"),
        None,
        {"passed": False, "code": "not_passed", "total": "79.5", "level": None},
    ),
    (
        "9 of 10 members at 90 %",
        {"type": "member_share", "at_least_percent": 90},
        {},
        {"holding": 9, "total": 10},
        {"passed": True, "code": "passed", "total": "0", "level": None},
    ),
    (
        "89 of 99 members at 90 %",
        {"type": "member_share", "at_least_percent": 90},
        {},
        {"holding": 89, "total": 99},
        {"passed": False, "code": "not_passed", "total": "0", "level": None},
    ),
    (
        "333 of 1000 members at 33.3 %",
        {"type": "member_share", "at_least_percent": 33.3},
        {},
        {"holding": 333, "total": 1000},
        {"passed": True, "code": "passed", "total": "0", "level": None},
    ),
    (
        "332 of 1000 members at 33.3 %",
        {"type": "member_share", "at_least_percent": 33.3},
        {},
        {"holding": 332, "total": 1000},
        {"passed": False, "code": "not_passed", "total": "0", "level": None},
    ),
    (
        "a family with 70 points but one adult without the title",
        FAMILY,
        {"TC1": 20, "TC2": 20, "TC3": 15, "TC4": 15},
        {"holding": 3, "total": 4},
        {"passed": False, "code": "not_passed", "total": "70", "level": None},
    ),
    (
        "a unit at 84.5 is kha",
        {
            "type": "bands",
            "bands": [
                {"code": "tot", "at_least": 85},
                {"code": "kha", "at_least": 70},
            ],
            "otherwise": "khong_dat",
        },
        {"TC1": "40", "TC2": "44.5"},
        None,
        {"passed": True, "code": "kha", "total": "84.5", "level": None},
    ),
    (
        "a community meets level 1 and the targets of level 3, not level 2",
        {
            "type": "levels",
            "target_met_at": "7.5",
            "levels": [
                {"level": 2, "targets": ["T2"]},
                {"level": 1, "targets": ["T1"]},
                {"level": 3, "targets": ["T3"]},
            ],
        },
        {"T1": "7.5", "T2": 7.25, "T3": 10},
        None,
        {"passed": True, "code": "level_1", "total": "24.75", "level": 1},
    ),
    (
        "a score too precise for 28 digits",
        {"type": "sum_min", "total_at_least": "1e30", "each_at_least": 0},
        {"a": "1e30", "b": "0.4"},
        None,
        {"passed": True, "code": "passed", "total": "1.000000000000000000000000000E+30"},
    ),
]


@pytest.mark.parametrize(
    ("rule", "scores", "members", "expected"), [k[1:] for k in KNOWN], ids=[k[0] for k in KNOWN]
)
def test_known_results_are_the_same_in_the_browser(
    rules_tab: Page,
    rule: Any,
    scores: dict[str, Any],
    members: dict[str, int] | None,
    expected: dict[str, Any],
) -> None:
    expected = {"level": None, **expected}
    got = rules_tab.evaluate(
        "([rule, scores, members]) => HoctapRules.evaluate(rule, scores, members)",
        [rule, scores, members],
    )
    assert got == expected
    counts = None if members is None else MemberCounts(**members)
    outcome = evaluate(rule, {c: Decimal(str(v)) for c, v in scores.items()}, members=counts)
    assert {
        "passed": outcome.passed,
        "code": outcome.code,
        "total": str(outcome.total),
        "level": outcome.level,
    } == expected


ERRORS: list[tuple[str, Any, dict[str, Any], dict[str, int] | None, str]] = [
    (
        "missing scores",
        {**CDHT, "indicators": CDHT_CODES},
        {"CS1": 10, "CS3": 10},
        None,
        "no score for CS2, CS4, CS5, CS6, CS7, CS8, CS9, CS10",
    ),
    ("no member counts", FAMILY, {"TC1": 30}, None, "member_share needs the member counts"),
    ("11 of 10", FAMILY, {}, {"holding": 11, "total": 10}, "cannot have 11 of 10 members holding"),
    ("a misspelt field", {**CDHT, "pasing": 1}, {}, None, "sum_min: unknown field 'pasing'"),
    ("a bool threshold", {**CDHT, "each_at_least": True}, {}, None, "each_at_least must be"),
]


@pytest.mark.parametrize(
    ("rule", "scores", "members", "message"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_the_browser_throws_a_rule_error_where_python_raises_one(
    rules_tab: Page,
    rule: Any,
    scores: dict[str, Any],
    members: dict[str, int] | None,
    message: str,
) -> None:
    name, text = rules_tab.evaluate(
        """([rule, scores, members]) => {
          try { HoctapRules.evaluate(rule, scores, members); return [null, null]; }
          catch (e) { return [e.name, e.message]; }
        }""",
        [rule, scores, members],
    )
    counts = None if members is None else MemberCounts(**members)
    with pytest.raises(RuleError) as raised:
        evaluate(rule, {c: Decimal(str(v)) for c, v in scores.items()}, members=counts)
    assert (name, text) == ("RuleError", str(raised.value))
    assert message in text


@pytest.mark.parametrize(("rule", "problem"), MALFORMED.values(), ids=MALFORMED.keys())
def test_the_browser_finds_the_problems_python_finds_in_each_malformed_rule(
    rules_tab: Page, rule: Any, problem: str
) -> None:
    """The malformed rules of tests/schemes/test_rules.py: every problem text, one by one."""
    case = Case(
        rule, {code: Decimal(1) for code in ALL_CODES}, dict.fromkeys(ALL_CODES, 1), None, ALL_CODES
    )
    [js] = browser_results(rules_tab, [case])
    assert js == python_result(case)
    assert any(problem in p for p in js["problems"]["value"])


def in_every_place(value: Any) -> list[Any]:
    """Rules with `value` in each field a rule has: the problem texts quote it as Python does."""
    rules: list[Any] = [
        value,
        {"type": value},
        {"type": "sum_min", "total_at_least": value, "each_at_least": 0, "indicators": [value]},
        {"type": "sum_min", "total_at_least": 0, "each_at_least": value, "indicators": value},
        {
            "type": "bands",
            "bands": [{"code": value, "at_least": 1}, {"code": "a", "at_least": value}],
            "otherwise": value,
            "passing": [value],
        },
        {"type": "bands", "bands": [{"code": "a", "at_least": 1}, value], "otherwise": "a"},
        {"type": "levels", "levels": [{"level": value, "targets": [value, value]}]},
        {"type": "levels", "levels": [{"level": 1, "targets": ["CS1"]}], "target_met_at": value},
        {"type": "member_share", "at_least_percent": value},
        {"type": "all_of", "rules": [value, {"type": "all_of", "rules": value}]},
    ]
    if isinstance(value, str):
        # Unknown fields come sorted by code point: U+FEFF before U+1D465, unlike in UTF-16.
        rules.append({"type": "member_share", "at_least_percent": 1, value: 1, "𝑥": 0})
    return rules


ODD_VALUES = [*JUNK, *ODD_FLOATS, *ODD_TEXTS, *PERCENTS, *FIELD_NAMES, *CODES, *BAND_CODES]


def test_odd_values_anywhere_in_a_rule_give_the_same_problem_texts(rules_tab: Page) -> None:
    """Every odd value in every place, written in the texts as Python's repr() and str() do."""
    rules = [rule for value in ODD_VALUES for rule in in_every_place(value)]
    assert_same(rules_tab, [Case(rule, {}, {}, None, CODES) for rule in rules])


def test_a_rule_that_contains_itself_is_reported_as_python_reports_it(rules_tab: Page) -> None:
    rule: dict[str, Any] = {"type": "all_of", "rules": []}
    rule["rules"].append(rule)
    problems = rules_tab.evaluate(
        """() => {
          const rule = { type: "all_of", rules: [] };
          rule.rules.push(rule);
          return HoctapRules.validate(rule, []);
        }"""
    )
    assert problems == validate_rule(rule, []) == ["rules nest too deeply or contain themselves"]


# Sums at the edges of Python's decimal context: 28 digits rounded half to even, and
# exponents from -999999 (less, down to -1000026, with fewer digits) to 999999.
SUMS = [
    {"a": "1234567890123456789012345678.5"},
    {"a": "1234567890123456789012345677.5"},
    {"a": "9999999999999999999999999999", "b": "0.5"},
    {"a": "-0", "b": "-0.00"},
    {"a": "1e-7"},
    {"a": "0.000001"},
    {"a": "-0.00000123"},
    {"a": "1.5E+3", "b": "2E+5"},
    {"a": "1e50", "b": "1e-50"},
    {"a": "1e50", "b": "-1e-50"},
    {"a": "-1e50", "b": "1e-999999"},
    {"a": "1e-1000030"},
    {"a": "0E-2000000"},
    {"a": "1e-999990", "b": "1e-1000020"},
    {"a": "5e-1000026", "b": "-1e-1000040"},
    {"a": "9e999999", "b": "9e999999"},
    {"a": "9.999999999999999999999999999E+999999", "b": "1E+999972"},
]


@pytest.mark.parametrize("scores", SUMS, ids=[" + ".join(s.values()) for s in SUMS])
def test_extreme_sums_round_and_overflow_as_in_python(
    rules_tab: Page, scores: dict[str, str]
) -> None:
    rule = {"type": "sum_min", "total_at_least": 0, "each_at_least": "-1e999999"}
    values = {code: Decimal(text) for code, text in scores.items()}
    case = Case(rule, values, scores, None, list(scores))
    [js] = browser_results(rules_tab, [case])
    assert agree(js, python_result(case)), (js, python_result(case))


def test_the_script_works_in_a_worker_through_import_scripts(rules_tab: Page) -> None:
    """A service worker loads rules.js with importScripts; a dedicated worker does the same."""
    source = RULES_JS.read_text(encoding="utf-8")
    answer = rules_tab.evaluate(
        """(source) => new Promise((resolve, reject) => {
          const url = (text) => URL.createObjectURL(new Blob([text], { type: "text/javascript" }));
          const worker = new Worker(url(`importScripts(${JSON.stringify(url(source))});
            const rule = { type: "sum_min", total_at_least: 80, each_at_least: 5 };
            postMessage(HoctapRules.evaluate(rule, { a: 75, b: "5" }));`));
          worker.onmessage = (event) => resolve(event.data);
          worker.onerror = (event) => reject(new Error(event.message));
        })""",
        source,
    )
    assert answer == {"passed": True, "code": "passed", "total": "80", "level": None}


def test_rules_js_keeps_to_what_the_content_security_policy_and_a_worker_allow() -> None:
    source = RULES_JS.read_text(encoding="utf-8")
    # No code from strings (CSP), and no document (a service worker has none).
    assert [word for word in ("eval(", "new Function", "document.") if word in source] == []
