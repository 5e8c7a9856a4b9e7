"""Throwaway installations for the backup and kill tests: each its own database and media.

The commands run in child processes, as an operator would run them, on SQLite files or, when
the suite runs on PostgreSQL, on databases created for the purpose on the same server.
"""

import hashlib
import json
import os
import re
import sqlite3
import subprocess
import sys
import uuid
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]


def on_postgresql() -> bool:
    """Tell whether the suite runs on PostgreSQL (CI's second run)."""
    return os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@dataclass(frozen=True)
class Site:
    """One installation: a database URL and a folder for media, key and SQLite file."""

    folder: Path
    url: str

    @property
    def media(self) -> Path:
        return self.folder / "media"

    @property
    def verify_key(self) -> Path:
        """The public half of the key this installation's backups are signed with by default."""
        return self.folder / "backup_verify_key.pem"

    def env(self, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "DATABASE_URL": self.url,
            "MEDIA_ROOT": str(self.media),
            "HOCTAP_VAR_DIR": str(self.folder),
            "DJANGO_SETTINGS_MODULE": "hoctap.settings",
            "LOG_LEVEL": "WARNING",
            **extra,
        }

    def run(
        self, *args: str, check: bool = True, env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run `hoctap ARGS` on this installation, with `env` added to its environment."""
        return self._run([sys.executable, "-m", "hoctap", *args], check, env or {})

    def child(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run an action of tests/core/child.py on this installation."""
        return self._run([sys.executable, "-m", "tests.core.child", *args], check, {})

    def start(self, *args: str) -> subprocess.Popen[str]:
        """Start an action of tests/core/child.py and return at once."""
        command = [sys.executable, "-m", "tests.core.child", *args]
        return subprocess.Popen(
            command, env=self.env(), cwd=ROOT, stderr=subprocess.PIPE, text=True
        )

    def _run(
        self, command: list[str], check: bool, env: dict[str, str]
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            command, env=self.env(**env), cwd=ROOT, capture_output=True, text=True, timeout=300
        )
        if check and done.returncode != 0:
            raise AssertionError(f"{' '.join(command[2:])} failed:\n{done.stdout}{done.stderr}")
        return done

    def probe(self) -> dict[str, Any]:
        """Return counts, the kill test's assessment, the report and the rollup check."""
        state: dict[str, Any] = json.loads(self.child("probe").stdout)
        return state

    def media_hashes(self) -> dict[str, str]:
        """Return the SHA-256 of every file under MEDIA_ROOT, by path."""
        if not self.media.is_dir():
            return {}
        return {
            path.relative_to(self.media).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(self.media.rglob("*"))
            if path.is_file()
        }

    def superusers(self) -> int:
        """Count the accounts that are superusers, read directly (no child process)."""
        query = "SELECT COUNT(*) FROM accounts_user WHERE is_superuser"
        return self._count(query, query)

    def make_superuser(self, username: str) -> int:
        """Make `username` a superuser behind hoctap's back; return how many rows changed."""
        if self.url.startswith("sqlite:///"):
            with closing(sqlite3.connect(self._sqlite_file)) as db:
                changed = db.execute(
                    "UPDATE accounts_user SET is_superuser = 1, is_staff = 1 WHERE username = ?",
                    (username,),
                ).rowcount
                db.commit()
                return changed
        with psycopg.connect(self.url) as pg:
            return pg.execute(
                "UPDATE accounts_user SET is_superuser = TRUE, is_staff = TRUE WHERE username = %s",
                (username,),
            ).rowcount

    def table_count(self) -> int:
        """Count the tables of the database, without creating it."""
        if self.url.startswith("sqlite:///") and not self._sqlite_file.exists():
            return 0
        return self._count(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'",
            "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'",
        )

    def rows(self, table: str) -> int:
        """Count the rows of `table`, read directly (no child process)."""
        assert re.fullmatch(r"[a-z_]+", table)
        query = f"SELECT COUNT(*) FROM {table}"  # noqa: S608 - checked name
        return self._count(query, query)

    @property
    def _sqlite_file(self) -> Path:
        return Path(self.url.removeprefix("sqlite:///"))

    def _count(self, on_sqlite: str, on_postgresql: str) -> int:
        if self.url.startswith("sqlite:///"):
            uri = f"file:{self._sqlite_file}?mode=ro"
            with closing(sqlite3.connect(uri, uri=True)) as db:
                return int(db.execute(on_sqlite).fetchone()[0])
        with psycopg.connect(self.url) as pg:
            one = pg.execute(sql.SQL(on_postgresql)).fetchone()
            return int(one[0]) if one else 0


@dataclass
class Sites:
    """Makes installations; on PostgreSQL, drops their databases at the end."""

    folders: pytest.TempPathFactory
    databases: list[str] = field(default_factory=list)

    def new(self, label: str) -> Site:
        folder = self.folders.mktemp(label)
        if not on_postgresql():
            return Site(folder, f"sqlite:///{folder}/hoctap.sqlite3")
        name = f"hoctap_{re.sub(r'[^a-z0-9]', '_', label.lower())}_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self.databases.append(name)
        url = urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}").geturl()
        return Site(folder, url)

    def drop_all(self) -> None:
        if not self.databases:
            return
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as admin:
            for name in self.databases:
                drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                admin.execute(drop.format(sql.Identifier(name)))
