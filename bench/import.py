"""Benchmark the import of N rows against the physical baseline measured in the same run.

    .venv/bin/python bench/import.py [--sizes 10000,100000] [--database sqlite|postgres]
                                     [--rounds 3]

For each size a child process gets a fresh database, builds the province of bench/_data.py and
writes an .xlsx of N people in the import layout. Then, in turn, each on its own copy of that
database and in its own child process, `--rounds` times:

* the BASELINE: read the file with python-calamine and insert the same people and assessments
  with one raw `executemany` (SQLite) or `COPY` (PostgreSQL) each;
* the IMPORT: `read_table` + `import_assessments` (every check, matching, households, events,
  rollups), as `hoctap import-assessments` runs it, with its peak resident memory (ru_maxrss).

The ratio printed is the median of the rounds' ratios (import / the baseline measured just
before it). Target: at most 2× the baseline at 100k rows, peak memory under 500 MB.
See bench/README.md.
"""

import argparse
import contextlib
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parent.parent
RESULT_MARK = "RESULT "
TARGET_RATIO = 2.0
TARGET_MB = 500
CODES = [f"CS{i}" for i in range(1, 11)]
HEADER = [
    "Mã đơn vị",
    "Họ và tên",
    "Năm sinh",
    "Giới tính",
    "Dân tộc",
    "Số CCCD",
    "Mã hộ",
    "Nhóm đối tượng",
    *CODES,
]
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Lò", "Quàng", "Giàng", "Mùa", "Vũ")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hoa", "Lan", "Mai", "Nam", "Sơn", "Yến")


def _workbook(path: Path, branches: list[str], n: int) -> None:
    """Write N people in the template's layout (constant memory)."""
    import xlsxwriter

    rng = random.Random(n)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Danh sách")
    sheet.write_row(0, 0, HEADER)
    for row in range(1, n + 1):
        female = rng.random() < 0.5
        name = f"{rng.choice(FAMILY)} {'Thị' if female else 'Văn'} {rng.choice(GIVEN)} {row}"
        scores = [rng.randint(5, 10) for _ in CODES]
        sheet.write_row(
            row,
            0,
            [
                rng.choice(branches),
                name,
                rng.randint(1950, 2004),
                "Nữ" if female else "Nam",
                "Kinh",
                f"{row:012d}",
                "",
                rng.choice(("G1", "G2", "G3")),
                *scores,
            ],
        )
    book.close()


def _baseline(path: Path, period_id: int, scheme_id: int, units: dict[str, int]) -> float:
    """Parse with calamine and insert the same rows raw; return seconds, then remove the rows."""
    from django.db import connection, transaction
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[1:]
    citizens: list[tuple[Any, ...]] = []
    assessments: list[tuple[Any, ...]] = []
    # The import records each new person's consent (confirmed on paper): so does the baseline.
    consents: list[tuple[Any, ...]] = []
    now = "2024-06-01 00:00:00+00"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM people_citizen")
        first = int(cursor.fetchone()[0]) + 1
        for offset, raw in enumerate(rows):
            # calamine gives numbers as floats: the same text the importer reads.
            r = [str(int(c)) if isinstance(c, float) else str(c) for c in raw]
            pk = first + offset
            citizens.append(
                (
                    pk,
                    str(uuid.uuid4()),
                    r[1],
                    r[1].lower(),
                    int(r[2]),
                    "female" if r[3] == "Nữ" else "male",
                    str(r[5]),
                    units[r[0]],
                    now,
                    now,
                )
            )
            consents.append((pk, "Công dân học tập", "2026-01", "paper", now))
            scores = json.dumps(dict(zip(CODES, r[8:18], strict=True)))
            assessments.append(
                (
                    str(uuid.uuid4()),
                    period_id,
                    scheme_id,
                    "citizen",
                    pk,
                    units[r[0]],
                    r[7],
                    "submitted",
                    scores,
                    "{}",
                    scores,
                    "",
                    1,
                    "",
                    "",
                    "",
                    now,
                    now,
                )
            )
        _insert(
            cursor,
            "people_citizen",
            "id, uuid, full_name, search_name, birth_year, sex, national_id, home_unit_id, "
            "created_at, updated_at",
            citizens,
        )
        _insert(
            cursor,
            "assessments_assessment",
            'id, period_id, scheme_id, subject_type, citizen_id, unit_id, "group", state, '
            "self_scores, reviewer_scores, final_scores, result, version, decision_body, "
            "decision_number, request_digest, created_at, updated_at",
            assessments,
        )
        _insert(
            cursor,
            "people_consent",
            "citizen_id, purpose, notice_version, method, given_at",
            consents,
        )
    seconds = time.perf_counter() - start
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM people_consent WHERE citizen_id >= %s", [first])
        cursor.execute("DELETE FROM assessments_assessment WHERE period_id = %s", [period_id])
        cursor.execute("DELETE FROM people_citizen WHERE id >= %s", [first])
    return seconds


def _insert(cursor: Any, table: str, columns: str, rows: list[tuple[Any, ...]]) -> None:
    """The fastest plain way in: COPY on PostgreSQL, one executemany on SQLite."""
    if cursor.db.vendor == "postgresql":
        with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join(["%s"] * len(rows[0]))
    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def _import(path: Path, period_code: str) -> float:
    from hoctap.accounts.scoping import Scope
    from hoctap.assessments.models import Period
    from hoctap.people.models import ConsentMethod
    from hoctap.transfer import reader
    from hoctap.transfer.importer import import_assessments

    # The command's and the page's way in: rows checked as they are read (read_table before).
    read = getattr(reader, "table_stream", reader.read_table)
    start = time.perf_counter()
    table = read(path.read_bytes(), name=path.name)
    import_assessments(
        table=table,
        period=Period.objects.get(code=period_code),
        scope=Scope(paths=(), roles=frozenset(), everything=True),
        consent=ConsentMethod.PAPER,
    )
    return time.perf_counter() - start


def _child(size: int, mode: str, folder: Path) -> dict[str, Any]:
    import django

    django.setup()
    from _data import build_province  # type: ignore[import-not-found]
    from django.core.management import call_command

    path = folder / f"import-{size}.xlsx"
    facts = folder / f"import-{size}.json"
    if mode == "prepare":
        call_command("migrate", verbosity=0)
        built = build_province()
        _workbook(path, [b.code for b in built.branches], size)
        ids = {
            "period_id": built.period.pk,
            "scheme_id": built.scheme_id,
            "units": {b.code: b.pk for b in built.branches},
        }
        facts.write_text(json.dumps(ids))
        return {"file_mb": path.stat().st_size / 1_048_576}
    if mode == "baseline":
        ids = json.loads(facts.read_text())
        return {"baseline_s": _baseline(path, ids["period_id"], ids["scheme_id"], ids["units"])}
    seconds = _import(path, "2024")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    from hoctap.assessments.models import Period
    from hoctap.reports.rollups import rollups_differences

    exact = not rollups_differences(Period.objects.get(code="2024"))
    return {"import_s": seconds, "peak_mb": peak_mb, "rollups_exact": exact}


@contextlib.contextmanager
def _clone(kind: str, url: str) -> Iterator[str]:
    """Yield the URL of a copy of the prepared database, removed afterwards.

    Each baseline and each import starts from the same state: the import's event chains are
    append-only (no DELETE), so a run cannot be undone, only thrown away.
    """
    if kind == "sqlite":
        source = Path(url.removeprefix("sqlite:///"))
        target = source.with_name(f"clone-{uuid.uuid4().hex[:8]}.sqlite3")
        shutil.copyfile(source, target)
        try:
            yield f"sqlite:///{target}"
        finally:
            target.unlink(missing_ok=True)
        return
    import psycopg
    from psycopg import sql

    source_name = urlsplit(url).path.lstrip("/")
    name = f"{source_name}_clone"
    admin_url = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(source_name)
            )
        )
    try:
        yield urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            admin.execute(drop.format(sql.Identifier(name)))


def _spawn(size: int, mode: str, folder: Path, env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603 - this very script, with our own arguments
        [sys.executable, __file__, "--child", str(size), mode, str(folder)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
        timeout=7200,
    )
    line = [x for x in done.stdout.splitlines() if x.startswith(RESULT_MARK)][-1]
    result: dict[str, Any] = json.loads(line.removeprefix(RESULT_MARK))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument(
        "--rounds", type=int, default=3, help="baseline/import pairs; the median ratio counts"
    )
    parser.add_argument("--child", nargs=3, metavar=("SIZE", "MODE", "FOLDER"))
    args = parser.parse_args()
    if args.child:
        size, mode, folder = int(args.child[0]), args.child[1], Path(args.child[2])
        print(RESULT_MARK + json.dumps(_child(size, mode, folder)), flush=True)
        return
    from reports import _fresh_database  # type: ignore[import-not-found]

    print(
        f"{'N':>9} {'db':>8} {'baseline s':>11} {'import s':>9} {'ratio':>6} {'peak MB':>8}"
        f" {'rollups':>8} {'rounds':>6} {'ok':>4}",
        flush=True,
    )
    for size in [int(s) for s in args.sizes.split(",")]:
        with _fresh_database(args.database, args.database_url, size, False) as prepared:
            folder = (
                Path(prepared.removeprefix("sqlite:///")).parent
                if "sqlite" in prepared
                else Path(tempfile.gettempdir())
            )
            _spawn(size, "prepare", folder, _env(prepared, size))
            rounds = []
            # Baseline and import alternate, each on a fresh copy of the same database: this
            # machine's speed drifts by half between minutes, a pair measured together much less.
            for _ in range(args.rounds):
                with _clone(args.database, prepared) as url:
                    base = _spawn(size, "baseline", folder, _env(url, size))
                with _clone(args.database, prepared) as url:
                    done = _spawn(size, "import", folder, _env(url, size))
                rounds.append({**base, **done, "ratio": done["import_s"] / base["baseline_s"]})
                print(
                    "  round: baseline {baseline_s:.2f} s, import {import_s:.2f} s, "
                    "ratio {ratio:.2f}".format(**rounds[-1]),
                    file=sys.stderr,
                    flush=True,
                )
        ratio = statistics.median(r["ratio"] for r in rounds)
        peak = max(r["peak_mb"] for r in rounds)
        exact = all(r["rollups_exact"] for r in rounds)
        ok = ratio <= TARGET_RATIO and peak < TARGET_MB and exact
        print(
            f"{size:>9,} {args.database:>8}"
            f" {statistics.median(r['baseline_s'] for r in rounds):>11.2f}"
            f" {statistics.median(r['import_s'] for r in rounds):>9.2f}"
            f" {ratio:>6.2f} {peak:>8.0f} {exact!s:>8} {len(rounds):>6} {'yes' if ok else 'no':>4}",
            flush=True,
        )


def _env(url: str, size: int) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "hoctap.settings"}
    # A file over the row cap (500,000 by default) is refused; the 1M run raises it.
    env["HOCTAP_IMPORT_MAX_ROWS"] = str(max(size, 500_000))
    return env


if __name__ == "__main__":
    main()
