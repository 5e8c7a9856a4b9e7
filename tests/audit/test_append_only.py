"""The database itself refuses to change an audit row; removing the guard is reported."""

import io
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, models, transaction
from django.utils import translation

from hoctap.accounts.models import User
from hoctap.assessments.models import AssessmentEvent
from hoctap.audit.models import AccessAction, AccessLogEntry
from hoctap.audit.services import access_log_record
from hoctap.audit.verify import GUARDS, guards_missing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _some_row(model: type[models.Model], user: User) -> int:
    if model is AccessLogEntry:
        access_log_record(user=user, action=AccessAction.VIEW, object_type="citizen", object_id=1)
    pk: int = model._default_manager.order_by("-pk").values_list("pk", flat=True)[0]
    return pk


@pytest.mark.parametrize("model", [AssessmentEvent, AccessLogEntry])
def test_an_update_in_plain_sql_is_refused_by_the_database(
    model: type[models.Model], commune_officer: User
) -> None:
    pk = _some_row(model, commune_officer)
    table = connection.ops.quote_name(model._meta.db_table)
    before = model._default_manager.filter(pk=pk).values().get()
    sql = f"UPDATE {table} SET action = 'decide' WHERE id = %s"  # noqa: S608
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [pk])
    assert model._default_manager.filter(pk=pk).values().get() == before


@pytest.mark.parametrize("model", [AssessmentEvent, AccessLogEntry])
def test_an_update_through_the_orm_is_refused_too(
    model: type[models.Model], commune_officer: User
) -> None:
    pk = _some_row(model, commune_officer)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        model._default_manager.filter(pk=pk).update(action="export")


def test_both_guards_are_in_place_after_migrating() -> None:
    assert guards_missing() == []


def test_a_dropped_guard_fails_verification() -> None:
    trigger = GUARDS["audit_accesslogentry"]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER {trigger} ON audit_accesslogentry")
        else:
            cursor.execute(f"DROP TRIGGER {trigger}")
    with pytest.raises(CommandError, match="audit_accesslogentry: its trigger is missing"):
        call_command("verify-audit", stdout=io.StringIO())
