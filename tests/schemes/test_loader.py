"""Loading scheme files: versions, refusals that point at the line, the command, the fixtures."""

import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from hoctap.assessments.models import Assessment, Period
from hoctap.assessments.periods import period_open, period_scheme
from hoctap.assessments.scoring import clean_scores, outcome_of
from hoctap.schemes.loader import scheme_load_file, schemes_load_shipped
from hoctap.schemes.models import Scheme, SubjectType
from hoctap.schemes.rules import MemberCounts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Assert on the English wording unless a test asks for Vietnamese (the default language)."""
    with translation.override("en"):
        yield


FIXTURES = Path(__file__).parent / "fixtures"
SHIPPED = Path(settings.HOCTAP_SCHEMES_DIR)

MINIMAL = """\
# A small scheme for tests of refusals.
code: thu-nghiem
title: Thử nghiệm
status: provisional
subject: citizen
groups:
  - code: G1
    name: Nông dân
criteria:
  - code: NL1
    name: Tự học
    indicators:
      - code: CS1
        text: Đọc sách, báo
        max: 10
        step: 1
      - code: CS2
        text: Học nghề
        max: 10
        step: 1
rule:
  type: sum_min
  total_at_least: 15
  each_at_least: 5
"""


def _edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once"
    return text.replace(old, new)


def _line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """Return the 1-based line of the n-th line containing `fragment`."""
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return lines[occurrence - 1]


def _write(tmp_path: Path, text: str, name: str = "thu-nghiem.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _refusal(path: Path) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        scheme_load_file(path)
    assert not Scheme.objects.filter(code="thu-nghiem").exists()
    return caught.value.messages


# Versions


def test_loading_the_shipped_files_again_changes_nothing() -> None:
    before = list(Scheme.objects.values_list("pk", "code", "version", "content_hash"))
    results = schemes_load_shipped()
    assert {r.scheme.code for r in results} == {
        "cdht-2020",
        "cdht-2022",
        "gia-dinh-hoc-tap",
        "don-vi-hoc-tap",
        "don-vi-hoc-tap-2023",
        "cong-dong-hoc-tap",
        "dong-ho-hoc-tap",
    }
    assert {r.outcome for r in results} == {"unchanged"}
    assert list(Scheme.objects.values_list("pk", "code", "version", "content_hash")) == before


def test_a_changed_scheme_that_no_assessment_uses_is_updated_in_place(tmp_path: Path) -> None:
    stored = Scheme.objects.get(code="cdht-2022")
    assert not stored.assessments.exists()
    text = (SHIPPED / "cdht-2022.yaml").read_text(encoding="utf-8")
    changed = _edit(text, "title: Công dân học tập\n", "title: Công dân học tập (nguyên văn)\n")

    result = scheme_load_file(_write(tmp_path, changed, "cdht-2022.yaml"))

    assert result.outcome == "updated"
    assert result.scheme.pk == stored.pk
    assert result.scheme.version == 1
    assert Scheme.objects.filter(code="cdht-2022").count() == 1
    assert Scheme.objects.get(pk=stored.pk).title == "Công dân học tập (nguyên văn)"


def test_a_changed_scheme_in_use_becomes_a_new_version_and_old_results_stay(
    tmp_path: Path,
) -> None:
    old = Scheme.objects.get(code="cdht-2020")
    old_definition = old.definition
    pilot = Assessment.objects.filter(period__code="2020-2021")
    results_before = sorted(pilot.values_list("pk", "scheme_id", "passed", "result"))
    text = (SHIPPED / "cdht-2020.yaml").read_text(encoding="utf-8")
    stricter = _edit(text, "total_at_least: 80", "total_at_least: 90")

    result = scheme_load_file(_write(tmp_path, stricter, "cdht-2020.yaml"))

    assert result.outcome == "new_version"
    assert result.scheme.version == old.version + 1
    assert result.scheme.rule["total_at_least"] == 90
    old.refresh_from_db()
    assert old.definition == old_definition
    assert old.rule["total_at_least"] == 80
    assert sorted(pilot.values_list("pk", "scheme_id", "passed", "result")) == results_before
    assert pilot.filter(passed=True).count() == 363
    # A period already open keeps the version its assessments were made under.
    assert period_scheme(Period.objects.get(code="2021-2022"), SubjectType.CITIZEN) == old


def test_a_period_opened_after_a_new_version_uses_the_new_version(tmp_path: Path) -> None:
    text = (SHIPPED / "cdht-2020.yaml").read_text(encoding="utf-8")
    changed = _edit(text, "title: Công dân học tập\n", "title: Công dân học tập (bản 2)\n")
    new = scheme_load_file(_write(tmp_path, changed, "cdht-2020.yaml")).scheme
    _period, scheme, _created = period_open(code="2030", scheme_code="cdht-2020")
    assert scheme == new
    assert scheme.title == "Công dân học tập (bản 2)"


# Refusals


def test_a_file_that_is_not_yaml_is_refused_with_its_name_and_line(tmp_path: Path) -> None:
    text = _edit(MINIMAL, "name: Tự học\n", "name: Tự học: sai\n")
    messages = _refusal(_write(tmp_path, text))
    line = _line_of(text, "name: Tự học: sai")
    assert messages == [
        f"thu-nghiem.yaml, line {line}: not valid YAML (mapping values are not allowed here)"
    ]


def test_a_missing_field_is_refused_with_the_name_line_and_field(tmp_path: Path) -> None:
    text = _edit(MINIMAL, "title: Thử nghiệm\n", "")
    messages = _refusal(_write(tmp_path, text))
    assert messages == [f"thu-nghiem.yaml, line {_line_of(text, 'code:')}: Missing field: title"]


def test_a_duplicate_indicator_code_is_reported_at_the_duplicate(tmp_path: Path) -> None:
    text = _edit(MINIMAL, "- code: CS2", "- code: CS1")
    messages = _refusal(_write(tmp_path, text))
    duplicate = _line_of(text, "- code: CS1", occurrence=2)
    assert duplicate != _line_of(text, "- code: CS1")
    assert messages == [f"thu-nghiem.yaml, line {duplicate}: Indicator code used twice: CS1"]


def test_a_step_that_does_not_divide_max_is_refused_at_the_step(tmp_path: Path) -> None:
    text = _edit(MINIMAL, "        step: 1\nrule:", "        step: 3\nrule:")
    messages = _refusal(_write(tmp_path, text))
    line = _line_of(text, "step: 3")
    assert messages == [
        f"thu-nghiem.yaml, line {line}: step must be a positive number that divides max."
    ]


def test_a_rule_naming_an_unknown_indicator_is_refused_at_the_rule(tmp_path: Path) -> None:
    text = _edit(MINIMAL, "  type: sum_min\n", "  type: sum_min\n  indicators: [CS1, CS9]\n")
    messages = _refusal(_write(tmp_path, text))
    line = _line_of(text, "rule:")
    assert messages == [f"thu-nghiem.yaml, line {line}: indicators names unknown indicator 'CS9'"]


def test_every_problem_of_a_file_is_reported_at_once(tmp_path: Path) -> None:
    text = _edit(MINIMAL, "- code: CS2", "- code: CS1")
    text = _edit(text, "        step: 1\nrule:", "        step: 3\nrule:")
    messages = _refusal(_write(tmp_path, text))
    assert len(messages) == 2
    assert all(m.startswith("thu-nghiem.yaml, line ") for m in messages)


MALFORMED = [
    pytest.param(
        "title: Thử nghiệm\n", "title: 5\n", "title must be text.", "title: 5", id="title"
    ),
    pytest.param(
        "    name: Nông dân\n",
        "    name: 5\n",
        "Each group needs a code and a name.",
        "- code: G1",
        id="group-name",
    ),
    pytest.param(
        "  - code: G1\n",
        "  - code: 1\n",
        "Each group needs a code and a name.",
        "- code: 1",
        id="group-code-number",
    ),
    pytest.param(
        "    name: Nông dân\n",
        "    name: Nông dân\n    aliases: 5\n",
        "aliases must be a list of names.",
        "aliases: 5",
        id="aliases",
    ),
    pytest.param(
        "criteria:\n",
        "  - code: G2\n    name: NÔNG DÂN\ncriteria:\n",
        "Group name or alias used twice: NÔNG DÂN",
        "- code: G2",
        id="two-groups-one-name",
    ),
    pytest.param(
        "    name: Tự học\n",
        "",
        "Each criterion needs a code, a name and indicators.",
        "- code: NL1",
        id="criterion-name",
    ),
    pytest.param(
        "        text: Học nghề\n",
        "        text: 5\n",
        "Each indicator needs a code and a text.",
        "- code: CS2",
        id="indicator-text",
    ),
    pytest.param(
        "- code: CS2",
        "- code: [CS2]",
        "Each indicator needs a code and a text.",
        "- code: [CS2]",
        id="indicator-code-list",
    ),
    pytest.param(
        "        text: Học nghề\n",
        "        text: Học nghề\n        evidence: [ảnh]\n",
        "evidence must be text.",
        "evidence: [ảnh]",
        id="evidence",
    ),
    pytest.param(
        "        text: Học nghề\n",
        "        text: Học nghề\n        text_by_group: [G1]\n",
        "text_by_group must map group codes to wording.",
        "text_by_group:",
        id="text-by-group",
    ),
    pytest.param(
        "rule:\n",
        "results: [Đạt]\nrule:\n",
        "results must map result codes to labels.",
        "results:",
        id="results",
    ),
    pytest.param(
        "        max: 10\n        step: 1\nrule:",
        "        max: .inf\n        step: 1\nrule:",
        "max must be a positive number.",
        "max: .inf",
        id="max-infinite",
    ),
    pytest.param(
        "        step: 1\nrule:",
        "        step: .nan\nrule:",
        "step must be a positive number that divides max.",
        "step: .nan",
        id="step-nan",
    ),
]


@pytest.mark.parametrize(("old", "new", "reason", "at"), MALFORMED)
def test_a_field_of_the_wrong_shape_is_refused_at_its_line(
    tmp_path: Path, old: str, new: str, reason: str, at: str
) -> None:
    text = _edit(MINIMAL, old, new)
    messages = _refusal(_write(tmp_path, text))
    assert messages == [f"thu-nghiem.yaml, line {_line_of(text, at)}: {reason}"]


def test_a_group_may_list_its_own_name_among_its_aliases(tmp_path: Path) -> None:
    text = _edit(MINIMAL, "    name: Nông dân\n", "    name: Nông dân\n    aliases: [Nông Dân]\n")
    assert scheme_load_file(_write(tmp_path, text)).outcome == "created"


def test_an_unquoted_date_in_a_free_field_is_kept_as_written(tmp_path: Path) -> None:
    text = _edit(MINIMAL, "status: provisional\n", "status: provisional\nissued: 2022-07-28\n")
    scheme = scheme_load_file(_write(tmp_path, text)).scheme
    assert scheme.definition["issued"] == "2022-07-28"
    assert scheme.parsed.indicator_codes == ("CS1", "CS2")


# The command


def test_the_load_schemes_command_names_the_scheme_and_what_happened(tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL)
    out = StringIO()
    call_command("load-schemes", str(path), stdout=out)
    assert out.getvalue().strip() == "thu-nghiem v1: created"

    out = StringIO()
    call_command("load-schemes", str(path), stdout=out)
    assert out.getvalue().strip() == "thu-nghiem v1: unchanged"

    path.write_text(_edit(MINIMAL, "total_at_least: 15", "total_at_least: 16"), encoding="utf-8")
    out = StringIO()
    call_command("load-schemes", str(path), stdout=out)
    assert out.getvalue().strip() == "thu-nghiem v1: updated (not yet used)"


def test_the_load_schemes_command_fails_on_a_bad_file_with_its_line(tmp_path: Path) -> None:
    text = _edit(MINIMAL, "- code: CS2", "- code: CS1")
    path = _write(tmp_path, text)
    with pytest.raises(CommandError) as caught:
        call_command("load-schemes", str(path), stdout=StringIO())
    line = _line_of(text, "- code: CS1", occurrence=2)
    assert str(caught.value) == f"thu-nghiem.yaml, line {line}: Indicator code used twice: CS1"
    assert not Scheme.objects.filter(code="thu-nghiem").exists()


def test_the_load_schemes_command_fails_on_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="File not found"):
        call_command("load-schemes", str(tmp_path / "absent.yaml"), stdout=StringIO())


# Groups


@pytest.mark.parametrize(
    "written",
    [
        "Người buôn bán tự do, kinh doanh",
        "NGƯỜI BUÔN BÁN TỰ DO, KINH DOANH",
        "nguoi buon ban tu do, kinh doanh",
        "  người  buôn bán tự do,   kinh doanh ",
        unicodedata.normalize("NFD", "Người buôn bán tự do, kinh doanh"),
    ],
)
def test_the_pilots_local_name_for_traders_means_g2(written: str) -> None:
    group = Scheme.objects.get(code="cdht-2020").parsed.group_for(written)
    assert group is not None
    assert group.code == "G2"


def test_a_name_that_is_no_group_matches_nothing() -> None:
    assert Scheme.objects.get(code="cdht-2020").parsed.group_for("Người buôn bán") is None


# The fixture files


def _fixture(name: str, subject: str) -> Scheme:
    result = scheme_load_file(FIXTURES / name)
    # The shipped file of the same code is loaded already; the fixture replaces it (it is
    # unused), or is a new version of it (the demo decided titles under it), or, where only
    # comments differ, is the same content.
    assert result.outcome in {"created", "updated", "unchanged", "new_version"}
    assert result.scheme.subject_type == subject
    return result.scheme


def _scores(values: dict[str, int | str]) -> dict[str, str]:
    return {code: str(value) for code, value in values.items()}


def test_a_learning_family_needs_70_points_and_every_adult_recognised() -> None:
    family = _fixture("gia-dinh-hoc-tap.yaml", SubjectType.HOUSEHOLD).parsed
    enough = _scores({"CS1": 25, "CS2": 25, "CS3": 10, "CS4": 10})
    short = _scores({"CS1": 25, "CS2": 25, "CS3": 10, "CS4": 9})
    assert outcome_of(family, enough, MemberCounts(holding=3, total=3)).passed
    assert not outcome_of(family, enough, MemberCounts(holding=2, total=3)).passed
    assert not outcome_of(family, short, MemberCounts(holding=3, total=3)).passed
    assert family.result_label("passed") == "Đạt"


@pytest.mark.parametrize(
    ("total", "band", "passed"),
    [
        (100, "tot", True),
        (85, "tot", True),
        (84, "kha", True),
        (70, "kha", True),
        (69, "trung_binh", True),
        (50, "trung_binh", True),
        (49, "khong_dat", False),
        (0, "khong_dat", False),
    ],
)
def test_a_learning_unit_gets_the_band_of_its_total(total: int, band: str, passed: bool) -> None:
    unit = _fixture("don-vi-hoc-tap.yaml", SubjectType.AGENCY).parsed
    conditions = min(total, 30)
    members = min(total - conditions, 30)
    outcome = outcome_of(
        unit, _scores({"CS1": conditions, "CS2": members, "CS3": total - conditions - members})
    )
    assert (outcome.code, outcome.passed, outcome.total) == (band, passed, Decimal(total))
    assert unit.result_label("khong_dat") == "Không đạt"


LEVEL_LABELS = {0: "Chưa đạt", 1: "Mức độ 1", 2: "Mức độ 2", 3: "Mức độ 3"}


@pytest.mark.parametrize(
    ("unmet", "level"),
    [
        ([], 3),
        (["T9"], 2),
        (["T4"], 1),
        (["T4", "T9"], 1),
        (["T1"], 0),
        (["T3", "T4", "T5", "T6", "T7", "T8", "T9"], 0),
    ],
)
def test_a_community_reaches_the_highest_level_whose_targets_are_all_met(
    unmet: list[str], level: int
) -> None:
    community = _fixture("cong-dong-hoc-tap.yaml", SubjectType.COMMUNITY).parsed
    scores = _scores({f"T{n}": 0 if f"T{n}" in unmet else 1 for n in range(1, 10)})
    outcome = outcome_of(community, scores)
    assert (outcome.code, outcome.level, outcome.passed) == (f"level_{level}", level, level >= 1)
    assert community.result_label(outcome.code) == LEVEL_LABELS[level]


def test_a_clan_may_score_half_points_and_passes_at_70() -> None:
    clan = _fixture("dong-ho-hoc-tap.yaml", SubjectType.CLAN).parsed
    assert clean_scores(clan, {"CS1": "12.5", "CS2": 20})["CS1"] == "12.5"
    with pytest.raises(ValidationError):
        clean_scores(clan, {"CS1": "12.25"})
    below = _scores({"CS1": "12.5", "CS2": 20, "CS3": 20, "CS4": 17})
    at = _scores({"CS1": "12.5", "CS2": 20, "CS3": 20, "CS4": "17.5"})
    assert outcome_of(clan, below).total == Decimal("69.5")
    assert not outcome_of(clan, below).passed
    assert outcome_of(clan, at).passed
    assert clan.status == "provisional"
