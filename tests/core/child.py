"""What the backup and kill tests run in a child process, on the database of DATABASE_URL.

`python -m tests.core.child probe` prints the state of the database as JSON;
`add-evidence` attaches a PDF and a photo; `add-user NAME` adds an account;
`decide SIGNAL` and `import SIGNAL FILE PERIOD` write, then hang inside their transaction
once their rows are written, after saying so in the file SIGNAL, waiting to be killed.
"""

import io
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import django

# The assessment the kill test decides: reviewed by the branch, in Xã Quài Cang.
COMMUNE, PERIOD, USER = "03289", "2021-2022", "quaicang"
PILOT = "2020-2021"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def target() -> Any:
    from hoctap.assessments.models import Assessment, State
    from hoctap.organisation.models import Unit

    return (
        Assessment.objects.filter(
            period__code=PERIOD,
            unit__path__startswith=Unit.objects.get(code=COMMUNE).path,
            state=State.BRANCH_REVIEWED,
        )
        .order_by("pk")
        .first()
    )


def probe(target_id: Any = None) -> dict[str, Any]:
    """Return every count, the target assessment with its events, the report, the rollups."""
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.db import connection

    from hoctap.assessments.models import Assessment, Evidence
    from hoctap.core.dumps import facts_of, main_tables

    with connection.cursor() as cursor:
        counts = facts_of(cursor, main_tables()).counts
    found = Assessment.objects.get(pk=target_id) if target_id else target()
    out = io.StringIO()
    try:
        call_command("check-rollups", stdout=out)
        rollups_ok = True
    except CommandError:
        rollups_ok = False
    return {
        "counts": counts,
        "target": _assessment(found) if found else None,
        "reports": {period: _report(period) for period in (PILOT, PERIOD)},
        "rollups_ok": rollups_ok,
        "evidence": dict(Evidence.objects.values_list("file", "sha256")),
    }


def _assessment(a: Any) -> dict[str, Any]:
    return {
        "id": str(a.pk),
        "state": a.state,
        "version": a.version,
        "result": a.result,
        "final_total": str(a.final_total),
        "decision_number": a.decision_number,
        "events": list(a.events.order_by("pk").values_list("action", "to_state")),
    }


def _report(period: str) -> Any:
    """Return what `hoctap report --format json` prints for the district."""
    from django.core.management import call_command

    out = io.StringIO()
    call_command("report", "--period", period, "--unit", "099", "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def add_evidence() -> None:
    """Attach a PDF and a PNG photo to an undecided assessment of Xã Quài Cang."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from hoctap.accounts.models import User
    from hoctap.assessments.evidence import evidence_add

    user = User.objects.get(username=USER)
    assessment = target()
    photo = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(photo, format="PNG")
    for name, content in (("giay-chung-nhan.pdf", PDF), ("anh-lop-hoc.png", photo.getvalue())):
        evidence_add(
            user=user,
            assessment_id=assessment.pk,
            upload=SimpleUploadedFile(name, content),
            indicators=["CS1"],
        )


def add_user(username: str) -> None:
    from hoctap.accounts.models import User

    User.objects.create_user(username=username, password="x-unused-x")


@contextmanager
def hang_once_written(signal: str, tables: set[str], target_id: Any = None) -> Iterator[None]:
    """Once statements have written to every one of `tables`, report and sleep (uncommitted).

    Statements are watched through Django's execute wrapper; a bulk COPY (PostgreSQL) does
    not pass through it, so `insert_rows`' COPY is watched by wrapping it too.
    """
    from django.db import connection

    from hoctap.core import bulk

    written: set[str] = set()
    done = False

    def note(sql: str) -> None:
        nonlocal done
        lowered = sql.lstrip().lower()
        if done or not lowered.startswith(("insert", "update", "copy")):
            return
        written.update(t for t in tables if f'"{t}"' in lowered or f" {t} " in lowered)
        if written == tables:
            done = True
            seen = {"in_transaction": connection.in_atomic_block, "inside": probe(target_id)}
            with open(f"{signal}.tmp", "w") as handle:
                json.dump(seen, handle)
            os.replace(f"{signal}.tmp", signal)
            time.sleep(600)

    def hook(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        result = execute(sql, params, many, context)
        note(sql)
        return result

    copy = bulk._copy

    def watched_copy(conn: Any, statement: str, rows: Any) -> int:
        count = copy(conn, statement, rows)
        note(statement)
        return count

    bulk._copy = watched_copy
    try:
        with connection.execute_wrapper(hook):
            yield
    finally:
        bulk._copy = copy


def decide(signal: str) -> None:
    from hoctap.accounts.models import User
    from hoctap.assessments.services import DecisionInput, assessment_transition

    found = target()
    tables = {"assessments_assessmentevent", "reports_reportcell"}
    with hang_once_written(signal, tables, found.pk):
        assessment_transition(
            user=User.objects.get(username=USER),
            assessment_id=found.pk,
            action="decide",
            version=found.version,
            decision=DecisionInput(number="77/QĐ-HKH", date=date(2022, 5, 20), body="Hội"),
            accept="reviewer",
        )


def import_file(signal: str, path: str, period: str, tables: str) -> None:
    from django.core.management import call_command

    with hang_once_written(signal, set(tables.split(","))):
        call_command("import-assessments", path, "--period", period)


def main(action: str, *args: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hoctap.settings")
    django.setup()
    if action == "probe":
        print(json.dumps(probe(), ensure_ascii=False, default=str))
    elif action == "add-evidence":
        add_evidence()
    elif action == "add-user":
        add_user(*args)
    elif action == "decide":
        decide(*args)
    elif action == "import":
        import_file(*args)
    else:
        raise SystemExit(f"unknown action {action}")


if __name__ == "__main__":
    main(*sys.argv[1:])
