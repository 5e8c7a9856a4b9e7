"""Checking the results against the audit record (ADR 0024).

Every assessment row is compared with what its replayed event chain says, every certificate
with the chain of the assessment it certifies, and every title decision with what the scheme's
rule gives for the scores and member counts it recorded (title entries have no chain).

Three ordered reads in step, in chunks, in one snapshot: the assessment rows, their events
and their certificates, each ordered by assessment. Memory stays that of one assessment; the
cost is one more pass over the events, without the hashing.
"""

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby
from typing import Any
from uuid import UUID

from django.db import connection, transaction
from django.db.models import QuerySet

from hoctap.assessments.models import Assessment, AssessmentEvent
from hoctap.audit.replay import OutcomeOf, Replayed, Row, difference, replay
from hoctap.recognition.models import Certificate, TitleEntry
from hoctap.schemes.candidates import member_rule
from hoctap.schemes.models import Scheme
from hoctap.schemes.rules import MemberCounts, Outcome, RuleError, Scores, evaluator

CHUNK = 5000
# How many problems of each kind a report names; beyond that it only counts them.
NAMED = 200

_ROW_FIELDS = (
    "pk",
    "period__code",
    "scheme_id",
    "state",
    "self_scores",
    "reviewer_scores",
    "final_scores",
    "final_total",
    "result",
    "passed",
    "decision_number",
    "decision_date",
    "decision_body",
)


@dataclass(frozen=True)
class Disagreement:
    """A record that differs from what its audit record says: the first field, both values."""

    record_id: UUID | int
    period: str
    field: str
    stored: Any
    recorded: Any


class CertificateCheck:
    """How a certificate can fail to match the chain of its assessment."""

    NOT_IN_CHAIN = "not_in_chain"  # no event of the chain issued this serial
    MISSING = "missing"  # the chain issued it; the certificate is gone
    REVOKED = "revoked"  # revoked on the row and not in the chain, or the reverse
    NOT_PASSED = "not_passed"  # current, while the chain does not show decided and passed
    NUMBERING = "numbering"  # its serial is not its issuer, year and number


@dataclass(frozen=True)
class CertificateProblem:
    serial: str
    assessment_id: UUID
    kind: str


@dataclass
class ResultsReport:
    """What was compared, and what disagrees (the first NAMED of each kind, and how many)."""

    assessments: int = 0
    certificates: int = 0
    titles: int = 0
    disagreeing: int = 0
    disagreements: list[Disagreement] = field(default_factory=list)
    certificates_wrong: int = 0
    certificate_problems: list[CertificateProblem] = field(default_factory=list)
    titles_disagreeing: int = 0
    title_disagreements: list[Disagreement] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not (self.disagreeing or self.certificates_wrong or self.titles_disagreeing)


@contextmanager
def read_snapshot() -> Iterator[None]:
    """Read every statement inside from one snapshot, without blocking any writer.

    The reads are separate statements: without one snapshot, a transition committed between
    them would look like a row that disagrees with its chain. PostgreSQL gives it with a
    read-only REPEATABLE READ transaction; SQLite (WAL) with a deferred transaction, which
    takes no write lock (an atomic block would take one: ADR 0005's IMMEDIATE). Inside a
    transaction already (tests), that transaction's reads are what is checked.
    """
    if connection.in_atomic_block:
        yield
    elif connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    else:
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")


class _Outcomes:
    """Each scheme's rule over final scores, the schemes read once and their rules checked once.

    Not `outcome_of`, which checks the rule again on every call: the same evaluation, a third
    of the replay's time saved.
    """

    def __init__(self) -> None:
        self.schemes = {s.pk: s for s in Scheme.objects.only("pk", "definition")}
        self.rules: dict[int, Callable[[Scores, MemberCounts | None], Outcome] | None] = {}

    def of(self, scheme_id: int) -> OutcomeOf:
        def outcome(scores: Mapping[str, str]) -> Outcome | None:
            return self.evaluate(scheme_id, scores)

        return outcome

    def evaluate(
        self, scheme_id: int, scores: Mapping[str, str], members: MemberCounts | None = None
    ) -> Outcome | None:
        """Return the rule's result, or None when the rule gives none for these scores."""
        if scheme_id not in self.rules:
            try:
                self.rules[scheme_id] = evaluator(self.schemes[scheme_id].parsed.rule)
            except RuleError:
                self.rules[scheme_id] = None
        rule = self.rules[scheme_id]
        try:
            return rule({c: Decimal(v) for c, v in scores.items()}, members) if rule else None
        except (RuleError, ArithmeticError, TypeError):
            return None


def _of_periods(rows: QuerySet[Any], period_ids: list[int] | None, through: str) -> QuerySet[Any]:
    return rows if period_ids is None else rows.filter(**{f"{through}__in": period_ids})


class _Stream:
    """Rows grouped by assessment, taken in step with the assessments walked in the same order."""

    def __init__(self, rows: Iterator[tuple[Any, ...]]) -> None:
        self.groups = ((aid, list(group)) for aid, group in groupby(rows, key=lambda r: r[0]))
        self.head = next(self.groups, None)

    def of(self, aid: UUID) -> list[tuple[Any, ...]]:
        # Both sides are ordered by the same column, and UUIDs compare as the databases order
        # them (PostgreSQL's uuid byte by byte, SQLite's 32 hex digits as text).
        while self.head is not None and self.head[0] < aid:
            self.head = next(self.groups, None)
        if self.head is None or self.head[0] != aid:
            return []
        found = self.head[1]
        self.head = next(self.groups, None)
        return found


def results_verify(
    *, chunk_size: int = CHUNK, period_ids: list[int] | None = None, titles: bool = True
) -> ResultsReport:
    """Replay every assessment's chain and compare its row and certificates; check the titles."""
    report = ResultsReport()
    with read_snapshot():
        outcomes = _Outcomes()
        _assessments(report, outcomes, chunk_size, period_ids)
        if titles:
            _titles(report, outcomes, chunk_size, period_ids)
    return report


def _assessments(
    report: ResultsReport, outcomes: _Outcomes, chunk_size: int, period_ids: list[int] | None
) -> None:
    rows = _of_periods(Assessment.objects.order_by("pk"), period_ids, "period_id")
    events = _of_periods(
        AssessmentEvent.objects.order_by("assessment_id", "seq"), period_ids, "assessment__period"
    )
    held = _of_periods(
        Certificate.objects.order_by("assessment_id", "pk"), period_ids, "assessment__period"
    )
    chains = _Stream(
        events.values_list("assessment_id", "action", "to_state", "changes").iterator(
            chunk_size=chunk_size
        )
    )
    certificates = _Stream(
        held.values_list(
            "assessment_id", "serial", "revoked_at", "issuer__code", "year", "number"
        ).iterator(chunk_size=chunk_size)
    )
    for aid, period, scheme_id, *values in rows.values_list(*_ROW_FIELDS).iterator(
        chunk_size=chunk_size
    ):
        replayed = Replayed()
        outcome = outcomes.of(scheme_id)
        for _aid, action, to_state, changes in chains.of(aid):
            replay(replayed, action=action, to_state=to_state, changes=changes, outcome_of=outcome)
        report.assessments += 1
        found = difference(Row(*values), replayed)
        if found is not None:
            report.disagreeing += 1
            if len(report.disagreements) < NAMED:
                report.disagreements.append(Disagreement(aid, period, *found))
        mine = certificates.of(aid)
        report.certificates += len(mine)
        problems = _certificate_problems(aid, mine, replayed)
        report.certificates_wrong += len(problems)
        report.certificate_problems += problems[: NAMED - len(report.certificate_problems)]


def _certificate_problems(
    aid: UUID, held: list[tuple[Any, ...]], replayed: Replayed
) -> list[CertificateProblem]:
    """Compare an assessment's certificates with those its chain issued and revoked."""
    problems = []
    for _aid, serial, revoked_at, issuer_code, year, number in held:
        revoked = revoked_at is not None
        chained = replayed.certificates.get(serial)
        if chained is None:
            kind = CertificateCheck.NOT_IN_CHAIN
        elif serial != f"{issuer_code}/{year}/{number:04d}":
            kind = CertificateCheck.NUMBERING
        elif chained != revoked:
            kind = CertificateCheck.REVOKED
        elif not revoked and not replayed.certifiable:
            kind = CertificateCheck.NOT_PASSED
        else:
            continue
        problems.append(CertificateProblem(serial, aid, kind))
    kept = {serial for _aid, serial, *_rest in held}
    problems += [
        CertificateProblem(serial, aid, CertificateCheck.MISSING)
        for serial in replayed.certificates
        if serial not in kept
    ]
    return problems


def _titles(
    report: ResultsReport, outcomes: _Outcomes, chunk_size: int, period_ids: list[int] | None
) -> None:
    """Compare each title decision's result with the rule over its own scores and counts."""
    decided = _of_periods(
        TitleEntry.objects.filter(passed__isnull=False).order_by("pk"), period_ids, "period_id"
    )
    rows = decided.values_list(
        "pk",
        "period__code",
        "scheme_id",
        "scores",
        "members_holding",
        "members_total",
        "result",
        "passed",
    )
    for pk, period, scheme_id, scores, holding, total, result, passed in rows.iterator(
        chunk_size=chunk_size
    ):
        report.titles += 1
        rule = outcomes.schemes[scheme_id].rule
        counted = holding is not None and total is not None
        members = MemberCounts(holding, total) if member_rule(rule) and counted else None
        outcome = outcomes.evaluate(scheme_id, scores, members)
        found = next(
            (
                (name, stored, recorded)
                for name, stored, recorded in (
                    ("result", result, outcome.code if outcome else None),
                    ("passed", passed, outcome.passed if outcome else None),
                )
                if stored != recorded
            ),
            None,
        )
        if found is not None:
            report.titles_disagreeing += 1
            if len(report.title_disagreements) < NAMED:
                report.title_disagreements.append(Disagreement(pk, period, *found))
