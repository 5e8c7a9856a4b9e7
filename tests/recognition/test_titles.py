"""Sibling titles: registering candidates, deciding on scores and member counts, reporting."""

import io
import json
import zipfile
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from hoctap.accounts.models import User
from hoctap.accounts.scoping import scope_for
from hoctap.assessments.models import Period
from hoctap.core.errors import Forbidden, NotFound
from hoctap.organisation.models import Unit
from hoctap.organisation.selectors import unit_resolve_between
from hoctap.people.models import Household, Sex
from hoctap.people.services import citizen_create, household_get_or_create
from hoctap.recognition.models import TitleEntry
from hoctap.recognition.titles import title_decide, title_register
from hoctap.reports.selectors import summary_report
from hoctap.schemes.candidates import family_candidates
from hoctap.schemes.members import community_members, household_members
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_demo_entries(db: None) -> None:
    """Start from no entry (the demo decides the pilot's families; see the last test)."""
    TitleEntry.objects.all().delete()


FAMILY_SCORES = {"CS1": "25", "CS2": "30", "CS3": "10", "CS4": "10"}  # 75: above the 70 mark


def _demo() -> tuple[Period, Unit]:
    return Period.objects.get(code="2020-2021"), Unit.objects.get(code="03289", kind="commune")


def _candidate(user: User) -> Household:
    period, commune = _demo()
    found = family_candidates(user=user, period=period, unit=commune).items
    assert found, "the demo should give learning-family candidates"
    household = found[0].subject
    assert isinstance(household, Household)
    return household


def _not_candidate(user: User) -> Household:
    """A household of the commune whose one adult has not been assessed (so is not recognised)."""
    candidate = _candidate(user)
    household = household_get_or_create(unit=candidate.unit, code="CHUA-DAT")
    citizen_create(
        full_name="Lò Văn Chưa",
        birth_year=1980,
        sex=Sex.MALE,
        home_unit=candidate.unit,
        household=household,
    )
    return household


def _register(user: User, household: Household) -> TitleEntry:
    return title_register(user=user, period=_demo()[0], household=household)


def _decide(user: User, entry: TitleEntry, scores: dict[str, str] = FAMILY_SCORES) -> TitleEntry:
    return title_decide(
        user=user,
        entry_id=entry.pk,
        scores=scores,
        decision_number="12/QĐ-HKH",
        decision_date=timezone.localdate(),
    )


# The rule: scores and the member counts from the data, against a brute-force oracle


def _oracle(scores: dict[str, str], holding: int, total: int) -> bool:
    """The learning-family rule written out: 70 points or more, and every adult recognised."""
    return sum(Decimal(v) for v in scores.values()) >= 70 and total > 0 and holding == total


@pytest.mark.parametrize(
    ("scores", "candidate"),
    [
        (FAMILY_SCORES, True),
        ({"CS1": "20", "CS2": "20", "CS3": "10", "CS4": "10"}, True),  # 60: below the mark
        ({"CS1": "30", "CS2": "30", "CS3": "20", "CS4": "20"}, False),  # 100, not all adults
        ({"CS1": "25", "CS2": "25", "CS3": "10", "CS4": "10"}, False),  # exactly 70
    ],
)
def test_the_decision_follows_the_scores_and_the_members_counted_from_the_data(
    commune_officer: User, scores: dict[str, str], candidate: bool
) -> None:
    household = _candidate(commune_officer) if candidate else _not_candidate(commune_officer)
    entry = _decide(commune_officer, _register(commune_officer, household), scores)
    counts = household_members(household=household, period=entry.period)
    assert (entry.members_holding, entry.members_total) == (counts.holding, counts.total)
    assert entry.passed is _oracle(scores, counts.holding, counts.total)
    assert entry.result == ("passed" if entry.passed else "not_passed")
    assert entry.decision_number == "12/QĐ-HKH"
    assert entry.decided_by == commune_officer


def test_registering_twice_keeps_one_entry_and_deciding_twice_is_refused(
    commune_officer: User,
) -> None:
    household = _candidate(commune_officer)
    first = _register(commune_officer, household)
    assert _register(commune_officer, household).pk == first.pk
    assert first.scheme.code == "gia-dinh-hoc-tap"
    assert first.unit == household.unit
    _decide(commune_officer, first)
    from hoctap.core.errors import Conflict

    with pytest.raises(Conflict):
        _decide(commune_officer, first)


def test_an_outsider_cannot_register_or_decide_and_a_branch_officer_cannot_decide(
    commune_officer: User, outsider: User, branch_officer: User
) -> None:
    household = _candidate(commune_officer)
    with pytest.raises(NotFound):
        _register(outsider, household)
    entry = _register(branch_officer, household)  # branches register their households
    with pytest.raises(NotFound):
        _decide(outsider, entry)
    with pytest.raises(Forbidden):
        _decide(branch_officer, entry)
    entry.refresh_from_db()
    assert entry.passed is None


def test_incomplete_scores_a_missing_number_or_a_future_date_write_nothing(
    commune_officer: User,
) -> None:
    from django.core.exceptions import ValidationError

    entry = _register(commune_officer, _candidate(commune_officer))
    with pytest.raises(ValidationError) as caught:
        title_decide(
            user=commune_officer,
            entry_id=entry.pk,
            scores={"CS1": "25", "CS2": "31"},
            decision_number=" ",
            decision_date=timezone.localdate().replace(year=timezone.localdate().year + 1),
        )
    text = " ".join(caught.value.messages)
    assert "CS2" in text  # 31 is above the maximum of 30
    entry.refresh_from_db()
    assert entry.passed is None
    assert entry.scores == {}


def test_a_commune_counts_its_recognised_learning_families(commune_officer: User) -> None:
    period, commune = _demo()
    other = _not_candidate(commune_officer)
    before = community_members(unit=commune, period=period)
    _decide(commune_officer, _register(commune_officer, _candidate(commune_officer)))
    _decide(
        commune_officer,
        _register(commune_officer, other),
        {"CS1": "30", "CS2": "30", "CS3": "20", "CS4": "20"},
    )
    after = community_members(unit=commune, period=period)
    assert after.total == before.total
    assert after.holding == before.holding + 1  # only the family that passed


# Pages


def test_the_candidates_page_registers_and_the_titles_page_decides(commune_officer: User) -> None:
    period, commune = _demo()
    household = _candidate(commune_officer)
    client = client_for(commune_officer)
    recognition = client.get("/recognition/", {"period": period.code, "unit": commune.code})
    assert "/recognition/titles/?period=2020-2021&amp;unit=03289" in recognition.content.decode()
    page = client.get(f"/schemes/candidates/{period.code}/{commune.code}/")
    assert "Register for the title" in page.content.decode() or "Đăng ký" in page.content.decode()
    response = client.post(
        "/recognition/titles/register",
        {"period": period.code, "unit": commune.code, "household": household.pk},
    )
    assert response.status_code == 302
    entry = TitleEntry.objects.get(household=household, period=period)
    listing = client.get("/recognition/titles/", {"period": period.code, "unit": commune.code})
    assert listing.status_code == 200
    assert f"/recognition/titles/{entry.pk}/decide" in listing.content.decode()
    form = client.get(f"/recognition/titles/{entry.pk}/decide")
    assert form.status_code == 200
    assert 'id="members"' in form.content.decode()
    posted = {f"score-{k}": v for k, v in FAMILY_SCORES.items()}
    bad = client.post(
        f"/recognition/titles/{entry.pk}/decide",
        {**posted, "decision_number": "5/QĐ", "decision_date": "31/02/2021"},
    )
    assert bad.status_code == 400
    entry.refresh_from_db()
    assert entry.passed is None
    done = client.post(
        f"/recognition/titles/{entry.pk}/decide",
        {**posted, "decision_number": "5/QĐ", "decision_date": "15/05/2021"},
    )
    assert done.status_code == 302
    entry.refresh_from_db()
    assert entry.passed is True
    assert entry.decision_date == date(2021, 5, 15)


def test_title_pages_are_not_found_for_an_outsider_and_refuse_wrong_methods(
    commune_officer: User, outsider: User, branch_officer: User
) -> None:
    period, commune = _demo()
    household = _candidate(commune_officer)
    entry = _register(commune_officer, household)
    stranger = client_for(outsider)
    query = {"period": period.code, "unit": commune.code}
    assert stranger.get("/recognition/titles/", query).status_code == 404
    assert stranger.get(f"/recognition/titles/{entry.pk}/decide").status_code == 404
    assert (
        stranger.post(
            "/recognition/titles/register", {**query, "household": household.pk}
        ).status_code
        == 404
    )
    client = client_for(commune_officer)
    assert client.get("/recognition/titles/register").status_code == 405
    assert client.post("/recognition/titles/", query).status_code == 405
    assert client.put(f"/recognition/titles/{entry.pk}/decide").status_code == 405
    # A branch officer sees the entry but may not decide it.
    branch = client_for(branch_officer)
    posted = {f"score-{k}": v for k, v in FAMILY_SCORES.items()}
    refused = branch.post(
        f"/recognition/titles/{entry.pk}/decide",
        {**posted, "decision_number": "5/QĐ", "decision_date": "15/05/2021"},
    )
    assert refused.status_code == 403
    entry.refresh_from_db()
    assert entry.passed is None


# Reports


def _entries(user: User) -> tuple[int, int]:
    """Register three households (a candidate passes, two do not); return (registered, passed)."""
    period, commune = _demo()
    candidates = family_candidates(user=user, period=period, unit=commune).items
    _decide(user, _register(user, candidates[0].subject))  # type: ignore[arg-type]
    _decide(
        user,
        _register(user, candidates[1].subject),  # type: ignore[arg-type]
        {"CS1": "10", "CS2": "10", "CS3": "10", "CS4": "10"},
    )
    _register(user, _not_candidate(user))  # registered, not decided yet
    registered = TitleEntry.objects.filter(period=period, unit__path__startswith=commune.path)
    return registered.count(), registered.filter(passed=True).count()


def test_the_report_counts_titles_exactly_in_every_format(
    commune_officer: User, tmp_path: Any, vietnamese: None
) -> None:
    registered, passed = _entries(commune_officer)
    assert (registered, passed) == (3, 1)
    period = _demo()[0]
    report = summary_report(
        scope=scope_for(commune_officer), period_code=period.code, unit_code="03289"
    )
    family = next(t for t in report.titles if t.code == "household")
    assert (family.registered, family.recognised) == (3, 1)
    assert family.rate == Decimal("33.33")
    assert family.provisional
    others = [t for t in report.titles if t.code != "household"]
    assert [(t.registered, t.recognised) for t in others] == [(0, 0)] * len(others)

    def command(fmt: str, *extra: str) -> str:
        out = io.StringIO()
        call_command(
            "report",
            "--period",
            period.code,
            "--unit",
            "03289",
            "--format",
            fmt,
            *extra,
            stdout=out,
        )
        return out.getvalue()

    body = json.loads(command("json"))
    row = next(t for t in body["titles"] if t["code"] == "household")
    assert (row["registered"], row["recognised"], row["rate"], row["provisional"]) == (
        3,
        1,
        33.33,
        True,
    )
    text = command("text")
    assert "Gia đình học tập (tạm thời)" in text
    assert "33,33 %" in text
    assert "Gia đình học tập (tạm thời): 3 đăng ký, 1 được công nhận (33,33 %)." in text
    assert 'Gia đình học tập (tạm thời),3,1,"33,33 %"' in command("csv")
    xlsx = tmp_path / "r.xlsx"
    command("xlsx", "-o", str(xlsx))
    with zipfile.ZipFile(xlsx) as book:
        assert "Gia đình học tập (tạm thời)" in book.read("xl/sharedStrings.xml").decode()
    pdf = tmp_path / "r.pdf"
    command("pdf", "-o", str(pdf))
    printed = "".join(p.extract_text() for p in PdfReader(str(pdf)).pages)
    assert "Gia đình học tập" in printed
    assert "tạm thời" in printed


def test_the_report_counts_the_centres_activity_of_the_period(commune_officer: User) -> None:
    from hoctap.learning.models import Attendance, Course, Session

    period = Period.objects.get(code="2021-2022")
    commune = Unit.objects.get(code="03289", kind="commune")
    report = summary_report(
        scope=scope_for(commune_officer), period_code=period.code, unit_code="03289"
    )
    courses = Course.objects.filter(
        centre__unit__path__startswith=commune.path,
        starts_on__lte=period.ends_on,
        ends_on__gte=period.starts_on,
    )
    sessions = Session.objects.filter(
        course__in=courses, date__gte=period.starts_on, date__lte=period.ends_on
    )
    attended = list(
        Attendance.objects.filter(session__in=sessions).values_list("citizen", flat=True)
    )
    assert courses.exists(), "the demo should have courses"
    assert attended, "the demo should have attendance"
    assert report.centres.centres == 1
    assert report.centres.courses == courses.count()
    assert report.centres.sessions == sessions.count()
    assert report.centres.participants == len(set(attended))
    assert report.centres.attendances == len(attended)
    # The pilot year had no centre activity: its report shows zeros, not last year's courses.
    pilot = summary_report(
        scope=scope_for(commune_officer), period_code="2020-2021", unit_code="03289"
    )
    assert pilot.centres.courses == 0


def test_the_report_page_shows_titles_and_centres(commune_officer: User) -> None:
    _entries(commune_officer)
    client = client_for(commune_officer)
    response = client.get("/reports/summary", {"period": "2020-2021", "unit": "03289"})
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="titles"' in body
    assert 'id="centres"' in body
    assert "33,33" in body


def test_the_demo_recognises_the_pilots_families(district_officer: User) -> None:
    from hoctap.demo.pilot import COMMUNE_OFFICERS
    from hoctap.recognition.demo import build_titles

    period = _demo()[0]
    communes = {
        c: unit_resolve_between(code=c, starts_on=period.starts_on, ends_on=period.ends_on)
        for c in COMMUNE_OFFICERS
    }
    officers = {c: User.objects.get(username=n) for c, n in COMMUNE_OFFICERS.items()}
    build_titles(communes, officers)
    entries = TitleEntry.objects.filter(period=period)
    candidates = sum(
        len(family_candidates(user=officers[c], period=period, unit=u).items)
        for c, u in communes.items()
    )
    assert entries.count() == candidates
    recognised = entries.filter(passed=True).count()
    assert 0 < recognised < candidates  # most pass, a few fall short on their own criteria
    report = summary_report(
        scope=scope_for(district_officer), period_code="2020-2021", unit_code="099"
    )
    family = next(t for t in report.titles if t.code == "household")
    assert (family.registered, family.recognised) == (candidates, recognised)
    build_titles(communes, officers)  # loading again adds nothing
    assert TitleEntry.objects.filter(period=period).count() == candidates


def test_a_scheme_used_by_a_title_decision_is_never_rewritten(commune_officer: User) -> None:
    from hoctap.schemes.loader import scheme_store

    entry = _decide(commune_officer, _register(commune_officer, _candidate(commune_officer)))
    changed = {**entry.scheme.definition, "title": "Gia đình học tập (sửa)"}
    result = scheme_store(definition=changed)
    assert result.outcome == "new_version"
    entry.refresh_from_db()
    assert entry.scheme.title == "Gia đình học tập"
    assert result.scheme.version == entry.scheme.version + 1


def test_the_decision_page_is_logged_and_shows_the_counts_it_was_decided_on(
    commune_officer: User, district_officer: User
) -> None:
    from hoctap.audit.models import AccessLogEntry

    entry = _decide(commune_officer, _register(commune_officer, _candidate(commune_officer)))
    before = AccessLogEntry.objects.filter(object_type="title_entry").count()
    page = client_for(district_officer).get(f"/recognition/titles/{entry.pk}/decide")
    assert page.status_code == 200
    logged = AccessLogEntry.objects.filter(object_type="title_entry")
    assert logged.count() == before + 1
    assert logged.latest("seq").user == district_officer
    body = page.content.decode()
    assert 'id="decision"' in body
    assert f"{entry.members_holding} of {entry.members_total}" in body or (
        f"{entry.members_holding}/{entry.members_total}" in body
    )


def test_a_malformed_household_id_is_not_found_not_an_error(commune_officer: User) -> None:
    client = client_for(commune_officer)
    for value in ("²", "abc", "9" * 30, ""):
        answer = client.post(
            "/recognition/titles/register",
            {"period": "2020-2021", "unit": "03289", "household": value},
        )
        assert answer.status_code == 404, value


def test_titles_follow_their_units_into_the_restated_tree(province_officer: User) -> None:
    from hoctap.organisation.models import SuccessionKind, UnitKind
    from hoctap.organisation.services import unit_create, unit_succession_record

    # The branches ended with the 2025 reform; here they are carried on by one new commune.
    _entries(User.objects.get(username="quaicang"))
    today = timezone.localdate()
    province = Unit.objects.valid_on(today).filter(kind=UnitKind.PROVINCE).first()
    assert province is not None
    reform = date(2025, 7, 1)
    successor = unit_create(
        kind=UnitKind.COMMUNE, code="T-MOI", name="Xã Mới", parent=province, valid_from=reform
    )
    scope = scope_for(province_officer)

    def family(tree: str) -> tuple[int, int]:
        report = summary_report(
            scope=scope, period_code="2020-2021", unit_code=province.code, tree=tree
        )
        row = next(t for t in report.titles if t.code == "household")
        return row.registered, row.recognised

    assert family("restated") == (0, 0)  # no successor recorded: nowhere to count them today
    for branch in Unit.objects.filter(pk__in=TitleEntry.objects.values("unit")):
        unit_succession_record(
            predecessor=branch,
            successor=successor,
            kind=SuccessionKind.MERGE,
            effective_date=reform,
        )
    assert family("restated") == family("historical") == (3, 1)
