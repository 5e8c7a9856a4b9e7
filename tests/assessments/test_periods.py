"""Opening periods from the command line, and closing a commune's part of a period."""

from collections.abc import Iterator
from datetime import date
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation
from django.utils.translation import gettext

from hoctap.accounts.models import User
from hoctap.assessments.models import Assessment, Period, PeriodClosure, PeriodScheme, State
from hoctap.assessments.periods import period_close
from hoctap.assessments.services import assessment_register
from hoctap.core.errors import Conflict, Forbidden, NotFound
from hoctap.organisation.models import Unit
from hoctap.people.models import Citizen

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Assert on the English wording unless a test asks for Vietnamese (the default language)."""
    with translation.override("en"):
        yield


# Written out from spec §3.3: a commune may close once nothing waits for review.
NOT_YET_REVIEWED = [State.REGISTERED, State.SELF_ASSESSED, State.SUBMITTED, State.RETURNED]


def _open(*args: str) -> str:
    out = StringIO()
    call_command("open-period", *args, stdout=out)
    return out.getvalue().strip()


# open-period


def test_opening_2026_on_cdht_2022_covers_the_calendar_year() -> None:
    output = _open("2026", "--scheme", "cdht-2022")
    assert output == "Opened period 2026 (01/01/2026–31/12/2026) on cdht-2022 v1."
    period = Period.objects.get(code="2026")
    assert (period.starts_on, period.ends_on) == (date(2026, 1, 1), date(2026, 12, 31))
    assert [link.scheme.code for link in period.schemes.all()] == ["cdht-2022"]


def test_a_period_named_by_two_years_is_a_school_year() -> None:
    output = _open("2024-2025", "--scheme", "cdht-2022")
    assert "(01/09/2024–31/08/2025)" in output
    period = Period.objects.get(code="2024-2025")
    assert (period.starts_on, period.ends_on) == (date(2024, 9, 1), date(2025, 8, 31))


def test_opening_the_same_period_again_changes_nothing() -> None:
    _open("2026", "--scheme", "cdht-2022")
    output = _open("2026", "--scheme", "cdht-2022")
    assert output == "Period 2026 (01/01/2026–31/12/2026) already uses cdht-2022 v1."
    assert Period.objects.filter(code="2026").count() == 1
    assert PeriodScheme.objects.filter(period__code="2026").count() == 1


@pytest.mark.usefixtures("vietnamese")
def test_a_second_scheme_for_the_same_period_and_subject_is_refused_in_vietnamese() -> None:
    _open("2026", "--scheme", "cdht-2022")
    with pytest.raises(CommandError) as caught:
        _open("2026", "--scheme", "cdht-2020")
    # The catalogue's wording when it has one; Django falls back to the English msgid.
    expected = gettext("Period %(p)s already uses scheme %(s)s for this subject.")
    assert str(caught.value) == expected % {"p": "2026", "s": "cdht-2022"}
    assert [link.scheme.code for link in Period.objects.get(code="2026").schemes.all()] == [
        "cdht-2022"
    ]


def test_a_second_scheme_is_refused_naming_the_scheme_in_use() -> None:
    _open("2026", "--scheme", "cdht-2022")
    with pytest.raises(CommandError) as caught:
        _open("2026", "--scheme", "cdht-2020")
    assert str(caught.value) == "Period 2026 already uses scheme cdht-2022 for this subject."


def test_an_unknown_scheme_is_refused_with_the_known_codes() -> None:
    with pytest.raises(CommandError) as caught:
        _open("2026", "--scheme", "cdht-1999")
    assert str(caught.value) == (
        "No scheme has code cdht-1999. Known schemes: cdht-2020, cdht-2022, cong-dong-hoc-tap, "
        "don-vi-hoc-tap, don-vi-hoc-tap-2023, dong-ho-hoc-tap, gia-dinh-hoc-tap"
    )
    assert not Period.objects.filter(code="2026").exists()


def test_a_code_without_dates_that_tells_no_year_is_refused() -> None:
    with pytest.raises(CommandError, match="Cannot infer dates from abc: give --starts and --ends"):
        _open("abc", "--scheme", "cdht-2022")
    assert not Period.objects.filter(code="abc").exists()


def test_a_school_year_of_years_that_do_not_follow_each_other_is_refused() -> None:
    with pytest.raises(CommandError, match="two consecutive years"):
        _open("2024-2026", "--scheme", "cdht-2022")
    assert not Period.objects.filter(code="2024-2026").exists()


def test_any_code_may_be_opened_with_explicit_dates() -> None:
    output = _open(
        "dot-1", "--scheme", "cdht-2022", "--starts", "01/03/2026", "--ends", "30/06/2026"
    )
    assert output == "Opened period dot-1 (01/03/2026–30/06/2026) on cdht-2022 v1."


def test_the_demo_opened_exactly_its_two_school_years_on_the_pilot_scheme() -> None:
    links = PeriodScheme.objects.order_by("period__starts_on")
    assert [(p.period.code, p.scheme.code, p.subject_type) for p in links] == [
        ("2020-2021", "cdht-2020", "citizen"),
        ("2021-2022", "cdht-2020", "citizen"),
    ]
    assert list(Period.objects.values_list("code", flat=True)) == ["2020-2021", "2021-2022"]


# period_close


def _quai_cang() -> Unit:
    return Unit.objects.get(code="03289")


def _next_year() -> Period:
    return Period.objects.get(code="2021-2022")


def _review_all(period: Period, commune: Unit) -> None:
    """Bring every assessment of the commune to reviewed or decided, as the branches would."""
    Assessment.objects.filter(
        period=period, unit__path__startswith=commune.path, state__in=NOT_YET_REVIEWED
    ).update(state=State.BRANCH_REVIEWED)


def test_the_demo_commune_cannot_close_while_assessments_wait(commune_officer: User) -> None:
    commune, period = _quai_cang(), _next_year()
    waiting = Assessment.objects.filter(
        period=period, unit__path__startswith=commune.path, state__in=NOT_YET_REVIEWED
    ).count()
    assert waiting > 0
    with pytest.raises(Conflict) as caught:
        period_close(user=commune_officer, period=period, unit=commune)
    assert caught.value.status == 409
    assert caught.value.message.startswith(f"{waiting} assessments are not yet reviewed")
    assert not PeriodClosure.objects.exists()


@pytest.mark.parametrize("state", NOT_YET_REVIEWED)
def test_one_assessment_not_yet_reviewed_keeps_the_period_open(
    commune_officer: User, state: State
) -> None:
    commune, period = _quai_cang(), _next_year()
    _review_all(period, commune)
    straggler = Assessment.objects.filter(period=period, unit__path__startswith=commune.path)[0]
    Assessment.objects.filter(pk=straggler.pk).update(state=state)
    with pytest.raises(Conflict, match=r"^1 assessment is not yet reviewed"):
        period_close(user=commune_officer, period=period, unit=commune)
    assert not PeriodClosure.objects.filter(period=period, unit=commune).exists()


def test_a_commune_closes_once_everything_is_reviewed_or_decided(commune_officer: User) -> None:
    commune, period = _quai_cang(), _next_year()
    _review_all(period, commune)
    states = set(
        Assessment.objects.filter(period=period, unit__path__startswith=commune.path).values_list(
            "state", flat=True
        )
    )
    assert states == {State.BRANCH_REVIEWED, State.DECIDED}
    # Quài Nưa still has work in progress: it does not hold Quài Cang back.
    assert (
        Assessment.objects.filter(period=period, unit__parent__code="03274")
        .exclude(state__in=[State.BRANCH_REVIEWED, State.DECIDED])
        .exists()
    )

    closure = period_close(user=commune_officer, period=period, unit=commune)

    assert (closure.period, closure.unit, closure.closed_by) == (period, commune, commune_officer)
    assert period_close(user=commune_officer, period=period, unit=commune) == closure


def test_the_officer_of_another_commune_cannot_find_quai_cang_to_close(outsider: User) -> None:
    commune, period = _quai_cang(), _next_year()
    _review_all(period, commune)
    with pytest.raises(NotFound) as caught:
        period_close(user=outsider, period=period, unit=commune)
    assert caught.value.status == 404
    assert not PeriodClosure.objects.exists()


def test_a_branch_officer_may_not_close_the_period(branch_officer: User) -> None:
    commune, period = _quai_cang(), _next_year()
    _review_all(period, commune)
    branch = Unit.objects.get(code="03289-CH1")
    with pytest.raises(Forbidden) as caught:
        period_close(user=branch_officer, period=period, unit=branch)
    assert caught.value.status == 403
    # The commune itself lies above the branch officer's subtree.
    with pytest.raises(NotFound):
        period_close(user=branch_officer, period=period, unit=commune)
    assert not PeriodClosure.objects.exists()


def _not_enrolled(period: Period, commune_code: str) -> Citizen:
    citizen = (
        Citizen.objects.filter(home_unit__parent__code=commune_code, workplace=None)
        .exclude(assessments__period=period)
        .order_by("pk")
        .first()
    )
    assert citizen is not None
    return citizen


def test_nobody_can_enrol_anyone_in_a_closed_commune(
    commune_officer: User, district_officer: User, outsider: User
) -> None:
    commune, period = _quai_cang(), _next_year()
    _review_all(period, commune)
    period_close(user=commune_officer, period=period, unit=commune)
    late = _not_enrolled(period, "03289")
    for officer in (commune_officer, district_officer):
        with pytest.raises(Conflict, match="This commune has closed period 2021-2022"):
            assessment_register(
                user=officer, period=period, unit=late.home_unit, group="G1", citizen=late
            )
    assert not Assessment.objects.filter(period=period, citizen=late).exists()
    # Quài Nưa has not closed: its officer still enrols.
    theirs = _not_enrolled(period, "03274")
    enrolled = assessment_register(
        user=outsider, period=period, unit=theirs.home_unit, group="G1", citizen=theirs
    )
    assert enrolled.state == State.REGISTERED


def test_only_a_commune_closes_its_period(district_officer: User) -> None:
    district = Unit.objects.get(code="099")
    with pytest.raises(ValidationError):
        period_close(user=district_officer, period=_next_year(), unit=district)
    assert not PeriodClosure.objects.exists()
