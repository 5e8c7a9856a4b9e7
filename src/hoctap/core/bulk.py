"""Inserting many rows at once without building a model instance per row.

Bulk writers (the importer) hand plain tuples to one `executemany` per batch; only the
values whose database form differs from Python's (UUIDs, datetimes, JSON, decimals) are
converted, by the model field itself, so the stored form is exactly what the ORM writes.
"""

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models

BATCH = 5000
_CONVERTED = (models.UUIDField, models.DateTimeField, models.JSONField, models.DecimalField)


def _converter(field: Any, conn: Any) -> Callable[[Any], Any] | None:
    """Return how to turn a Python value into the column's value, or None to pass it as is."""
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    if not isinstance(target, _CONVERTED):
        return None
    if isinstance(target, models.UUIDField) and not conn.features.has_native_uuid_field:
        return lambda v: None if v is None else (v if isinstance(v, str) else v.hex)
    if isinstance(target, models.JSONField):
        encoder = target.encoder
        return lambda v: None if v is None else conn.ops.adapt_json_value(v, encoder)
    prepare: Callable[[Any], Any] = functools.partial(field.get_db_prep_save, connection=conn)
    if isinstance(target, models.DateTimeField):
        # A bulk write stamps every row with the same moment: convert it once.
        prepare = functools.lru_cache(maxsize=16)(prepare)
    return lambda v: None if v is None else prepare(v)


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert rows given as tuples in the order of `columns` (attnames); return how many."""
    # get_field also answers to attnames ("citizen_id"), the form columns are given in.
    conn = connections[DEFAULT_DB_ALIAS]
    fields: list[Any] = [model._meta.get_field(name) for name in columns]
    converters = [_converter(f, conn) for f in fields]
    names = ", ".join(conn.ops.quote_name(str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(columns))
    table = conn.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - names from the model
    count = 0
    batch: list[tuple[Any, ...]] = []
    with conn.cursor() as cursor:
        for row in rows:
            batch.append(tuple(c(v) if c else v for c, v in zip(converters, row, strict=True)))
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count
