"""Writers appending at the same moment queue on the chain's head: the chains stay lines."""

import threading
from collections.abc import Callable
from datetime import date

import pytest
from django.db import connections

from hoctap.accounts.models import Role, RoleAssignment, User
from hoctap.assessments.access import access_code_issue
from hoctap.assessments.models import Assessment
from hoctap.assessments.periods import period_open
from hoctap.assessments.services import assessment_register
from hoctap.audit.models import AccessAction, AccessLogEntry
from hoctap.audit.services import access_log_record
from hoctap.audit.verify import access_log_verify, events_verify
from hoctap.organisation.models import UnitKind
from hoctap.organisation.services import unit_create
from hoctap.people.models import Sex
from hoctap.people.services import citizen_create

# Threads need committed rows and their own connections; the database is flushed after.
pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 4
EACH = 8


def _race(write: Callable[[int], object]) -> list[BaseException]:
    """Run WRITERS threads released together, each writing EACH times; return what failed."""
    barrier = threading.Barrier(WRITERS)
    failures: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            for _n in range(EACH):
                write(index)
        except BaseException as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
        assert not thread.is_alive(), "a writer hung"
    return failures


def _officer() -> tuple[User, Assessment]:
    start = date(2020, 1, 1)
    province = unit_create(
        kind=UnitKind.PROVINCE, code="T1", name="Tỉnh Thử", parent=None, valid_from=start
    )
    commune = unit_create(
        kind=UnitKind.COMMUNE, code="T2", name="Xã Thử", parent=province, valid_from=start
    )
    officer = User.objects.create_user(username="chain.officer", password="x-unused-x")
    RoleAssignment.objects.create(
        user=officer, role=Role.COMMUNE_OFFICER, unit=commune, valid_from=start
    )
    period, _scheme, _created = period_open(code="2031", scheme_code="cdht-2022")
    citizen = citizen_create(
        full_name="Lò Văn Xích", birth_year=1980, sex=Sex.MALE, home_unit=commune
    )
    assessment = assessment_register(
        user=officer, period=period, unit=commune, group="G1", citizen=citizen
    )
    return officer, assessment


def test_simultaneous_access_log_writers_give_one_unbroken_line() -> None:
    officer, _assessment = _officer()

    failures = _race(
        lambda i: access_log_record(
            user=officer, action=AccessAction.VIEW, object_type="citizen", object_id=i
        )
    )

    assert failures == []
    seqs = sorted(AccessLogEntry.objects.values_list("seq", flat=True))
    assert seqs == list(range(1, WRITERS * EACH + 1))
    report = access_log_verify()
    assert report.problem is None
    assert report.records == WRITERS * EACH


def test_simultaneous_writers_on_one_assessment_never_fork_its_chain() -> None:
    officer, assessment = _officer()

    failures = _race(lambda _i: access_code_issue(user=officer, assessment_id=assessment.id))

    assert failures == []
    assessment.refresh_from_db()
    assert assessment.event_count == 1 + WRITERS * EACH
    report = events_verify()
    assert report.problem is None
    assert report.records == 1 + WRITERS * EACH
