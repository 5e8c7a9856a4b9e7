"""Inserting and looking up many rows at once without building a model instance per row.

Bulk writers (the importer) hand plain tuples to `insert_rows`. Only the values whose
database form differs from Python's (UUIDs, datetimes, JSON, decimals) are converted, by the
model field itself, so the stored form is exactly what the ORM writes. PostgreSQL receives
the rows through COPY, the fastest way in; SQLite through one `executemany` per batch.
"""

import functools
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from decimal import Decimal
from operator import attrgetter
from typing import Any
from uuid import UUID, uuid4

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.fields.related import ForeignObject
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In

BATCH = 5000
# Rows formatted before they are handed to the connection in one piece.
COPY_LINES = 1000
_CONVERTED = (models.UUIDField, models.DateTimeField, models.JSONField, models.DecimalField)

Converter = Callable[[Any], Any]
# UUIDs compare by their 128-bit number (in C, unlike UUID.__lt__).
_AS_INT = attrgetter("int")


class _AsArray:
    """`IN (…)` sent to PostgreSQL as one array parameter: `= ANY(%s)`.

    A list of thousands of values costs one placeholder each, and psycopg's client-side
    binding scans the statement for every one of them (about 30 ms for 5,000); an array is a
    single parameter however long it is. Other databases get the plain `IN` list.
    """

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lookup: Any = self
        if not lookup.rhs_is_direct_value():
            return lookup.as_sql(compiler, connection)  # type: ignore[no-any-return]
        values = [value for value in lookup.rhs if value is not None]
        if not values:
            raise EmptyResultSet
        lhs, lhs_params = lookup.process_lhs(compiler, connection)
        marks, params = lookup.batch_process_rhs(compiler, connection, values)
        if any(mark != "%s" for mark in marks):  # a transform of each value: keep IN (…)
            return lookup.as_sql(compiler, connection)  # type: ignore[no-any-return]
        return f"{lhs} = ANY(%s)", (*lhs_params, list(params))


class AnyOf(_AsArray, In[Any]):
    """`field__any_of=values`: `field__in`, as one array on PostgreSQL (registered on Field)."""

    lookup_name = "any_of"


class RelatedAnyOf(_AsArray, RelatedIn):
    """`fk__any_of=values`, for foreign keys, which take only lookups of their own kind."""

    lookup_name = "any_of"


def lookups_register() -> None:
    """Make `__any_of` available on every field (the core app calls this once)."""
    models.Field.register_lookup(AnyOf)
    ForeignObject.register_lookup(RelatedAnyOf)


class JsonText(str):
    """JSON its caller has already encoded: insert_rows stores the text as it is.

    For a value encoded anyway for another purpose (an event's changes, for its hash), so
    that it is not encoded a second time. It must be valid JSON; the database parses it.
    """

    __slots__ = ()


def _uuid_hex(value: Any) -> Any:
    return value if isinstance(value, str) else value.hex


def _converter(field: Any, conn: Any) -> Converter | None:
    """Return how to turn a Python value into the column's value, or None to pass it as is."""
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    if not isinstance(target, _CONVERTED):
        return None
    if isinstance(target, models.UUIDField):
        # SQLite stores the hex; PostgreSQL's COPY parses it as a uuid (no UUID object made).
        return _uuid_hex
    if isinstance(target, models.JSONField):
        # One encoder for every row: json.dumps(cls=…) would build one per value. The output
        # is json.dumps's, the ORM's own form on both databases.
        encode = (target.encoder or json.JSONEncoder)().encode
        return lambda v: v if isinstance(v, JsonText) else "{}" if v == {} else encode(v)
    prepare: Converter = functools.partial(field.get_db_prep_save, connection=conn)
    if isinstance(target, models.DateTimeField):
        if conn.vendor == "postgresql":
            # COPY takes the moment as text, in the form str() gives and the server parses.
            prepare = _as_text(prepare)
        # A bulk write stamps every row with the same moment: convert it once.
        prepare = functools.lru_cache(maxsize=16)(prepare)
    return prepare


def _as_text(convert: Converter) -> Converter:
    return lambda value: str(convert(value))


def _prepared(
    rows: Iterable[Sequence[Any]], width: int, converters: list[tuple[int, Converter]]
) -> Iterator[list[Any]]:
    """Convert the columns that need it, row by row.

    Within one row the same object (an import's scores, stored as the self, reviewer and
    final layers) is converted once: the row holds it, so its id cannot be reused meanwhile.
    """
    for row in rows:
        values = list(row)
        if len(values) != width:
            raise ValueError(f"expected {width} values, got {len(values)}")
        done: dict[int, Any] = {}
        for index, convert in converters:
            value = values[index]
            if value is None:
                continue
            key = id(value)
            if key not in done:
                done[key] = convert(value)
            values[index] = done[key]
        yield values


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert rows given as tuples in the order of `columns` (attnames); return how many."""
    # get_field also answers to attnames ("citizen_id"), the form columns are given in.
    conn = connections[DEFAULT_DB_ALIAS]
    fields: list[Any] = [model._meta.get_field(name) for name in columns]
    converters = [
        (index, convert)
        for index, field in enumerate(fields)
        if (convert := _converter(field, conn)) is not None
    ]
    names = ", ".join(conn.ops.quote_name(str(f.column)) for f in fields)
    table = conn.ops.quote_name(model._meta.db_table)
    prepared = _prepared(rows, len(fields), converters)
    if conn.vendor == "postgresql":
        return _copy(conn, f"COPY {table} ({names}) FROM STDIN", prepared)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - names from the model
    return _execute_many(conn, sql, prepared)


def _copy_field(value: Any) -> str:
    """Return a value in COPY's text format: NULL as \\N, backslashes and line breaks escaped.

    The converters have already turned UUIDs, moments and JSON into text; numbers and
    booleans are written as str() gives them, a form PostgreSQL's input functions read.
    """
    if value is None:
        return "\\N"
    if isinstance(value, str):
        text = value
    elif isinstance(value, int | float | Decimal | date | UUID):  # bool is an int
        text = str(value)
    else:
        raise TypeError(f"insert_rows cannot send a {type(value).__name__} through COPY")
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t")
        text = text.replace("\n", "\\n").replace("\r", "\\r")
    return text


def _copy(conn: Any, statement: str, rows: Iterator[list[Any]]) -> int:
    """Send the rows through COPY, formatted here: psycopg's write_row was most of the time."""
    count = 0
    lines: list[str] = []
    # Django's wrapper turns the driver's errors (a unique violation…) into its own.
    with conn.cursor() as cursor, conn.wrap_database_errors, cursor.copy(statement) as copy:
        for row in rows:
            lines.append("\t".join([_copy_field(value) for value in row]))
            count += 1
            if len(lines) == COPY_LINES:
                lines.append("")
                copy.write("\n".join(lines))
                lines = []
        if lines:
            lines.append("")
            copy.write("\n".join(lines))
    return count


def _execute_many(conn: Any, sql: str, rows: Iterator[list[Any]]) -> int:
    count = 0
    batch: list[list[Any]] = []
    with conn.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) == BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def ids_reserve(model: type[models.Model], count: int) -> list[int]:
    """Return `count` new primary keys for rows the caller is about to insert with them.

    PostgreSQL hands them out from the column's sequence, safe under concurrent writers.
    SQLite has no sequence to draw from: the keys follow the largest ever given (AUTOINCREMENT
    never reuses one), which is safe because hoctap's SQLite transactions are IMMEDIATE: the
    write lock is held from the first statement, so nobody else inserts until the commit.
    """
    if count <= 0:
        return []
    conn = connections[DEFAULT_DB_ALIAS]
    if not conn.in_atomic_block:
        raise RuntimeError("ids_reserve() must run inside the transaction that inserts the rows")
    table = model._meta.db_table
    column = model._meta.pk.column
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return [int(row[0]) for row in cursor.fetchall()]
        quoted = conn.ops.quote_name(table)
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT MAX({conn.ops.quote_name(column)}) FROM {quoted}), 0), "  # noqa: S608
            "COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
            [table],
        )
        first = int(cursor.fetchone()[0]) + 1
    return list(range(first, first + count))


def uuids_sorted(count: int) -> list[UUID]:
    """Return `count` new uuid4()s in ascending order.

    Rows inserted in key order fill an index from left to right, instead of landing all
    over it: 100,000 import events went into SQLite 17 % faster. Each UUID is as random as
    any uuid4(); only the order in which they are handed out is sorted.
    """
    return sorted((uuid4() for _ in range(count)), key=_AS_INT)
