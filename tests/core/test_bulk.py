"""`insert_rows`: the rows read back as the ORM would have written them, on both databases."""

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import IntegrityError, connection, models, transaction
from django.db.models.functions import Upper
from django.test.utils import CaptureQueriesContext, register_lookup
from django.utils import timezone

from hoctap.accounts.models import User
from hoctap.assessments.models import Assessment
from hoctap.core.bulk import ids_reserve, insert_rows, uuids_sorted
from hoctap.organisation.models import Unit
from hoctap.people.models import Citizen, Household
from hoctap.transfer.models import ExportJob, ExportStatus

pytestmark = pytest.mark.django_db

COLUMNS = (
    "id",
    "user_id",
    "kind",
    "fmt",
    "parameters",
    "filename",
    "status",
    "rows_total",
    "rows_written",
    "file",
    "created_at",
)


def _row(user: User, name: str, parameters: Any, **changes: Any) -> tuple[Any, ...]:
    values = {
        "id": uuid.uuid4(),
        "user_id": user.pk,
        "kind": "citizen",
        "fmt": "csv",
        "parameters": parameters,
        "filename": name,
        "status": "done",
        "rows_total": 3,
        "rows_written": 3,
        "file": "",
        "created_at": timezone.now() - timedelta(days=1),
        **changes,
    }
    return tuple(values[c] for c in COLUMNS)


def test_rows_read_back_with_their_own_json_uuid_and_moment(commune_officer: User) -> None:
    shared = {"q": "Lò Văn Pọng", "n": [1, 2]}
    moment = timezone.now() - timedelta(hours=3)
    rows = [
        _row(commune_officer, "a.csv", shared, created_at=moment),
        _row(commune_officer, "b.csv", {"q": "Quàng Thị Xuân"}),
        _row(commune_officer, "c.csv", shared),
        _row(commune_officer, "d.csv", {}),
    ]

    assert insert_rows(ExportJob, COLUMNS, rows) == 4

    stored = list(ExportJob.objects.order_by("filename"))
    assert [j.parameters for j in stored] == [shared, {"q": "Quàng Thị Xuân"}, shared, {}]
    assert [j.pk for j in stored] == [r[0] for r in rows]
    assert stored[0].created_at == moment
    assert ExportJob.objects.filter(parameters__q="Lò Văn Pọng").count() == 2


# Every character COPY's text format treats specially, in a name and inside JSON.
AWKWARD = ["tab\there", "line\nbreak\r\nend", "back\\slash \\N", "\\N", "", "Đoàn “Thị” Ánh"]


def test_text_that_copy_would_misread_reads_back_as_written(commune_officer: User) -> None:
    rows = [
        _row(commune_officer, name, {"q": name, "n": [None, True, 1.5]}, rows_total=i)
        for i, name in enumerate(AWKWARD)
    ]
    rows.append(_row(commune_officer, "z", {}, rows_total=99, status=ExportStatus.RUNNING))

    insert_rows(ExportJob, COLUMNS, rows)

    stored = {j.rows_total: j for j in ExportJob.objects.all()}
    # The text "\\N" is text, not NULL (the column would refuse a NULL).
    assert [stored[i].filename for i in range(len(AWKWARD))] == AWKWARD
    assert [stored[i].parameters["q"] for i in range(len(AWKWARD))] == AWKWARD
    assert stored[0].parameters["n"] == [None, True, 1.5]
    # A choice (a str subclass) is stored as its value.
    assert stored[99].status == "running"


def test_a_row_that_breaks_a_constraint_raises_and_writes_nothing(commune_officer: User) -> None:
    twice = uuid.uuid4()
    rows = [
        _row(commune_officer, "a.csv", {}, id=twice),
        _row(commune_officer, "b.csv", {}, id=twice),
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(ExportJob, COLUMNS, rows)
    assert not ExportJob.objects.exists()
    # Each row alone is fine: it was the repeated key that was refused.
    assert insert_rows(ExportJob, COLUMNS, rows[:1]) == 1


def test_a_row_of_the_wrong_width_is_refused(commune_officer: User) -> None:
    with pytest.raises(ValueError, match="expected 11 values, got 10"):
        insert_rows(ExportJob, COLUMNS, [_row(commune_officer, "a.csv", {})[:-1]])


def _households(unit: Unit, codes: list[str], ids: list[int]) -> None:
    insert_rows(
        Household,
        ("id", "uuid", "unit_id", "code", "head_name", "address"),
        [(pk, uuid.uuid4(), unit.pk, code, "", "") for pk, code in zip(ids, codes, strict=True)],
    )


def test_reserved_keys_are_new_and_the_next_row_follows_them() -> None:
    unit = Unit.objects.get(code="03289-CH1")
    first = Household.objects.create(unit=unit, code="H-old")
    dropped = Household.objects.create(unit=unit, code="H-dropped").pk
    Household.objects.filter(pk=dropped).delete()

    ids = ids_reserve(Household, 3)
    _households(unit, ["H1", "H2", "H3"], ids)
    after = Household.objects.create(unit=unit, code="H-after")

    # Never a key in use, never one given before (the deleted row's), in order.
    assert ids == sorted(ids)
    assert min(ids) > dropped > first.pk
    assert len(set(ids)) == 3
    assert after.pk > max(ids)
    assert Household.objects.filter(pk__in=ids).count() == 3
    assert ids_reserve(Household, 0) == []


@pytest.mark.django_db(transaction=True)
def test_keys_are_only_reserved_inside_the_transaction_that_uses_them() -> None:
    with pytest.raises(RuntimeError, match="inside the transaction"):
        ids_reserve(Household, 2)
    with transaction.atomic():
        assert len(ids_reserve(Household, 2)) == 2


def _pks(queryset: Any) -> list[Any]:
    return sorted(queryset.values_list("pk", flat=True))


def test_any_of_finds_what_in_finds_for_text_keys_and_uuids() -> None:
    citizens = list(Citizen.objects.exclude(national_id=None).order_by("pk")[:40])
    numbers = [c.national_id for c in citizens[::2]] + ["000000000000", None]
    assert len(numbers) == 22
    found = _pks(Citizen.objects.filter(national_id__any_of=numbers))
    assert found == _pks(Citizen.objects.filter(national_id__in=numbers))
    assert found == sorted(c.pk for c in citizens[::2])

    ids = [a.pk for a in Assessment.objects.order_by("pk")[:30:3]] + [uuid.uuid4()]
    assert _pks(Assessment.objects.filter(pk__any_of=ids)) == sorted(ids[:-1])


def test_any_of_on_a_foreign_key_takes_keys_and_instances() -> None:
    units = list(Unit.objects.filter(residents__isnull=False).distinct().order_by("pk")[:2])
    by_key = _pks(Citizen.objects.filter(home_unit_id__any_of=[u.pk for u in units]))
    assert by_key
    assert by_key == _pks(Citizen.objects.filter(home_unit__in=units))
    assert by_key == _pks(Citizen.objects.filter(home_unit__any_of=units))


def test_any_of_nothing_matches_nothing() -> None:
    assert not Citizen.objects.filter(national_id__any_of=[]).exists()
    assert not Citizen.objects.filter(national_id__any_of=[None]).exists()


def test_any_of_is_one_parameter_on_postgresql_and_an_in_list_elsewhere() -> None:
    numbers = [f"{n:012d}" for n in range(5000)]
    with CaptureQueriesContext(connection) as queries:
        list(Citizen.objects.filter(national_id__any_of=numbers).values_list("pk"))
    (sql,) = [q["sql"] for q in queries.captured_queries]
    if connection.vendor == "postgresql":
        assert '"national_id" = ANY(' in sql
        assert "IN (" not in sql
    else:
        assert '"national_id" IN (' in sql


def test_any_of_after_a_transform_of_each_value_finds_what_in_finds() -> None:
    """A bilateral transform applies to each value too: the array form cannot carry it."""
    citizen = Citizen.objects.order_by("pk").first()
    assert citizen is not None
    # As written: only the transform on each value makes it equal UPPER(full_name).
    shouted = [citizen.full_name, "Không Ai"]
    with register_lookup(models.CharField, _Upper):
        found = _pks(Citizen.objects.filter(full_name__shout__any_of=shouted))
        assert found == _pks(Citizen.objects.filter(full_name__shout__in=shouted))
    assert citizen.pk in found


class _Upper(Upper):
    lookup_name = "shout"
    bilateral = True


def test_sorted_uuids_are_new_random_version_4_and_in_the_order_the_database_sorts() -> None:
    ids = uuids_sorted(2000)
    assert len(set(ids)) == 2000
    assert all(u.version == 4 and u.variant == uuid.RFC_4122 for u in ids)
    assert ids == sorted(ids)
    # Not a run from one starting point: spread over the whole range, as uuid4()s are.
    assert ids[0].int < (1 << 124)
    assert ids[-1].int > (15 << 124)
    assert uuids_sorted(0) == []
    # The order an index keeps them in, text or uuid: the same as Python's.
    unit = Unit.objects.get(code="03289-CH1")
    Citizen.objects.bulk_create(
        Citizen(full_name=f"Người {i}", birth_year=1990, sex="male", home_unit=unit, uuid=u)
        for i, u in enumerate(reversed(ids[:50]))
    )
    assert (
        list(Citizen.objects.filter(uuid__in=ids).order_by("uuid").values_list("uuid", flat=True))
        == ids[:50]
    )
