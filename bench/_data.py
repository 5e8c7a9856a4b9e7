"""Build a province-shaped data set for the report benchmark.

The ~600 units and the period go through the real services; the N citizens and N assessments
are written with raw `executemany` (SQLite) or `COPY` (PostgreSQL), because building a million
model instances would measure the ORM, not the report. Import this module only after
`django.setup()`.
"""

import importlib
import importlib.util
import json
import random
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import connection, transaction

from hoctap.assessments.models import Period
from hoctap.assessments.periods import period_open
from hoctap.assessments.scoring import outcome_of
from hoctap.core.text import fold
from hoctap.organisation.models import Unit, UnitKind
from hoctap.organisation.services import unit_create
from hoctap.people.models import Ethnicity
from hoctap.schemes.definition import SchemeDefinition

PROVINCE = "BP"
PERIOD = "2024"
SCHEME = "cdht-2022"
COMMUNES = 100
BRANCHES_PER_COMMUNE = 5
VALID_FROM = date(2020, 1, 1)
BATCH = 20_000
SEED = 2024

# About 80 % decided, the rest spread evenly over the other states.
STATES = ("decided", "registered", "self_assessed", "submitted", "branch_reviewed", "returned")
STATE_WEIGHTS = (80, 4, 4, 4, 4, 4)
GROUPS = ("G1", "G2", "G3")
GROUP_WEIGHTS = (60, 25, 15)
PASS_SHARE = 0.9
# Share of citizens whose ethnicity was not recorded; Kinh is the large majority.
NO_ETHNICITY = 0.02
KINH_SHARE = 0.8
POOL = 256

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Ngọc", "Minh", "Thanh", "Quốc", "Thu", "Xuân")
GIVEN = ("An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hoa", "Lan", "Mai", "Nam", "Sơn", "Yến")

CITIZEN_COLUMNS = (
    "id",
    "uuid",
    "full_name",
    "search_name",
    "birth_year",
    "sex",
    "national_id",
    "created_at",
    "updated_at",
    "home_unit_id",
    "workplace_id",
    "ethnicity_id",
    "household_id",
)
ASSESSMENT_COLUMNS = (
    "id",
    "period_id",
    "scheme_id",
    "subject_type",
    "citizen_id",
    "unit_id",
    "group",
    "state",
    "self_scores",
    "reviewer_scores",
    "final_scores",
    "final_total",
    "result",
    "passed",
    "version",
    "decision_body",
    "decision_number",
    "decision_date",
    "request_digest",
    "created_by_id",
    "created_at",
    "updated_at",
)

Value = str | int | bool | None
Row = tuple[Value, ...]


@dataclass(frozen=True)
class Scored:
    """One complete set of scores with the result the scheme's rule gives it."""

    scores: str
    total: str
    result: str
    passed: bool


@dataclass(frozen=True)
class Province:
    """What the generator built: the province, its communes, its branches and the period."""

    province: Unit
    communes: list[Unit]
    branches: list[Unit]
    period: Period
    scheme_id: int
    definition: SchemeDefinition


def progress(message: str) -> None:
    """Report progress on stderr, so that stdout carries only the result."""
    print(message, file=sys.stderr, flush=True)


@transaction.atomic
def build_province() -> Province:
    """Create 1 province → 100 communes → 5 branches each, and open period 2024."""
    province = unit_create(
        kind=UnitKind.PROVINCE,
        code=PROVINCE,
        name="Tỉnh Bình Phước",
        parent=None,
        valid_from=VALID_FROM,
    )
    communes: list[Unit] = []
    branches: list[Unit] = []
    for c in range(1, COMMUNES + 1):
        commune = unit_create(
            kind=UnitKind.COMMUNE,
            code=f"BP-X{c:03d}",
            name=f"Xã số {c:03d}",
            parent=province,
            valid_from=VALID_FROM,
        )
        communes.append(commune)
        for b in range(1, BRANCHES_PER_COMMUNE + 1):
            branches.append(
                unit_create(
                    kind=UnitKind.BRANCH,
                    code=f"BP-X{c:03d}-C{b}",
                    name=f"Chi hội {b} xã số {c:03d}",
                    parent=commune,
                    valid_from=VALID_FROM,
                )
            )
    period, scheme, _created = period_open(code=PERIOD, scheme_code=SCHEME)
    return Province(province, communes, branches, period, scheme.pk, scheme.parsed)


def score_pools(definition: SchemeDefinition, rng: random.Random) -> tuple[list[Scored], ...]:
    """Return POOL passing and POOL failing score sets, judged by the scheme's own rule."""
    codes = definition.indicator_codes
    passing: list[Scored] = []
    failing: list[Scored] = []
    for _attempt in range(POOL * 50):
        if len(passing) >= POOL and len(failing) >= POOL:
            break
        values = {
            c: str(rng.choices(range(3, 11), weights=(1, 1, 3, 5, 8, 12, 14, 10))[0]) for c in codes
        }
        outcome = outcome_of(definition, values)
        pool = passing if outcome.passed else failing
        if len(pool) < POOL:
            pool.append(
                Scored(json.dumps(values), str(outcome.total), outcome.code, outcome.passed)
            )
    assert len(passing) == POOL, "too few passing score sets"
    assert len(failing) == POOL, "too few failing score sets"
    return passing, failing


def _names(rng: random.Random) -> list[tuple[str, str]]:
    names = [f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}" for _ in range(2000)]
    return [(name, fold(name)) for name in names]


@dataclass(frozen=True)
class _Vendor:
    """How one database wants the few values whose text form differs."""

    now: str
    true: Value
    false: Value


def _vendor() -> _Vendor:
    if connection.vendor == "postgresql":
        return _Vendor(now="2024-03-01 08:00:00+07", true=True, false=False)
    # Django keeps SQLite datetimes as naive UTC text and booleans as 0/1.
    return _Vendor(now="2024-03-01 01:00:00", true=1, false=0)


class _Rows:
    """Generate citizens and their assessments batch by batch, reproducibly."""

    def __init__(self, built: Province, rng: random.Random) -> None:
        self.built = built
        self.rng = rng
        self.vendor = _vendor()
        self.names = _names(rng)
        self.passing, self.failing = score_pools(built.definition, rng)
        codes = list(Ethnicity.objects.order_by("code").values_list("code", "pk"))
        self.ethnicities: list[int | None] = [pk for _code, pk in codes] + [None]
        share = (1 - KINH_SHARE - NO_ETHNICITY) / (len(codes) - 1)
        self.ethnicity_weights = [KINH_SHARE] + [share] * (len(codes) - 1) + [NO_ETHNICITY]

    def batch(self, start: int, stop: int) -> tuple[list[Row], list[Row]]:
        """Return the citizens with ids start..stop-1 and one assessment each."""
        rng, k = self.rng, stop - start
        branches = rng.choices(self.built.branches, k=k)
        ethnicities = rng.choices(self.ethnicities, weights=self.ethnicity_weights, k=k)
        groups = rng.choices(GROUPS, weights=GROUP_WEIGHTS, k=k)
        states = rng.choices(STATES, weights=STATE_WEIGHTS, k=k)
        citizens: list[Row] = []
        assessments: list[Row] = []
        for i in range(k):
            pk = start + i
            name, search = self.names[rng.randrange(len(self.names))]
            citizens.append(self._citizen(pk, name, search, branches[i].pk, ethnicities[i]))
            assessments.append(self._assessment(pk, branches[i].pk, groups[i], states[i]))
        return citizens, assessments

    def _citizen(self, pk: int, name: str, search: str, unit: int, ethnicity: int | None) -> Row:
        rng, now = self.rng, self.vendor.now
        sex = "female" if rng.random() < 0.52 else "male"
        birth_year = rng.randint(1940, 2008)
        return (
            pk,
            _uuid(rng),
            name,
            search,
            birth_year,
            sex,
            None,
            now,
            now,
            unit,
            None,
            ethnicity,
            None,
        )

    def _assessment(self, citizen: int, unit: int, group: str, state: str) -> Row:
        rng, v = self.rng, self.vendor
        pool = self.passing if rng.random() < PASS_SHARE else self.failing
        scored = pool[rng.randrange(POOL)]
        decided = state == "decided"
        self_scores = "{}" if state == "registered" else scored.scores
        reviewer = scored.scores if state in ("branch_reviewed", "decided") else "{}"
        return (
            _uuid(rng),
            self.built.period.pk,
            self.built.scheme_id,
            "citizen",
            citizen,
            unit,
            group,
            state,
            self_scores,
            reviewer,
            scored.scores if decided else "{}",
            scored.total if decided else None,
            scored.result if decided else "",
            (v.true if scored.passed else v.false) if decided else None,
            5 if decided else 2,
            "Hội Khuyến học xã" if decided else "",
            "12/QĐ-HKH" if decided else "",
            "2024-11-15" if decided else None,
            "",
            None,
            v.now,
            v.now,
        )


def _uuid(rng: random.Random) -> str:
    return uuid.UUID(int=rng.getrandbits(128), version=4).hex


def _insert(table: str, columns: Sequence[str], rows: list[Row]) -> None:
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)


def load_rows(built: Province, n: int) -> None:
    """Insert n citizens and n assessments in batches, then refresh the planner statistics."""
    rows = _Rows(built, random.Random(SEED))
    for start in range(1, n + 1, BATCH):
        stop = min(start + BATCH, n + 1)
        citizens, assessments = rows.batch(start, stop)
        with transaction.atomic():
            _insert("people_citizen", CITIZEN_COLUMNS, citizens)
            _insert("assessments_assessment", ASSESSMENT_COLUMNS, assessments)
        if (stop - 1) % 200_000 == 0 or stop == n + 1:
            progress(f"  inserted {stop - 1:,} citizens and assessments")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Ids were given explicitly: move the sequence past them as a real import would.
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('people_citizen', 'id'), %s)", [max(n, 1)]
            )
            # VACUUM too: autovacuum would have done it on a live table, and doing it now
            # keeps it from starting in the middle of the timings.
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")


def rollups_rebuild() -> float | None:
    """Rebuild the report rollups, if this version of hoctap keeps them; return the seconds.

    The rows above bypass the services that keep rollups in step, so a version whose report
    reads rollups needs them rebuilt, as a bulk import would. Looked up at run time because
    rollups are not in every version of the code this benchmark is run against.
    """
    if importlib.util.find_spec("hoctap.reports.rollups") is None:
        return None
    rollups = importlib.import_module("hoctap.reports.rollups")
    started = time.perf_counter()
    for period in Period.objects.filter(code=PERIOD):
        rollups.rollups_rebuild(period)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - started
