"""Copying the whole database to a file and back: SQLite's backup API, PostgreSQL's pg_dump.

Each dump comes with the facts of the copy itself (rows per table, latest migration per app),
read from the same snapshot, so a running server may keep writing meanwhile.
"""

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext as _

VENDORS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
# A restore refuses to write over a database holding any row of these apps' tables.
GUARDED_APPS = ("accounts", "assessments")
_PG_OPTIONS_ENV = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}


class BackupError(Exception):
    """The database could not be copied or loaded; `message` says why, translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Facts:
    """What a copy of the database holds: rows per table, latest migration per app."""

    counts: dict[str, int]
    migrations: dict[str, str]


def main_tables() -> list[str]:
    """Return the table of every hoctap model that the database holds (migrated or not)."""
    existing = set(connection.introspection.table_names())
    return sorted(
        model._meta.db_table
        for config in apps.get_app_configs()
        if config.name.startswith("hoctap.")
        for model in config.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model._meta.db_table in existing
    )


def facts_of(cursor: Any, tables: Iterable[str]) -> Facts:
    """Count the rows of `tables` and read the migrations, through any DB-API cursor."""
    quote = connection.ops.quote_name
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - checked names
        counts[table] = int(cursor.fetchone()[0])
    cursor.execute("SELECT app, name FROM django_migrations")
    migrations: dict[str, str] = {}
    for app, name in cursor.fetchall():
        migrations[app] = max(name, migrations.get(app, ""))
    return Facts(counts=counts, migrations=dict(sorted(migrations.items())))


def database_has_data() -> bool:
    """Tell whether any table of the guarded apps holds a row (missing tables hold none)."""
    existing = set(connection.introspection.table_names())
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for label in GUARDED_APPS:
            for model in apps.get_app_config(label).get_models(include_auto_created=True):
                table = model._meta.db_table
                if table in existing:
                    cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")  # noqa: S608
                    if cursor.fetchone() is not None:
                        return True
    return False


def database_dump(target: Path) -> Facts:
    """Write a consistent copy of the whole database to `target`; return what it holds."""
    if "django_migrations" not in connection.introspection.table_names():
        raise BackupError(_("The database was never migrated: there is nothing to back up."))
    if connection.vendor == "sqlite":
        return _sqlite_dump(target)
    return _pg_dump(target)


def database_load(source: Path) -> None:
    """Replace the database's content by the copy in `source`."""
    if connection.vendor == "sqlite":
        _sqlite_load(source)
    else:
        _pg_load(source)


def _sqlite_dump(target: Path) -> Facts:
    tables = main_tables()
    try:
        with closing(sqlite3.connect(target)) as copy:
            # One read transaction of the live file: writers in WAL mode carry on meanwhile.
            connection.connection.backup(copy)
            with closing(copy.cursor()) as cursor:
                return facts_of(cursor, tables)
    except sqlite3.Error as error:
        raise BackupError(_("The database could not be copied: %(e)s") % {"e": error}) from None


def _sqlite_load(source: Path) -> None:
    connection.ensure_connection()
    try:
        with closing(sqlite3.connect(source)) as copy:
            if copy.execute("PRAGMA quick_check").fetchone() != ("ok",):
                raise sqlite3.DatabaseError("quick_check")
            # Page by page under the write lock: other connections see all or nothing.
            copy.backup(connection.connection)
    except sqlite3.DatabaseError as error:
        raise BackupError(_("The database could not be restored: %(e)s") % {"e": error}) from None


def _pg_dump(target: Path) -> Facts:
    with transaction.atomic(), connection.cursor() as cursor:
        # pg_dump reads the snapshot this transaction exported, so the counts are of the dump.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        facts = facts_of(cursor, main_tables())
        _pg_run("pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}")
    return facts


def _pg_load(source: Path) -> None:
    connection.close()
    _pg_run(
        "pg_restore",
        "--clean",
        "--if-exists",
        "--no-owner",
        # All or nothing: a failing restore leaves the database as it was.
        "--single-transaction",
        "--exit-on-error",
        str(source),
    )


def _pg_run(tool: str, *args: str) -> None:
    """Run a PostgreSQL client tool on the configured database; the password goes by env."""
    db = settings.DATABASES["default"]
    command = [_pg_tool(tool), "--no-password"]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            command.append(f"{flag}={db[key]}")
    command += [f"--dbname={db['NAME']}", *args]
    env = {**os.environ, **_pg_env(db)}
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        detail = result.stderr.strip().splitlines()[-5:]
        raise BackupError(
            _("%(tool)s failed: %(detail)s") % {"tool": tool, "detail": " ".join(detail)}
        )


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = {"PGPASSWORD": str(db["PASSWORD"])} if db.get("PASSWORD") else {}
    options = db.get("OPTIONS") or {}
    env.update({var: str(options[key]) for key, var in _PG_OPTIONS_ENV.items() if options.get(key)})
    return env


def _pg_tool(name: str) -> str:
    """Find a client tool on PATH, else in Debian's versioned folders (newest first)."""
    found = shutil.which(name)
    if found:
        return found
    folders = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    for folder in folders:
        if (folder / name).is_file():
            return str(folder / name)
    raise BackupError(
        _("%(tool)s was not found: install the PostgreSQL client (Debian: postgresql-client).")
        % {"tool": name}
    )


@contextmanager
def command_errors(io_message: str) -> Iterator[None]:
    """Turn what a backup or a restore may raise into a CommandError with a clear message.

    `io_message` is the translated sentence for a file-system failure, with %(reason)s.
    """
    try:
        yield
    except BackupError as error:
        raise CommandError(error.message) from None
    except DatabaseError as error:
        raise CommandError(
            _("The database reported an error: %(reason)s") % {"reason": error}
        ) from None
    except OSError as error:
        raise CommandError(io_message % {"reason": error}) from None
