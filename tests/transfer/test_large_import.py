"""What a large import does beyond writing rows: the collector paused, the statistics refreshed."""

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hoctap.accounts.scoping import Scope
from hoctap.assessments.models import Assessment, Period
from hoctap.core.memory import collector_paused
from hoctap.people.models import Citizen, ConsentMethod
from hoctap.transfer import importer
from hoctap.transfer.importer import ImportRefused, import_assessments
from hoctap.transfer.reader import read_table
from tests.transfer.files import HEADERS, csv_text, people


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_off_inside_and_back_on_after_an_error() -> None:
    inside: list[bool] = []

    def failing() -> None:
        with collector_paused():
            inside.append(gc.isenabled())
            raise RuntimeError

    with pytest.raises(RuntimeError):
        failing()
    assert inside == [False]
    assert gc.isenabled()


def test_a_nested_pause_leaves_the_restoring_to_the_outer_one() -> None:
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


@pytest.mark.django_db
def test_an_import_reads_and_checks_with_the_collector_paused(
    period: Period, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    check = importer._check

    def watched(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return check(*args, **kwargs)

    monkeypatch.setattr(importer, "_check", watched)
    rows = [[str(c) for c in entry.cells()] for entry in people(3, seed=5)]
    rows[0][HEADERS.index("Năm sinh")] = "19x0"
    table = read_table(csv_text(rows).encode(), name="a.csv")
    assert gc.isenabled()

    with pytest.raises(ImportRefused):
        import_assessments(
            table=table,
            period=period,
            scope=Scope(paths=(), roles=frozenset(), everything=True),
            consent=ConsentMethod.PAPER,
        )

    assert seen == [False]
    assert gc.isenabled()


def _import(period: Period, count: int, *, dry_run: bool = False) -> list[str]:
    """Import `count` new people; return the ANALYZE statements it sent."""
    rows = [[str(c) for c in entry.cells()] for entry in people(count, seed=8)]
    table = read_table(csv_text(rows).encode(), name="a.csv")
    with CaptureQueriesContext(connection) as captured:
        import_assessments(
            table=table,
            period=period,
            scope=Scope(paths=(), roles=frozenset(), everything=True),
            dry_run=dry_run,
            consent=ConsentMethod.PAPER,
        )
    return [q["sql"] for q in captured.captured_queries if q["sql"].startswith("ANALYZE")]


@pytest.mark.django_db
def test_a_large_import_refreshes_the_planner_statistics_with_its_rows(
    period: Period, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(importer, "ANALYZE_FROM", 4)
    assert _import(period, 3) == []
    assert _import(period, 5, dry_run=True) == []

    analyzed = _import(period, 5)

    if connection.vendor != "postgresql":
        assert analyzed == []  # SQLite keeps no statistics that a fresh import makes stale
        return
    tables = [statement.split()[1] for statement in analyzed]
    assert tables == [
        '"people_citizen"',
        '"people_household"',
        '"assessments_assessment"',
        '"assessments_assessmentevent"',
    ]
    # The columns queries join and group on are sampled; the JSON documents are not.
    assessment = analyzed[2]
    assert '"citizen_id"' in assessment
    assert '"unit_id"' in assessment
    assert '"state"' in assessment
    assert "scores" not in assessment
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class"
            " WHERE relname IN ('people_citizen', 'assessments_assessment')"
        )
        estimated = dict(cursor.fetchall())
    # The rows are not committed yet: only an ANALYZE in this transaction can have counted them.
    assert estimated["people_citizen"] == Citizen.objects.count()
    assert estimated["assessments_assessment"] == Assessment.objects.count()
