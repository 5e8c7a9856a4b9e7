"""Benchmark the province summary report against one hand-written SQL aggregation.

    .venv/bin/python bench/reports.py [--sizes 10000,100000,1000000] [--database sqlite|postgres]

Each size runs in a child process of this script with its own fresh database, so that Django's
settings (read once, from DATABASE_URL) belong to that database. The child migrates, builds the
province (bench/_data.py), times `summary_report` and the baseline, and prints one JSON line;
the parent prints the table. See bench/README.md.
"""

import argparse
import functools
import inspect
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 300.0
TARGET_RATIO = 1.5
RESULT_MARK = "RESULT "
BODY = "summary_report body (queries run inline)"

# The core figures (enrolled, assessed, passed per commune and group) in one statement: count
# per unit in one pass over the period's assessments, then add units up to their commune
# (branches hang directly under communes in this tree). {hint} is NOT INDEXED on SQLite: with
# every row in the period, its planner still walks the (period, unit, state) index and reads
# each row by rowid, 2–3× slower than one pass over the table, and a baseline held back by a
# poor plan would flatter the report.
BASELINE_SQL = """
SELECT u.parent_id, s."group", SUM(s.enrolled), SUM(s.assessed), SUM(s.passed)
FROM (
    SELECT unit_id, "group",
           COUNT(*) AS enrolled,
           COUNT(*) FILTER (WHERE state = 'decided') AS assessed,
           COUNT(*) FILTER (WHERE state = 'decided' AND passed) AS passed
    FROM assessments_assessment {hint}
    WHERE period_id = %s
    GROUP BY unit_id, "group"
) s
JOIN organisation_unit u ON u.id = s.unit_id
WHERE u.path LIKE %s
GROUP BY u.parent_id, s."group"
"""


def _median_ms(fn: Callable[[], object], runs: int) -> tuple[float, list[float]]:
    """Run fn once to warm up, then `runs` times; return the median and every sample in ms."""
    fn()
    samples: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), samples


# --- child: one size, one fresh database ------------------------------------------------------


def _child(size: int, runs: int) -> dict[str, Any]:
    """Migrate, load `size` assessments and time the report and the baseline."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hoctap.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    import hoctap

    # Run as a script, only bench/ is on the path; the generator is imported as bench._data.
    sys.path.insert(0, str(ROOT))
    from bench import _data

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    built = _data.build_province()
    _data.progress(f"  {connection.vendor}: migrated and built {len(built.branches)} branches")
    _data.load_rows(built, size)
    load_s = time.perf_counter() - started
    rollup_s = _data.rollups_rebuild()

    report = _report_call()
    baseline = _baseline_call(built.period.pk, built.province.path)
    _check_agree(report(), baseline(), built)
    load_average = os.getloadavg()[0]
    report_ms, report_samples = _median_ms(report, runs)
    baseline_ms, baseline_samples = _median_ms(baseline, runs)
    _data.progress(f"  report {report_ms:.1f} ms, baseline {baseline_ms:.1f} ms; parts…")
    return {
        "n": size,
        "database": connection.vendor,
        "server": _server_version(),
        "code": str(Path(hoctap.__file__).resolve().parent),
        "load_s": round(load_s, 1),
        "rollup_s": None if rollup_s is None else round(rollup_s, 1),
        "report_ms": round(report_ms, 2),
        "baseline_ms": round(baseline_ms, 2),
        "load_average": round(load_average, 2),
        "report_samples": [round(s, 2) for s in report_samples],
        "baseline_samples": [round(s, 2) for s in baseline_samples],
        "parts": _parts(runs),
    }


def _report_call() -> Callable[[], Any]:
    from hoctap.accounts.scoping import Scope
    from hoctap.reports.selectors import summary_report

    scope = Scope(paths=(), roles=frozenset(), everything=True)

    def call() -> Any:
        return summary_report(scope=scope, period_code="2024", unit_code="BP")

    return call


def _baseline_call(period_id: int, province_path: str) -> Callable[[], list[tuple[Any, ...]]]:
    from django.db import connection

    statement = BASELINE_SQL.format(hint="NOT INDEXED" if connection.vendor == "sqlite" else "")

    def call() -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(statement, [period_id, f"{province_path}%"])
            return list(cursor.fetchall())

    return call


def _check_agree(report: Any, rows: list[tuple[Any, ...]], built: Any) -> None:
    """Refuse to time two computations that do not give the same figures."""
    by_commune: dict[int, list[int]] = {}
    by_group: dict[str, list[int]] = {}
    for commune, group, enrolled, assessed, passed in rows:
        for key, table in ((commune, by_commune), (group, by_group)):
            total = table.setdefault(key, [0, 0, 0])
            for j, value in enumerate((enrolled, assessed, passed)):
                total[j] += int(value)
    ids = {u.code: u.pk for u in built.communes}

    def figures(counts: Any) -> list[int]:
        return [counts.enrolled, counts.assessed, counts.passed]

    for row in report.by_unit:
        assert figures(row.counts) == by_commune.get(ids[row.code], [0, 0, 0]), row.code
    for row in report.by_group:
        assert figures(row.counts) == by_group.get(row.code, [0, 0, 0]), row.code
    assert figures(report.totals) == [sum(t[j] for t in by_group.values()) for j in range(3)]


def _parts(runs: int) -> dict[str, float]:
    """Time summary_report's steps by wrapping every hoctap function its module calls.

    Wrapping, rather than calling the helpers by hand, follows whatever the selectors do in
    the version being measured. A helper called from another helper counts towards the
    outer one; the time left over is summary_report's own body.
    """
    from hoctap.reports import selectors

    report = _report_call()
    spent: dict[str, float] = {}
    depth = [0]

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if depth[0]:
                return fn(*args, **kwargs)
            depth[0] += 1
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                depth[0] -= 1
                spent[name] = spent.get(name, 0.0) + (time.perf_counter() - start) * 1000

        return wrapper

    originals = {
        name: fn
        for name, fn in vars(selectors).items()
        if inspect.isfunction(fn)
        and fn.__module__.startswith("hoctap.")
        and name != "summary_report"
    }
    samples: dict[str, list[float]] = {}
    try:
        for name, fn in originals.items():
            setattr(selectors, name, timed(name, fn))
        report()
        for _ in range(runs):
            spent.clear()
            start = time.perf_counter()
            report()
            spent[BODY] = (time.perf_counter() - start) * 1000 - sum(spent.values())
            for name, ms in spent.items():
                samples.setdefault(name, []).append(ms)
    finally:
        for name, fn in originals.items():
            setattr(selectors, name, fn)
    return {name: round(statistics.median(ms), 2) for name, ms in samples.items()}


def _server_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
        else:
            cursor.execute("SELECT sqlite_version()")
        row = cursor.fetchone()
    return str(row[0]) if row else "?"


# --- parent: one fresh database per size ------------------------------------------------------


@contextmanager
def _fresh_database(kind: str, url: str | None, size: int, keep: bool) -> Iterator[str]:
    """Yield the URL of a new, empty database; remove it afterwards unless `keep`."""
    if kind == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix=f"hoctap-bench-{size}-"))
        try:
            yield f"sqlite:///{folder / 'bench.sqlite3'}"
        finally:
            if keep:
                print(f"kept {folder}", file=sys.stderr)
            else:
                shutil.rmtree(folder, ignore_errors=True)
        return
    import psycopg
    from psycopg import sql

    if not url:
        raise SystemExit("PostgreSQL needs --database-url or DATABASE_URL (postgres://…)")
    name = f"hoctap_bench_{size}_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    finally:
        if keep:
            print(f"kept database {name}", file=sys.stderr)
        else:
            with psycopg.connect(url, autocommit=True) as admin:
                drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                admin.execute(drop.format(sql.Identifier(name)))


def _run_size(args: argparse.Namespace, size: int) -> dict[str, Any]:
    with _fresh_database(args.database, args.database_url, size, args.keep) as url:
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "hoctap.settings"}
        command = [sys.executable, __file__, "--child", str(size), "--runs", str(args.runs)]
        print(f"N={size:,} on {args.database}…", file=sys.stderr, flush=True)
        done = subprocess.run(  # noqa: S603 - this very script, with our own arguments
            command,
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
            timeout=args.timeout,
            check=True,
        )
    lines = [line for line in done.stdout.splitlines() if line.startswith(RESULT_MARK)]
    if not lines:
        raise SystemExit(f"the run for N={size} printed no result")
    result: dict[str, Any] = json.loads(lines[-1].removeprefix(RESULT_MARK))
    return result


def _table(results: list[dict[str, Any]]) -> str:
    head = (
        f"{'N':>10}  {'database':<10} {'load s':>7} {'rollups s':>9} {'report ms':>10}"
        f" {'baseline ms':>12} {'ratio':>8}  {'≤ 1.5×':<6} {'< 300 ms':<8}"
    )
    lines = [head, "-" * len(head)]
    for r in results:
        ratio = r["report_ms"] / r["baseline_ms"] if r["baseline_ms"] else float("inf")
        rollups = "—" if r["rollup_s"] is None else f"{r['rollup_s']:.1f}"
        lines.append(
            f"{r['n']:>10,}  {r['database']:<10} {r['load_s']:>7.1f} {rollups:>9}"
            f" {r['report_ms']:>10.1f} {r['baseline_ms']:>12.1f} {ratio:>7.2f}×  "
            f"{'yes' if ratio <= TARGET_RATIO else 'no':<6} "
            f"{'yes' if r['report_ms'] < TARGET_MS else 'no':<8}"
        )
    servers = sorted({f"{r['database']} {r['server']}" for r in results})
    loads = ", ".join(f"{r['load_average']:.1f}" for r in results)
    lines.append(f"hoctap from {results[0]['code']}; {', '.join(servers)}")
    lines.append(
        f"1-minute load average before each size's timings: {loads} ({os.cpu_count()} CPUs)"
    )
    return "\n".join(lines)


def _breakdown(result: dict[str, Any]) -> str:
    parts: dict[str, float] = result["parts"]
    total = sum(parts.values())
    lines = [
        f"summary_report by part, N={result['n']:,} on {result['database']} "
        f"(median ms; parts sum to {total:.1f}, whole report {result['report_ms']:.1f}):"
    ]
    for name, ms in sorted(parts.items(), key=lambda item: -item[1]):
        share = ms / total * 100 if total else 0.0
        lines.append(f"  {name:<46} {ms:>9.1f}  {share:>5.1f} %")
    return "\n".join(lines)


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated N")
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="PostgreSQL server to create the benchmark databases on (default: $DATABASE_URL)",
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs after one warm-up")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds allowed per size")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: list[str] | None = None) -> None:
    """Run every size, each in its own process and database, and print the table."""
    args = _arguments(argv)
    if args.child is not None:
        print(RESULT_MARK + json.dumps(_child(args.child, args.runs)), flush=True)
        return
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    results = [_run_size(args, size) for size in sizes]
    print(_table(results))
    print()
    print(_breakdown(max(results, key=lambda r: r["n"])))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
