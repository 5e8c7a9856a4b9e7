"""Importing citizens and their final scores: every error first, then one atomic write.

A person is matched by CCCD when present, else by (unit, name, birth year, household).
Importing the same file twice changes nothing. Rollups move in the same transaction.
"""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import transaction
from django.utils.translation import gettext as _

from hoctap.accounts.models import User
from hoctap.accounts.scoping import Scope
from hoctap.assessments.models import Assessment, AssessmentEvent, Period, State
from hoctap.assessments.periods import period_scheme
from hoctap.assessments.scoring import outcome_of
from hoctap.core.text import fold
from hoctap.organisation.models import Unit
from hoctap.people.models import Citizen, Household
from hoctap.reports.rollups import Contribution, contribution, rollup_apply
from hoctap.schemes.models import Scheme, SubjectType
from hoctap.transfer.columns import layout_of
from hoctap.transfer.reader import Table
from hoctap.transfer.validation import CellError, Lookups, Person, check_row, ethnicity_keys

T = TypeVar("T")
CHUNK = 5000
IMPORT_STATES = (State.SUBMITTED, State.DECIDED)


class ImportRefused(Exception):
    """The file has errors; nothing was written. `messages` lists every one."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass
class ImportSummary:
    rows: int = 0
    citizens_created: int = 0
    citizens_matched: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    by_state: Counter[str] = field(default_factory=Counter)
    dry_run: bool = False


def _chunks(values: list[T], size: int = CHUNK) -> Iterator[list[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _lookups(table: Table, index: int, period: Period, scope: Scope, scheme: Scheme) -> Lookups:
    codes = sorted({row[index].strip() for row in table.rows})
    units: dict[str, Unit] = {}
    for chunk in _chunks(codes):
        found = (
            Unit.objects.during(period.starts_on, period.ends_on)
            .filter(code__in=chunk)
            .order_by("valid_from")
        )
        units.update({u.code: u for u in found})
    return Lookups(
        units=units,
        ethnicities=ethnicity_keys(),
        definition=scheme.parsed,
        in_scope={u.pk for u in units.values() if scope.covers_path(u.path)},
    )


def _check(table: Table, period: Period, scope: Scope, scheme: Scheme) -> list[Person]:
    layout, header_errors = layout_of(table.headers, scheme.parsed.indicator_codes)
    if header_errors:
        raise ImportRefused(header_errors)
    look = _lookups(table, layout.positions["Mã đơn vị"], period, scope, scheme)
    people: list[Person] = []
    errors: list[CellError] = []
    seen: dict[tuple[object, ...], int] = {}
    numbers = table.numbers or range(2, len(table.rows) + 2)
    for number, cells in zip(numbers, table.rows, strict=True):
        person, row_errors = check_row(number, cells, layout, look)
        errors += row_errors
        if person is None:
            continue
        key = _identity(person)
        if key in seen:
            errors.append(
                CellError(
                    person.row,
                    "Họ và tên",
                    person.full_name,
                    _("the same person is already on row %(r)d") % {"r": seen[key]},
                )
            )
        seen[key] = person.row
        people.append(person)
    if errors:
        raise ImportRefused([str(e) for e in errors])
    return people


def _identity(p: Person) -> tuple[object, ...]:
    if p.national_id:
        return ("cccd", p.national_id)
    return ("person", p.unit.pk, p.search_name, p.birth_year, fold(p.household_code))


def import_assessments(
    *,
    table: Table,
    period: Period,
    scope: Scope,
    state: State = State.SUBMITTED,
    actor: User | None = None,
    dry_run: bool = False,
) -> ImportSummary:
    """Check the whole file, then write it in one transaction (rolled back for a dry run)."""
    if state not in IMPORT_STATES:
        raise ImportRefused([_("An import can only create submitted or decided assessments.")])
    scheme = period_scheme(period, SubjectType.CITIZEN)
    people = _check(table, period, scope, scheme)
    with transaction.atomic():
        summary = _Writer(period, scheme, scope, state, actor).write(people)
        summary.rows = len(people)
        summary.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)
    return summary


class _Writer:
    """The write phase: households, people, assessments, events and rollups in bulk."""

    def __init__(
        self, period: Period, scheme: Scheme, scope: Scope, state: State, actor: User | None
    ) -> None:
        self.period, self.scheme, self.scope = period, scheme, scope
        self.state, self.actor = state, actor
        self.summary = ImportSummary()
        self.errors: list[str] = []

    def write(self, people: list[Person]) -> ImportSummary:
        households = self._households(people)
        citizens = self._citizens(people, households)
        self._assessments(people, citizens)
        if self.errors:
            raise ImportRefused(self.errors)
        return self.summary

    def _households(self, people: list[Person]) -> dict[tuple[int, str], Household]:
        wanted = {(p.unit.pk, p.household_code) for p in people if p.household_code}
        found: dict[tuple[int, str], Household] = {}
        unit_ids = sorted({u for u, _c in wanted})
        for chunk in _chunks(unit_ids):
            for h in Household.objects.filter(unit_id__in=chunk):
                found[(h.unit_id, h.code)] = h
        missing = [Household(unit_id=u, code=c) for u, c in sorted(wanted - set(found))]
        for h in Household.objects.bulk_create(missing, batch_size=CHUNK):
            found[(h.unit_id, h.code)] = h
        return found

    def _citizens(
        self, people: list[Person], households: dict[tuple[int, str], Household]
    ) -> dict[int, Citizen]:
        """Match or create the citizen of every row; return them by row number."""
        by_cccd = self._existing_by_cccd([p.national_id for p in people if p.national_id])
        by_key = self._existing_by_key([p for p in people if not p.national_id])
        result: dict[int, Citizen] = {}
        new: list[tuple[Person, Citizen]] = []
        for p in people:
            household = households.get((p.unit.pk, p.household_code))
            if p.national_id:
                match = by_cccd.get(p.national_id)
                if match is not None and not self._visible(match):
                    self.errors.append(
                        str(
                            CellError(
                                p.row,
                                "Số CCCD",
                                p.national_id,
                                _("registered in another unit; that unit must enrol them"),
                            )
                        )
                    )
                    continue
            else:
                match = by_key.get(
                    (p.unit.pk, p.search_name, p.birth_year, household.pk if household else None)
                )
            if match is None:
                match = Citizen(
                    full_name=p.full_name,
                    search_name=p.search_name,
                    birth_year=p.birth_year,
                    sex=p.sex,
                    ethnicity=p.ethnicity,
                    national_id=p.national_id,
                    household=household,
                    home_unit=p.unit,
                )
                new.append((p, match))
            else:
                self.summary.citizens_matched += 1
            result[p.row] = match
        Citizen.objects.bulk_create([c for _p, c in new], batch_size=CHUNK)
        self.summary.citizens_created = len(new)
        return result

    def _visible(self, citizen: Citizen) -> bool:
        paths = [citizen.home_unit.path] + ([citizen.workplace.path] if citizen.workplace else [])
        return any(self.scope.covers_path(path) for path in paths)

    def _existing_by_cccd(self, numbers: list[str]) -> dict[str, Citizen]:
        found: dict[str, Citizen] = {}
        for chunk in _chunks(sorted(set(numbers))):
            rows = Citizen.objects.filter(national_id__in=chunk).select_related(
                "home_unit", "workplace"
            )
            found.update({c.national_id: c for c in rows if c.national_id})
        return found

    def _existing_by_key(self, people: list[Person]) -> dict[tuple[Any, ...], Citizen]:
        found: dict[tuple[Any, ...], Citizen] = {}
        for chunk in _chunks(people, 2000):
            units = {p.unit.pk for p in chunk}
            names = {p.search_name for p in chunk}
            rows = Citizen.objects.filter(home_unit_id__in=units, search_name__in=names).only(
                "pk",
                "home_unit_id",
                "search_name",
                "birth_year",
                "household_id",
                "sex",
                "ethnicity_id",
            )
            for c in rows:
                found[(c.home_unit_id, c.search_name, c.birth_year, c.household_id)] = c
        return found

    def _assessments(self, people: list[Person], citizens: dict[int, Citizen]) -> None:
        existing = self._existing_assessments([c.pk for c in citizens.values() if c.pk])
        new: list[Assessment] = []
        changed: list[Assessment] = []
        moves: list[tuple[Contribution, int]] = []
        for p in people:
            citizen = citizens.get(p.row)
            if citizen is None:
                continue
            current = existing.get(citizen.pk) if citizen.pk else None
            if current is None:
                a = self._new(p, citizen)
                new.append(a)
                moves.append((contribution(a), 1))
            elif self._same(current, p):
                self.summary.unchanged += 1
                self.summary.by_state[current.state] += 1
            elif current.state == State.DECIDED:
                self.errors.append(
                    str(
                        CellError(
                            p.row,
                            "Họ và tên",
                            p.full_name,
                            _("already decided for this period; a decided assessment is locked"),
                        )
                    )
                )
            else:
                moves.append((contribution(current), -1))
                self._fill(current, p)
                current.version += 1
                changed.append(current)
                moves.append((contribution(current), 1))
        if self.errors:
            return
        Assessment.objects.bulk_create(new, batch_size=CHUNK)
        Assessment.objects.bulk_update(changed, _FIELDS, batch_size=CHUNK)
        AssessmentEvent.objects.bulk_create(
            (self._event(a, "import") for a in [*new, *changed]), batch_size=CHUNK
        )
        rollup_apply(moves)
        self.summary.created, self.summary.updated = len(new), len(changed)
        self.summary.by_state.update(a.state for a in [*new, *changed])

    def _existing_assessments(self, citizen_ids: list[int]) -> dict[int, Assessment]:
        found: dict[int, Assessment] = {}
        for chunk in _chunks(sorted(citizen_ids)):
            rows = Assessment.objects.filter(
                period=self.period, citizen_id__in=chunk
            ).select_related("period", "scheme", "citizen")
            found.update({a.citizen_id: a for a in rows if a.citizen_id})
        return found

    def _same(self, a: Assessment, p: Person) -> bool:
        return (
            a.unit_id == p.unit.pk
            and a.group == p.group
            and a.final_scores == p.scores
            and a.state == self.state
        )

    def _new(self, p: Person, citizen: Citizen) -> Assessment:
        a = Assessment(
            period=self.period,
            scheme=self.scheme,
            subject_type=SubjectType.CITIZEN,
            citizen=citizen,
            unit=p.unit,
            created_by=self.actor,
        )
        self._fill(a, p)
        return a

    def _fill(self, a: Assessment, p: Person) -> None:
        """Set what the row says; a decided import computes its result by the scheme's rule."""
        a.unit, a.group, a.state = p.unit, p.group, self.state
        a.self_scores = dict(p.scores)
        a.final_scores = dict(p.scores)
        if self.state == State.DECIDED:
            outcome = outcome_of(self.scheme.parsed, p.scores)
            a.reviewer_scores = dict(p.scores)
            a.final_total, a.result, a.passed = outcome.total, outcome.code, outcome.passed
        else:
            a.final_total, a.result, a.passed = None, "", None

    def _event(self, a: Assessment, action: str) -> AssessmentEvent:
        return AssessmentEvent(
            assessment=a,
            actor=self.actor,
            action=action,
            from_state=a.state,
            to_state=a.state,
            changes={"final": {c: [None, v] for c, v in a.final_scores.items()}},
        )


_FIELDS = [
    "unit",
    "group",
    "state",
    "self_scores",
    "reviewer_scores",
    "final_scores",
    "final_total",
    "result",
    "passed",
    "version",
]
