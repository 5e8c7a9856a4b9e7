"""POST /api/v1/sessions/{id}/attendance: the field app sends who attended a session."""

from datetime import date

import pytest

from hoctap.accounts.models import Role, RoleAssignment, User
from hoctap.learning.models import Attendance, Session
from hoctap.people.models import Citizen
from tests.apiclient import ApiClient
from tests.learning.helpers import QUAI_CANG, QUAI_NUA, centre_of, resident_of, session_of

pytestmark = pytest.mark.django_db

NOT_HERE = "Có người được chọn không cư trú tại xã này."


def _url(session: Session) -> str:
    return f"/sessions/{session.pk}/attendance"


def _absent(session: Session, count: int) -> list[int]:
    """Return people of the session's commune not yet recorded at it."""
    people = Citizen.objects.filter(home_unit__path__startswith=session.course.centre.unit.path)
    ids = people.exclude(attendances__session=session).order_by("pk").values_list("pk", flat=True)
    found = list(ids[:count])
    assert len(found) == count
    return found


def _rows(session: Session) -> list[tuple[int, int | None]]:
    return sorted(session.attendances.values_list("citizen_id", "recorded_by_id"))


@pytest.fixture
def session() -> Session:
    return session_of(QUAI_CANG)


@pytest.fixture
def api_reader(db: None) -> ApiClient:
    """A user whose role covers the whole of Quài Cang but does not run its centre."""
    user = User.objects.create_user(username="reader.quaicang", password="x-unused-x")
    RoleAssignment.objects.create(
        user=user,
        role=Role.BRANCH_OFFICER,
        unit=centre_of(QUAI_CANG).unit,
        valid_from=date(2020, 1, 1),
    )
    return ApiClient(user)


def test_the_commune_officer_records_who_attended(
    api_commune: ApiClient, commune_officer: User, session: Session
) -> None:
    before = session.attendances.count()
    people = _absent(session, 2)
    response = api_commune.post(_url(session), {"citizens": people})
    assert response.status_code == 200, response.content
    assert response.json() == {"session": session.pk, "added": 2, "present": before + 2}
    recorded = session.attendances.filter(citizen_id__in=people)
    assert sorted(recorded.values_list("citizen_id", flat=True)) == people
    assert {row.recorded_by for row in recorded} == {commune_officer}


def test_sending_the_same_sheet_again_adds_nobody(api_commune: ApiClient, session: Session) -> None:
    people = _absent(session, 2)
    first = api_commune.post(_url(session), {"citizens": people})
    rows = _rows(session)
    again = api_commune.post(_url(session), {"citizens": people})
    assert again.status_code == 200, again.content
    assert again.json() == {**first.json(), "added": 0}
    assert _rows(session) == rows
    assert Attendance.objects.filter(session=session, citizen_id__in=people).count() == 2


def test_only_the_people_not_yet_recorded_count_as_added(
    api_commune: ApiClient, session: Session
) -> None:
    there = session.attendances.values_list("citizen_id", flat=True).first()
    assert there is not None
    new = _absent(session, 1)
    response = api_commune.post(_url(session), {"citizens": [there, *new, *new]})
    assert response.status_code == 200, response.content
    assert response.json()["added"] == 1
    assert response.json()["present"] == session.attendances.count()


def test_a_person_of_another_commune_refuses_the_whole_sheet(
    api_commune: ApiClient, session: Session
) -> None:
    rows = _rows(session)
    sheet = [*_absent(session, 1), resident_of(QUAI_NUA).pk]
    response = api_commune.post(_url(session), {"citizens": sheet})
    assert response.status_code == 400
    assert response.json()["detail"] == NOT_HERE
    assert _rows(session) == rows


def test_an_unknown_person_refuses_the_whole_sheet(
    api_commune: ApiClient, session: Session
) -> None:
    rows = _rows(session)
    missing = (Citizen.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    response = api_commune.post(_url(session), {"citizens": [*_absent(session, 1), missing]})
    assert response.status_code == 400
    assert response.json()["detail"] == NOT_HERE
    assert _rows(session) == rows


def test_an_empty_sheet_is_refused_with_a_message(api_commune: ApiClient, session: Session) -> None:
    response = api_commune.post(_url(session), {"citizens": []})
    assert response.status_code == 400
    assert response.json()["detail"] == "Hãy gửi ít nhất một người có mặt."


@pytest.mark.parametrize(
    "body",
    [{}, {"citizens": "1,2"}, {"citizens": [0]}, {"citizens": [2**70]}, {"citizens": [1] * 1001}],
    ids=["missing", "not a list", "zero", "too large an id", "too many"],
)
def test_a_sheet_that_does_not_match_the_schema_is_refused(
    api_commune: ApiClient, session: Session, body: dict[str, object]
) -> None:
    rows = _rows(session)
    response = api_commune.post(_url(session), body)
    assert response.status_code == 422
    assert _rows(session) == rows


def test_an_outsider_cannot_learn_the_session_exists(
    api_outsider: ApiClient, api_commune: ApiClient, session: Session
) -> None:
    rows = _rows(session)
    response = api_outsider.post(_url(session), {"citizens": _absent(session, 1)})
    assert response.status_code == 404
    assert _rows(session) == rows
    unknown = (Session.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    missing = api_commune.post(f"/sessions/{unknown}/attendance", {"citizens": [1]})
    assert missing.status_code == 404
    assert missing.json() == response.json()


def test_a_role_that_does_not_run_the_centre_is_refused(
    api_reader: ApiClient, session: Session
) -> None:
    rows = _rows(session)
    response = api_reader.post(_url(session), {"citizens": _absent(session, 1)})
    assert response.status_code == 403
    assert _rows(session) == rows


def test_a_branch_officer_does_not_see_the_communes_sessions(
    api_branch: ApiClient, session: Session
) -> None:
    # The branch officer's scope is one branch below the commune; the centre belongs to the
    # commune itself, which lies outside that subtree, so the session is not found at all.
    rows = _rows(session)
    response = api_branch.post(_url(session), {"citizens": _absent(session, 1)})
    assert response.status_code == 404
    assert _rows(session) == rows


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_only_post_is_allowed(api_commune: ApiClient, session: Session, method: str) -> None:
    response = api_commune.call(method, _url(session), {"citizens": _absent(session, 1)})
    assert response.status_code == 405


def test_a_caller_without_a_token_is_refused(session: Session) -> None:
    rows = _rows(session)
    response = ApiClient(None).post(_url(session), {"citizens": _absent(session, 1)})
    assert response.status_code == 401
    assert _rows(session) == rows
