"""Benchmark the import of N rows against the physical baseline measured in the same run.

    .venv/bin/python bench/import.py [--sizes 10000,100000] [--database sqlite|postgres]

For each size a child process gets a fresh database, builds the province of bench/_data.py and
writes an .xlsx of N people in the import layout. It then times, on the same database:

* the BASELINE: read the file with python-calamine and insert the same people and assessments
  with one raw `executemany` (SQLite) or `COPY` (PostgreSQL) each; those rows are then deleted;
* the IMPORT: `read_table` + `import_assessments` (every check, matching, households, events,
  rollups), as `hoctap import-assessments` runs it;

and the peak resident memory of the import alone (a second child, ru_maxrss). Target: at most
2× the baseline at 100k rows, peak memory under 500 MB. See bench/README.md.
"""

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

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
    seconds = time.perf_counter() - start
    with transaction.atomic(), connection.cursor() as cursor:
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
    from hoctap.transfer.importer import import_assessments
    from hoctap.transfer.reader import read_table

    start = time.perf_counter()
    table = read_table(path.read_bytes(), name=path.name)
    import_assessments(
        table=table,
        period=Period.objects.get(code=period_code),
        scope=Scope(paths=(), roles=frozenset(), everything=True),
    )
    return time.perf_counter() - start


def _child(size: int, mode: str, folder: Path) -> dict[str, Any]:
    import django

    django.setup()
    from _data import build_province  # type: ignore[import-not-found]
    from django.core.management import call_command

    path = folder / f"import-{size}.xlsx"
    if mode == "prepare":
        call_command("migrate", verbosity=0)
        built = build_province()
        codes = [b.code for b in built.branches]
        _workbook(path, codes, size)
        units = {b.code: b.pk for b in built.branches}
        base = _baseline(path, built.period.pk, built.scheme_id, units)
        return {"baseline_s": base, "file_mb": path.stat().st_size / 1_048_576}
    seconds = _import(path, "2024")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    from hoctap.assessments.models import Period
    from hoctap.reports.rollups import rollups_differences

    exact = not rollups_differences(Period.objects.get(code="2024"))
    return {"import_s": seconds, "peak_mb": peak_mb, "rollups_exact": exact}


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
    parser.add_argument("--child", nargs=3, metavar=("SIZE", "MODE", "FOLDER"))
    args = parser.parse_args()
    if args.child:
        size, mode, folder = int(args.child[0]), args.child[1], Path(args.child[2])
        print(RESULT_MARK + json.dumps(_child(size, mode, folder)), flush=True)
        return
    from reports import _fresh_database  # type: ignore[import-not-found]

    print(
        f"{'N':>9} {'db':>8} {'baseline s':>11} {'import s':>9} {'ratio':>6} {'peak MB':>8}"
        f" {'rollups':>8} {'ok':>4}"
    )
    for size in [int(s) for s in args.sizes.split(",")]:
        with _fresh_database(args.database, args.database_url, size, False) as url:
            env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "hoctap.settings"}
            # A file over the row cap (500,000 by default) is refused; the 1M run raises it.
            env["HOCTAP_IMPORT_MAX_ROWS"] = str(max(size, 500_000))
            folder = (
                Path(url.removeprefix("sqlite:///")).parent
                if "sqlite" in url
                else Path(tempfile.gettempdir())
            )
            first = _spawn(size, "prepare", folder, env)
            second = _spawn(size, "import", folder, env)
        ratio = second["import_s"] / first["baseline_s"]
        ok = ratio <= TARGET_RATIO and second["peak_mb"] < TARGET_MB
        print(
            f"{size:>9,} {args.database:>8} {first['baseline_s']:>11.2f} {second['import_s']:>9.2f}"
            f" {ratio:>6.2f} {second['peak_mb']:>8.0f} {second['rollups_exact']!s:>8}"
            f" {'yes' if ok else 'no':>4}",
            flush=True,
        )


if __name__ == "__main__":
    main()
