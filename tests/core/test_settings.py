"""Settings are read in a fresh interpreter so that bad values show as a start-up failure."""

import os
import subprocess
import sys

import pytest


def _start(**env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "hoctap.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_URL", "mysql://x@y/z", "DATABASE_URL"),
        ("DEBUG", "sometimes", "DEBUG must be true or false"),
        ("SECRET_KEY", "short", "SECRET_KEY must be at least 32"),
    ],
)
def test_a_bad_setting_stops_the_start(name: str, value: str, message: str) -> None:
    result = _start(**{name: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_the_sqlite_database_runs_in_wal_mode_with_immediate_transactions(tmp_path: object) -> None:
    code = (
        "import django; django.setup();"
        "from django.db import connection;"
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]);"
        "print(connection.settings_dict['OPTIONS']['transaction_mode'])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "hoctap.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path}/t.sqlite3",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["wal", "IMMEDIATE"]


def test_an_unknown_log_level_is_named(tmp_path: object) -> None:
    result = _start(LOG_LEVEL="LOUD")
    assert result.returncode != 0
    assert "LOG_LEVEL must be" in result.stderr
