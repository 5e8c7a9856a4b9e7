"""Officers issuing certificates at the same moment: serials stay unique and without gaps."""

import threading
from collections.abc import Callable
from datetime import date
from uuid import UUID

import pytest
from django.db import connections

from hoctap.accounts.models import Role, RoleAssignment, User
from hoctap.assessments.models import Assessment, State
from hoctap.assessments.periods import period_open
from hoctap.organisation.models import Unit, UnitKind
from hoctap.organisation.services import unit_create
from hoctap.people.models import Sex
from hoctap.people.services import citizen_create
from hoctap.recognition.models import Certificate
from hoctap.recognition.services import certificate_issue

# Threads need committed data and their own connections (see tests/assessments).
pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 6


def _commune() -> tuple[User, Unit, list[Assessment]]:
    """Create a commune with decided, passed assessments and its officer, from nothing."""
    start = date(2020, 1, 1)
    province = unit_create(
        kind=UnitKind.PROVINCE, code="C1", name="Tỉnh Thử", parent=None, valid_from=start
    )
    commune = unit_create(
        kind=UnitKind.COMMUNE, code="C2", name="Xã Thử", parent=province, valid_from=start
    )
    officer = User.objects.create_user(username="cert.officer", password="x-unused-x")
    RoleAssignment.objects.create(
        user=officer, role=Role.COMMUNE_OFFICER, unit=commune, valid_from=start
    )
    period, scheme, _created = period_open(code="2032", scheme_code="cdht-2022")
    rows = []
    for n in range(WRITERS):
        citizen = citizen_create(
            full_name=f"Lò Văn Thử {n}", birth_year=1980, sex=Sex.MALE, home_unit=commune
        )
        rows.append(
            Assessment.objects.create(
                period=period,
                scheme=scheme,
                subject_type="citizen",
                citizen=citizen,
                unit=commune,
                group="G1",
                state=State.DECIDED,
                passed=True,
                result="passed",
                decision_number="1/QĐ-HKH",
                decision_date=date(2032, 5, 1),
                decision_body="Hội Khuyến học xã Thử",
            )
        )
    return officer, commune, rows


def _race(writers: list[Callable[[], object]]) -> list[BaseException | None]:
    barrier = threading.Barrier(len(writers))
    outcomes: list[BaseException | None] = [None] * len(writers)

    def run(index: int, write: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            write()
        except BaseException as error:
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a writer hung"
    return outcomes


def _issuer(officer: User, pk: UUID) -> Callable[[], object]:
    def write() -> object:
        return certificate_issue(user=officer, assessment_id=pk)

    return write


def test_certificates_issued_at_once_get_consecutive_unique_serials() -> None:
    officer, _commune_unit, rows = _commune()
    outcomes = _race([_issuer(officer, a.pk) for a in rows])
    assert outcomes == [None] * WRITERS
    numbers = sorted(Certificate.objects.values_list("number", flat=True))
    assert numbers == list(range(1, WRITERS + 1))
    assert Certificate.objects.values("serial").distinct().count() == WRITERS


def test_the_same_certificate_issued_twice_at_once_is_issued_once() -> None:
    officer, _commune_unit, rows = _commune()
    pk = rows[0].pk
    outcomes = _race([_issuer(officer, pk)] * 4)
    assert outcomes == [None] * 4
    assert Certificate.objects.count() == 1
    assert Certificate.objects.get().serial == "C2/2032/0001"
