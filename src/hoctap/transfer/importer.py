"""Importing citizens and their final scores: every error first, then one atomic write.

A person is matched by CCCD when present, else by (unit, name, birth year, household).
Importing the same file twice changes nothing. Rollups move in the same transaction.
"""

import itertools
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hoctap.accounts.models import User
from hoctap.accounts.scoping import Scope
from hoctap.assessments.enrolment import consents_record_missing
from hoctap.assessments.models import Assessment, AssessmentEvent, Period, State
from hoctap.assessments.periods import period_scheme
from hoctap.assessments.scoring import outcome_of
from hoctap.audit.chain import GENESIS, canonical, event_hasher
from hoctap.core.bulk import JsonText, ids_reserve, insert_rows, uuids_sorted
from hoctap.core.memory import collector_paused
from hoctap.core.text import fold
from hoctap.organisation.models import Unit
from hoctap.people.models import CONSENT_PURPOSE, Citizen, Consent, ConsentMethod, Household
from hoctap.reports.rollups import (
    Contribution,
    Facts,
    contribution,
    contribution_of,
    rollup_apply,
    rule_minimum,
)
from hoctap.schemes.models import Scheme, SubjectType
from hoctap.transfer import columns as col
from hoctap.transfer.columns import layout_of
from hoctap.transfer.reader import Table, TableStream
from hoctap.transfer.validation import CellError, Lookups, Person, check_row, ethnicity_keys

T = TypeVar("T")
# A file read whole (read_table) or row by row as it is checked (table_stream).
Rows = Table | TableStream
CHUNK = 5000
# From this many rows an import refreshes the planner's statistics (PostgreSQL).
ANALYZE_FROM = 5000
# How often, in rows, the check reports its progress.
PROGRESS_EVERY = 20_000
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
    # People whose consent this import recorded (they had none in force).
    consents_recorded: int = 0


_CITIZEN_COLUMNS = (
    "id",
    "uuid",
    "full_name",
    "search_name",
    "birth_year",
    "sex",
    "ethnicity_id",
    "national_id",
    "household_id",
    "home_unit_id",
    "created_at",
    "updated_at",
)
_CONSENT_COLUMNS = (
    "citizen_id",
    "purpose",
    "notice_version",
    "method",
    "given_at",
    "recorded_by_id",
)
_ASSESSMENT_COLUMNS = (
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
    "request_digest",
    "created_by_id",
    "created_at",
    "updated_at",
    "event_count",
    "event_head",
)
_EVENT_COLUMNS = (
    "assessment_id",
    "seq",
    "at",
    "actor_id",
    "action",
    "from_state",
    "to_state",
    "reason",
    "changes",
    "prev_hash",
    "hash",
)


class Written(NamedTuple):
    """The import event of one assessment, with its place in the assessment's chain.

    Named tuples, not frozen dataclasses: one is made per row, and a frozen dataclass sets
    each field through object.__setattr__ (three times slower to build).
    """

    assessment_id: uuid.UUID
    from_state: str
    to_state: str
    # Encoded once, canonically: hashed, then stored as is.
    changes: JsonText
    seq: int
    prev_hash: str
    hash: str


class Who(NamedTuple):
    """The citizen a row stands for, with what the rollups count them by."""

    citizen_id: int
    sex: str
    ethnicity_id: int | None
    birth_year: int
    # Created by this import: they cannot have an assessment yet.
    new: bool = False


def _chunks(values: Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """Lists of `size` values in turn (itertools.batched, which Python 3.11 lacks)."""
    iterator = iter(values)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _units_load(look: Lookups, codes: set[str], period: Period, scope: Scope) -> None:
    """Add the units of these codes that are valid during the period to the lookups."""
    for chunk in _chunks(sorted(codes)):
        found = (
            Unit.objects.during(period.starts_on, period.ends_on)
            .filter(code__any_of=chunk)
            .order_by("valid_from")
        )
        # The latest unit of a code wins; only those are checked against the scope.
        latest = {unit.code: unit for unit in found}
        look.units.update(latest)
        look.in_scope.update(u.id for u in latest.values() if scope.covers_path(u.path))


def _check(
    table: Rows,
    period: Period,
    scope: Scope,
    scheme: Scheme,
    progress: Callable[[int], None] | None = None,
) -> list[Person]:
    """Check every row as it is read; return the people, or raise with every error.

    `progress` is told how many rows have been checked, every PROGRESS_EVERY rows and at
    the end (before the write's transaction begins).
    """
    layout, header_errors = layout_of(table.headers, scheme.parsed.indicator_codes)
    if header_errors:
        raise ImportRefused(header_errors)
    look = Lookups(units={}, ethnicities=ethnicity_keys(), definition=scheme.parsed, in_scope=set())
    unit_index = layout.positions[col.UNIT]
    looked_up: set[str] = set()
    people: list[Person] = []
    errors: list[CellError] = []
    seen: dict[tuple[object, ...], int] = {}
    checked = 0
    for chunk in _chunks(table.numbered(), CHUNK):  # read at call time (tests lower it)
        # The units of the rows at hand, looked up once per code and chunk of rows.
        # In the form check_row looks them up in (NFC), whichever spelling comes first.
        codes = {look.text(cells[unit_index]) for _number, cells in chunk} - looked_up
        _units_load(look, codes, period, scope)
        looked_up |= codes
        for number, cells in chunk:
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
        before, checked = checked, checked + len(chunk)
        if progress and before // PROGRESS_EVERY != checked // PROGRESS_EVERY:
            progress(checked)
    if errors:
        raise ImportRefused([str(e) for e in errors])
    if progress:
        progress(checked)
    return people


def _identity(p: Person) -> tuple[object, ...]:
    if p.national_id:
        return ("cccd", p.national_id)
    return ("person", p.unit_id, p.search_name, p.birth_year, fold(p.household_code))


@collector_paused()
def import_assessments(
    *,
    table: Rows,
    period: Period,
    scope: Scope,
    state: State = State.SUBMITTED,
    actor: User | None = None,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    consent: ConsentMethod | None = None,
) -> ImportSummary:
    """Check the whole file, then write it in one transaction (rolled back for a dry run).

    `consent` says how the importing officer collected the people's consent; a write without
    it is refused, and each person of the file without consent on record gets it recorded.
    `progress(rows)` hears how far the check has got (see _check); it is called outside
    the transaction, so that it may record that where others can see it.
    """
    if state not in IMPORT_STATES:
        raise ImportRefused([_("An import can only create submitted or decided assessments.")])
    if consent is None and not dry_run:
        raise ImportRefused(
            [
                _(
                    "Confirm that the people of the file gave their consent (the signed paper"
                    " forms) before importing."
                )
            ]
        )
    scheme = period_scheme(period, SubjectType.CITIZEN)
    people = _check(table, period, scope, scheme, progress)
    # The checked people carry everything the write needs: let the raw cells go (memory).
    table.release()
    with transaction.atomic():
        summary = _Writer(period, scheme, scope, state, actor, consent).write(people)
        summary.rows = len(people)
        summary.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)
        elif len(people) >= ANALYZE_FROM:
            _analyze()
    return summary


def _analyze() -> None:
    """Refresh the planner's statistics of the tables a large import has just filled.

    Until autovacuum gets round to it, PostgreSQL plans the next queries as if the tables
    were as small as before: a count over 100,000 fresh rows, planned as a nested loop,
    ran for minutes instead of a fraction of a second. The statistics commit with the rows.
    Only the columns queries filter, join and group on are sampled, not the JSON documents
    or free text: at 100k rows 0.6 s instead of 1.8 s. Autovacuum analyses them all later.
    """
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in (Citizen, Household, Assessment, AssessmentEvent):
            columns = ", ".join(
                quote(f.column)
                for f in model._meta.concrete_fields
                if not isinstance(f, models.JSONField | models.TextField)
            )
            cursor.execute(f"ANALYZE {quote(model._meta.db_table)} ({columns})")


class _Writer:
    """The write phase: households, people, assessments, events and rollups in bulk."""

    def __init__(
        self,
        period: Period,
        scheme: Scheme,
        scope: Scope,
        state: State,
        actor: User | None,
        consent: ConsentMethod | None,
    ) -> None:
        self.period, self.scheme, self.scope = period, scheme, scope
        self.state, self.actor, self.consent = state, actor, consent
        self.actor_id = actor.pk if actor else None
        # One moment for every row and event the import writes.
        self.now = timezone.now()
        # The events of an import share all but their assessment, place, changes, chain and
        # the state they leave: one hasher for each state an assessment moves from.
        self.hashers: dict[str, Callable[[uuid.UUID, int, str, str], str]] = {}
        self.summary = ImportSummary()
        self.errors: list[str] = []

    def write(self, people: list[Person]) -> ImportSummary:
        households = self._households(people)
        citizens = self._citizens(people, households)
        self._assessments(people, citizens)
        if self.errors:
            raise ImportRefused(self.errors)
        if self.consent is not None:
            self.summary.consents_recorded = self._consents(citizens, self.consent)
        return self.summary

    def _consents(self, citizens: dict[int, Who], method: ConsentMethod) -> int:
        """Record consent for the file's people who have none in force (new ones have none)."""
        new = [w.citizen_id for w in citizens.values() if w.new]
        # The raw way in, as for the people themselves: one Consent per new person made
        # through the ORM cost about 2 s at 100,000 rows (bench/import.py went 1.58× → 1.98×).
        purpose, notice = CONSENT_PURPOSE, settings.HOCTAP_PRIVACY_NOTICE_VERSION
        insert_rows(
            Consent,
            _CONSENT_COLUMNS,
            ((pk, purpose, notice, method.value, self.now, self.actor_id) for pk in new),
        )
        known = [w.citizen_id for w in citizens.values() if not w.new]
        return len(new) + consents_record_missing(
            citizen_ids=known, method=method, recorded_by=self.actor, given_at=self.now
        )

    def _households(self, people: list[Person]) -> dict[tuple[int, str], Household]:
        wanted = {(p.unit_id, p.household_code) for p in people if p.household_code}
        found: dict[tuple[int, str], Household] = {}
        unit_ids = sorted({u for u, _c in wanted})
        for chunk in _chunks(unit_ids):
            for h in Household.objects.filter(unit_id__any_of=chunk):
                found[(h.unit_id, h.code)] = h
        missing = [Household(unit_id=u, code=c) for u, c in sorted(wanted - set(found))]
        for h in Household.objects.bulk_create(missing, batch_size=CHUNK):
            found[(h.unit_id, h.code)] = h
        return found

    def _citizens(
        self, people: list[Person], households: dict[tuple[int, str], Household]
    ) -> dict[int, Who]:
        """Match or create the citizen of every row; return who it is, by row number."""
        by_cccd = self._existing_by_cccd([p.national_id for p in people if p.national_id])
        by_key = self._existing_by_key([p for p in people if not p.national_id])
        result: dict[int, Who] = {}
        new: list[tuple[Person, Household | None]] = []
        for p in people:
            household = households.get((p.unit_id, p.household_code))
            if p.national_id:
                match = by_cccd.get(p.national_id)
                if match is not None and not self._visible(match):
                    reason = _("registered in another unit; that unit must enrol them")
                    self.errors.append(str(CellError(p.row, "Số CCCD", p.national_id, reason)))
                    continue
            else:
                match = by_key.get(
                    (p.unit_id, p.search_name, p.birth_year, household.pk if household else None)
                )
            if match is None:
                new.append((p, household))
                continue
            self.summary.citizens_matched += 1
            result[p.row] = Who(match.pk, match.sex, match.ethnicity_id, match.birth_year)
        result.update(self._create_citizens(new))
        self.summary.citizens_created = len(new)
        return result

    def _create_citizens(self, new: list[tuple[Person, Household | None]]) -> dict[int, Who]:
        """Insert new people in bulk, with keys reserved beforehand; return them by row number."""
        now = timezone.now()
        ids = ids_reserve(Citizen, len(new))
        uids = uuids_sorted(len(new))
        insert_rows(
            Citizen,
            _CITIZEN_COLUMNS,
            (
                (
                    pk,
                    uid,
                    p.full_name,
                    p.search_name,
                    p.birth_year,
                    p.sex,
                    p.ethnicity_id,
                    p.national_id,
                    household.pk if household else None,
                    p.unit_id,
                    now,
                    now,
                )
                for pk, uid, (p, household) in zip(ids, uids, new, strict=True)
            ),
        )
        return {
            p.row: Who(pk, p.sex, p.ethnicity_id, p.birth_year, new=True)
            for pk, (p, _h) in zip(ids, new, strict=True)
        }

    def _visible(self, citizen: Citizen) -> bool:
        paths = [citizen.home_unit.path] + ([citizen.workplace.path] if citizen.workplace else [])
        return any(self.scope.covers_path(path) for path in paths)

    def _existing_by_cccd(self, numbers: list[str]) -> dict[str, Citizen]:
        found: dict[str, Citizen] = {}
        for chunk in _chunks(sorted(set(numbers))):
            rows = Citizen.objects.filter(national_id__any_of=chunk).select_related(
                "home_unit", "workplace"
            )
            found.update({c.national_id: c for c in rows if c.national_id})
        return found

    def _existing_by_key(self, people: list[Person]) -> dict[tuple[Any, ...], Citizen]:
        found: dict[tuple[Any, ...], Citizen] = {}
        for chunk in _chunks(people, 2000):
            units = {p.unit_id for p in chunk}
            names = {p.search_name for p in chunk}
            rows = Citizen.objects.filter(
                home_unit_id__any_of=units, search_name__any_of=names
            ).only(
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

    def _assessments(self, people: list[Person], citizens: dict[int, Who]) -> None:
        existing = self._existing_assessments(
            [w.citizen_id for w in citizens.values() if not w.new]
        )
        new: list[tuple[Person, Who]] = []
        changed: list[Assessment] = []
        written: list[Written] = []
        moves: list[tuple[Contribution, int]] = []
        for p in people:
            who = citizens.get(p.row)
            if who is None:
                continue
            current = existing.get(who.citizen_id)
            if current is None:
                new.append((p, who))
            elif self._same(current, p):
                self.summary.unchanged += 1
                self.summary.by_state[current.state] += 1
            elif current.state == State.DECIDED:
                reason = _("already decided for this period; a decided assessment is locked")
                self.errors.append(str(CellError(p.row, "Họ và tên", p.full_name, reason)))
            else:
                moves.append((contribution(current), -1))
                before, scores_before = current.state, current.final_scores
                self._fill(current, p)
                current.version += 1
                changed.append(current)
                written.append(self._chained(current, before, scores_before))
                moves.append((contribution(current), 1))
        if self.errors:
            return
        Assessment.objects.bulk_update(changed, _FIELDS, batch_size=CHUNK)
        written += self._create_assessments(new, moves)
        self._events(written)
        rollup_apply(moves)
        self.summary.created, self.summary.updated = len(new), len(changed)
        self.summary.by_state.update(a.state for a in changed)
        self.summary.by_state[self.state] += len(new)

    def _hasher(self, from_state: str) -> Callable[[uuid.UUID, int, str, str], str]:
        hasher = self.hashers.get(from_state)
        if hasher is None:
            hasher = self.hashers[from_state] = event_hasher(
                at=self.now,
                actor_id=self.actor_id,
                access_code_id=None,
                action="import",
                from_state=from_state,
                to_state=self.state,
                reason="",
            )
        return hasher

    def _chained(self, a: Assessment, before: str, scores_before: dict[str, str]) -> Written:
        """Return the import event of an existing assessment, chained on; move its head."""
        seq, prev = a.event_count + 1, a.event_head
        changes = _changes(a.final_scores, scores_before, a.result)
        digest = self._hasher(before)(a.pk, seq, changes, prev)
        a.event_count, a.event_head = seq, digest
        return Written(a.pk, before, a.state, changes, seq, prev, digest)

    def _create_assessments(
        self, new: list[tuple[Person, Who]], moves: list[tuple[Contribution, int]]
    ) -> list[Written]:
        """Insert new assessments in bulk; add their rollup contributions to `moves`."""
        created: list[Written] = []
        # Rows with the same facts count alike: one contribution for each distinct kind.
        kinds: Counter[tuple[Any, ...]] = Counter()
        facts: dict[tuple[Any, ...], Facts] = {}
        # The rows are made as COPY takes them: the server inserts a row while Python hashes
        # the next, instead of waiting for all of them (the two run on two cores).
        insert_rows(Assessment, _ASSESSMENT_COLUMNS, self._rows(new, created, kinds, facts))
        minimum = rule_minimum(dict(self.scheme.parsed.rule))
        start_year = self.period.starts_on.year
        moves.extend(
            (contribution_of(facts[kind], start_year=start_year, minimum=minimum), n)
            for kind, n in kinds.items()
        )
        return created

    def _rows(
        self,
        new: list[tuple[Person, Who]],
        created: list[Written],
        kinds: Counter[tuple[Any, ...]],
        facts: dict[tuple[Any, ...], Facts],
    ) -> Iterator[tuple[Any, ...]]:
        """Yield each new assessment's row; record its first event and count its facts."""
        definition = self.scheme.parsed
        decided = self.state == State.DECIDED
        now, state, actor_id = self.now, self.state, self.actor_id
        period_id, scheme_id = self.period.pk, self.scheme.pk
        hasher = self._hasher(state)
        first_changes = FirstChanges()
        # In key order: the assessments and their events fill their indexes left to right.
        for aid, (p, who) in zip(uuids_sorted(len(new)), new, strict=True):
            outcome = outcome_of(definition, p.scores) if decided else None
            passed = outcome.passed if outcome else None
            # A new assessment's chain starts with its import event.
            changes = first_changes(p.scores, outcome.code if outcome else "")
            first = Written(
                aid, state, state, changes, 1, GENESIS, hasher(aid, 1, changes, GENESIS)
            )
            created.append(first)
            # Scores count only in a decided assessment's indicator cells.
            scores = tuple(p.scores.items()) if decided else ()
            kind = (p.unit_id, p.group, passed, who.sex, who.ethnicity_id, who.birth_year, scores)
            kinds[kind] += 1
            if kind not in facts:
                facts[kind] = Facts(
                    period_id,
                    p.unit_id,
                    p.group,
                    state,
                    passed,
                    who.sex,
                    who.ethnicity_id,
                    who.birth_year,
                    p.scores,
                )
            yield (
                aid,
                period_id,
                scheme_id,
                SubjectType.CITIZEN,
                who.citizen_id,
                p.unit_id,
                p.group,
                state,
                p.scores,
                p.scores if decided else {},
                p.scores,
                outcome.total if outcome else None,
                outcome.code if outcome else "",
                passed,
                1,
                "",
                "",
                "",
                actor_id,
                now,
                now,
                1,
                first.hash,
            )

    def _events(self, written: list[Written]) -> None:
        insert_rows(
            AssessmentEvent,
            _EVENT_COLUMNS,
            (
                (
                    w.assessment_id,
                    w.seq,
                    self.now,
                    self.actor_id,
                    "import",
                    w.from_state,
                    w.to_state,
                    "",
                    w.changes,
                    w.prev_hash,
                    w.hash,
                )
                for w in written
            ),
        )

    def _existing_assessments(self, citizen_ids: list[int]) -> dict[int, Assessment]:
        found: dict[int, Assessment] = {}
        for chunk in _chunks(sorted(citizen_ids)):
            # Locked: the import appends to their event chains and moves their heads.
            rows = (
                Assessment.objects.select_for_update(of=("self",))
                .filter(period=self.period, citizen_id__any_of=chunk)
                .select_related("period", "scheme", "citizen")
            )
            found.update({a.citizen_id: a for a in rows if a.citizen_id})
        return found

    def _same(self, a: Assessment, p: Person) -> bool:
        return (
            a.unit_id == p.unit_id
            and a.group == p.group
            and a.final_scores == p.scores
            and a.state == self.state
        )

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


def _changes(
    scores: dict[str, str], before: dict[str, str] | None = None, result: str = ""
) -> JsonText:
    """Return the import event's changes as canonical JSON, in the workflow's own form.

    {"final": {code: [before, after]}} for each score that moved (the import writes the
    self layer, and the reviewer layer when deciding, equal to the final one), and the
    result a deciding import gives, as the workflow's decision records it.
    """
    old = before or {}
    moved: dict[str, list[str | None]] = {
        c: [old.get(c), v] for c, v in scores.items() if old.get(c) != v
    }
    moved.update({c: [v, None] for c, v in old.items() if c not in scores})
    changes: dict[str, Any] = {"final": moved}
    if result:
        changes["result"] = result
    return JsonText(canonical(changes))


class FirstChanges:
    """`_changes(scores, result=result)` of new assessments, from parts encoded once each.

    The canonical text of {"final": {code: [null, value]}, "result": …} is its keys in sorted
    order, each entry encoded on its own: a file's few (indicator, score) pairs are encoded
    once, not once per row (a tenth of the time). A test holds the two equal.
    """

    def __init__(self) -> None:
        self._parts: dict[tuple[str, str], str] = {}

    def __call__(self, scores: dict[str, str], result: str = "") -> JsonText:
        # Scores are the checked text of each indicator (never None, never a number).
        parts = self._parts
        encoded = []
        for item in sorted(scores.items()):
            part = parts.get(item)
            if part is None:
                part = f"{canonical(item[0])}:[null,{canonical(item[1])}]"
                if len(parts) < _PARTS_KEPT:  # a scheme of fine-grained scores
                    parts[item] = part
            encoded.append(part)
        tail = f',"result":{canonical(result)}}}' if result else "}"
        return JsonText(f'{{"final":{{{",".join(encoded)}}}{tail}')


_PARTS_KEPT = 10_000
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
    "event_count",
    "event_head",
]
