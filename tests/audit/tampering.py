"""Tampering with the audit tables the way someone with database access could."""

from typing import Any

from django.db import connection, models

from hoctap.core.bulk import insert_rows


def row_of(model: type[models.Model], pk: int) -> dict[str, Any]:
    """Return one stored row, every column by attname."""
    return dict(model._default_manager.filter(pk=pk).values().get())


def delete_raw(model: type[models.Model], pk: int) -> None:
    """Delete a row with plain SQL, past every service."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608


def insert_raw(model: type[models.Model], row: dict[str, Any]) -> None:
    """Insert a row with plain SQL, exactly as given."""
    insert_rows(model, list(row), [tuple(row.values())])


def replace_raw(model: type[models.Model], pk: int, **changes: Any) -> dict[str, Any]:
    """Delete a row and insert an altered copy under the same id; return the copy."""
    row = row_of(model, pk) | changes
    delete_raw(model, pk)
    insert_raw(model, row)
    return row
