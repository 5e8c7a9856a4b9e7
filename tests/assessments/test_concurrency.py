"""Two officers saving the same assessment at the same moment: one wins, the other is told."""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

import pytest
from django.db import connections
from django.utils import translation

from hoctap.accounts.models import Role, RoleAssignment, User
from hoctap.assessments.enrolment import consents_record_missing
from hoctap.assessments.models import Assessment, AssessmentEvent, State
from hoctap.assessments.periods import period_open
from hoctap.assessments.services import (
    assessment_register,
    assessment_scores_set,
    assessment_transition,
)
from hoctap.core.errors import Conflict
from hoctap.organisation.models import Unit, UnitKind
from hoctap.organisation.services import unit_create
from hoctap.people.models import ConsentMethod, Sex
from hoctap.people.services import citizen_create

# Threads need committed data and their own connections: a rolled-back test transaction
# would hide the rows from them, so these tests commit and the database is flushed after.
pytestmark = pytest.mark.django_db(transaction=True)

ROUNDS = 5
INDICATORS = [f"CS{n}" for n in range(1, 11)]


@pytest.fixture(autouse=True)
def _database_that_makes_writers_wait() -> None:
    """Refuse to run where a second writer is failed at once instead of made to wait."""
    connection = connections["default"]
    name = str(connection.settings_dict["NAME"])
    if connection.vendor == "sqlite" and (name == ":memory:" or "mode=memory" in name):
        pytest.fail(
            "Shared-cache in-memory SQLite answers a second writer 'database table is locked' "
            "instead of making it wait as a file database does: give the SQLite test database "
            "a file name (DATABASES['default']['TEST']['NAME'], e.g. from "
            "django_db_modify_db_settings in tests/conftest.py)."
        )


@dataclass(frozen=True)
class World:
    officer: User
    branch: Unit


def _world() -> World:
    """Create, from nothing, a commune with one branch and its commune officer."""
    start = date(2020, 1, 1)
    province = unit_create(
        kind=UnitKind.PROVINCE, code="T1", name="Tỉnh Thử", parent=None, valid_from=start
    )
    commune = unit_create(
        kind=UnitKind.COMMUNE, code="T2", name="Xã Thử", parent=province, valid_from=start
    )
    branch = unit_create(
        kind=UnitKind.BRANCH, code="T3", name="Chi hội Thử", parent=commune, valid_from=start
    )
    officer = User.objects.create_user(username="race.officer", password="x-unused-x")
    RoleAssignment.objects.create(
        user=officer, role=Role.COMMUNE_OFFICER, unit=commune, valid_from=start
    )
    return World(officer=officer, branch=branch)


def _enrol(world: World, name: str) -> Assessment:
    period, _scheme, _created = period_open(code="2031", scheme_code="cdht-2022")
    citizen = citizen_create(full_name=name, birth_year=1980, sex=Sex.MALE, home_unit=world.branch)
    consents_record_missing(
        citizen_ids=[citizen.pk], method=ConsentMethod.PAPER, recorded_by=world.officer
    )
    return assessment_register(
        user=world.officer, period=period, unit=world.branch, group="G1", citizen=citizen
    )


def _race(writers: list[Callable[[], object]]) -> list[BaseException | None]:
    """Run the writers in threads released together; return what each raised, if anything."""
    barrier = threading.Barrier(len(writers))
    outcomes: list[BaseException | None] = [None] * len(writers)

    def run(index: int, write: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            with translation.override("vi"):
                write()
        except BaseException as error:
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, write)) for i, write in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a writer hung: the database never let it finish"
    return outcomes


def _scores_writer(
    officer: User, assessment_id: UUID, scores: dict[str, object], version: int
) -> Callable[[], object]:
    def write() -> object:
        return assessment_scores_set(
            user=officer, assessment_id=assessment_id, layer="self", scores=scores, version=version
        )

    return write


def test_two_officers_saving_scores_at_once_never_lose_an_update() -> None:
    world = _world()
    assessment = _enrol(world, "Lò Văn Đua")
    for round_number in range(ROUNDS):
        before = Assessment.objects.get(pk=assessment.id)
        first = {code: str(round_number) for code in INDICATORS}
        second = {code: str(9 - round_number) for code in INDICATORS}
        outcomes = _race(
            [
                _scores_writer(world.officer, assessment.id, dict(first), before.version),
                _scores_writer(world.officer, assessment.id, dict(second), before.version),
            ]
        )

        conflicts = [o for o in outcomes if isinstance(o, Conflict)]
        assert len(conflicts) == 1, outcomes
        assert outcomes.count(None) == 1, outcomes
        assert conflicts[0].message.startswith("Người khác vừa sửa phiếu này")
        winner = first if outcomes[0] is None else second
        after = Assessment.objects.get(pk=assessment.id)
        assert after.self_scores == winner
        assert after.version == before.version + 1
    assert AssessmentEvent.objects.filter(assessment=assessment, action="scores_self").count() == (
        ROUNDS
    )


def test_two_officers_submitting_at_once_submit_only_once() -> None:
    world = _world()
    for round_number in range(ROUNDS):
        assessment = _enrol(world, f"Quàng Thị Nộp {round_number}")
        version = assessment_scores_set(
            user=world.officer,
            assessment_id=assessment.id,
            layer="self",
            scores=dict.fromkeys(INDICATORS, 8),
            version=assessment.version,
        ).version
        version = assessment_transition(
            user=world.officer, assessment_id=assessment.id, action="self_assess", version=version
        ).version

        def submit(version: int = version, assessment_id: UUID = assessment.id) -> object:
            return assessment_transition(
                user=world.officer, assessment_id=assessment_id, action="submit", version=version
            )

        outcomes = _race([submit, submit])

        assert sum(isinstance(o, Conflict) for o in outcomes) == 1, outcomes
        assert outcomes.count(None) == 1, outcomes
        after = Assessment.objects.get(pk=assessment.id)
        assert after.state == State.SUBMITTED
        assert after.version == version + 1
        assert AssessmentEvent.objects.filter(assessment=assessment, action="submit").count() == 1
