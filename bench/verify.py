"""Benchmark `hoctap verify-audit`: the replay of the results against the chain walk, same run.

    .venv/bin/python bench/verify.py --size 100000 [--rounds 3] [--imports 1|2]
                                     [--database-url URL]

A fresh database (a temporary SQLite file, or the empty one given) gets the province of
bench/_data.py and N people imported through the importer: decided (`--imports 1`), or
submitted, then decided with one score changed (`--imports 2`, the default), so every
assessment has a chain of one or two import events and a result. Then, alternately,
`--rounds` times: the WALK (`events_verify` and `access_log_verify`, what verify-audit ran
before it replayed the results) and the REPLAY (`results_verify`, what it runs besides). The
ratio printed is the median of replay / walk; the replay adds that much to verify-audit. Both
must grow linearly: compare the per-assessment times across sizes. A last run of each under
tracemalloc gives the most memory Python held (constant in N if chunked).
"""

import argparse
import importlib
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def _setup(url: str | None, folder: Path) -> None:
    os.environ["DATABASE_URL"] = url or f"sqlite:///{folder / 'verify.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hoctap.settings")
    os.environ["HOCTAP_IMPORT_MAX_ROWS"] = "2000000"
    import django

    django.setup()


def _load(size: int, folder: Path, imports: int) -> None:
    from _data import build_province  # type: ignore[import-not-found]
    from django.core.management import call_command

    from hoctap.accounts.scoping import Scope
    from hoctap.assessments.models import Period, State
    from hoctap.people.models import ConsentMethod
    from hoctap.transfer.importer import import_assessments
    from hoctap.transfer.reader import table_stream

    call_command("migrate", verbosity=0)
    built = build_province()
    workbook = importlib.import_module("import")._workbook
    path = folder / "people.xlsx"
    workbook(path, [b.code for b in built.branches], size)
    everything = Scope(paths=(), roles=frozenset(), everything=True)
    period = Period.objects.get(code="2024")
    for state in (State.SUBMITTED, State.DECIDED)[2 - imports :]:
        if imports == 2 and state == State.DECIDED:  # one score moves: the second event too
            _change_first_score(path)
        table = table_stream(path.read_bytes(), name=path.name)
        import_assessments(
            table=table,
            period=period,
            scope=everything,
            state=state,
            consent=ConsentMethod.PAPER,
        )


def _change_first_score(path: Path) -> None:
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    header, body = rows[0], rows[1:]
    column = header.index("CS1")
    for row in body:
        score = row[column]
        assert isinstance(score, int | float)
        row[column] = 10 - int(score)
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate([header, *body]):
        sheet.write_row(r, 0, row)
    book.close()


def _walk() -> float:
    from hoctap.audit.verify import access_log_verify, events_verify

    start = time.perf_counter()
    report = events_verify()
    access_log_verify()
    assert report.problem is None, report.problem
    return time.perf_counter() - start


def _replay() -> float:
    from hoctap.audit.results import results_verify

    start = time.perf_counter()
    report = results_verify()
    assert report.intact, report.disagreements[:3]
    return time.perf_counter() - start


def _traced_mb(run: Callable[[], float]) -> float:
    """Return the most memory Python held during one more run (traced, so not timed)."""
    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1_048_576


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--imports", type=int, choices=[1, 2], default=2)
    parser.add_argument("--database-url", default=None, help="an empty database (default SQLite)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hoctap-verify-") as tmp:
        folder = Path(tmp)
        _setup(args.database_url, folder)
        _load(args.size, folder, args.imports)
        from django.db import connection

        from hoctap.assessments.models import Assessment, AssessmentEvent

        n, events = Assessment.objects.count(), AssessmentEvent.objects.count()
        rounds = [(_walk(), _replay()) for _ in range(args.rounds)]
        walk = statistics.median(w for w, _r in rounds)
        replay = statistics.median(r for _w, r in rounds)
        ratio = statistics.median(r / w for w, r in rounds)
        walk_mb, replay_mb = _traced_mb(_walk), _traced_mb(_replay)
        print(
            f"{n:>9,} assessments {events:>9,} events {connection.vendor:>10}"
            f"  walk {walk:7.2f} s ({walk / n * 1e6:5.1f} µs/assessment)"
            f"  replay {replay:7.2f} s ({replay / n * 1e6:5.1f} µs/assessment)"
            f"  replay/walk {ratio:4.2f}  peak MB walk {walk_mb:.1f} replay {replay_mb:.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
