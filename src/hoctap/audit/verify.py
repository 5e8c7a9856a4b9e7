"""Checking the audit record: recompute both hash chains and find the first break (ADR 0024).

One ordered pass per table, in chunks, keeping only the previous link: constant memory at any
size. Every assessment event is read in one statement (assessments joined to their events), so
the heads and the events come from one snapshot even while officers keep working.
"""

import enum
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from uuid import UUID

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from hoctap.assessments.models import Assessment
from hoctap.audit.chain import GENESIS, access_hash, event_hash
from hoctap.audit.models import ACCESS_LOG, AccessLogEntry, ChainHead

CHUNK = 5000
EVENTS_TABLE = "assessments_assessmentevent"
ACCESS_TABLE = "audit_accesslogentry"
# The triggers that refuse UPDATE, by table (created by the migrations).
GUARDS = {
    EVENTS_TABLE: "assessmentevent_append_only",
    ACCESS_TABLE: "accesslogentry_append_only",
}


class Break(enum.Enum):
    ALTERED = "altered"  # the content no longer gives the stored hash
    MISSING = "missing"  # numbers skipped: records removed from the middle
    REPLACED = "replaced"  # the next record (or the head) was chained to a different one
    TRUNCATED = "truncated"  # records removed from the end
    EXTRA = "extra"  # a record beyond the recorded end


@dataclass(frozen=True)
class Link:
    """One stored record of a chain, with the hash its content gives now."""

    id: int
    seq: int
    at: datetime
    prev_hash: str
    hash: str
    computed: str


@dataclass(frozen=True)
class Problem:
    """The first break found in one table."""

    table: str
    kind: Break
    link: Link | None  # the record named; None when every record of the chain is gone
    assessment_id: UUID | None
    count: int  # how many records the chain's head says were written
    missing: str = ""  # the numbers missing, "3" or "3–5"

    def __str__(self) -> str:
        return describe(self)


@dataclass(frozen=True)
class ChainReport:
    """What was checked in one table and the first break, if any."""

    table: str
    records: int
    chains: int
    head: str
    problem: Problem | None


class _Walk:
    """Follow one chain link by link; stop at the first break."""

    def __init__(self, table: str, assessment_id: UUID | None, count: int) -> None:
        self.table, self.assessment_id, self.count = table, assessment_id, count
        self.last: Link | None = None

    def problem(self, kind: Break, link: Link | None, missing: str = "") -> Problem:
        return Problem(self.table, kind, link, self.assessment_id, self.count, missing)

    def add(self, link: Link) -> Problem | None:
        expected = self.last.seq + 1 if self.last else 1
        prev = self.last.hash if self.last else GENESIS
        if link.computed != link.hash:
            return self.problem(Break.ALTERED, link)
        if link.seq > expected:
            gap = str(expected) if link.seq == expected + 1 else f"{expected}–{link.seq - 1}"
            return self.problem(Break.MISSING, link, gap)
        if link.seq < expected or link.seq > self.count:
            return self.problem(Break.EXTRA, link)
        if link.prev_hash != prev:
            return self.problem(Break.REPLACED, self.last or link)
        self.last = link
        return None

    def end(self, head: str) -> Problem | None:
        if (self.last.seq if self.last else 0) < self.count:
            return self.problem(Break.TRUNCATED, self.last)
        if (self.last.hash if self.last else GENESIS) != head:
            return self.problem(Break.REPLACED, self.last)
        return None


def _event_rows(chunk_size: int) -> Iterator[tuple[UUID, int, str, Link | None]]:
    rows = (
        Assessment.objects.order_by("pk", "events__seq")
        .values_list(
            "pk",
            "event_count",
            "event_head",
            "events__pk",
            "events__seq",
            "events__at",
            "events__actor",
            "events__access_code",
            "events__action",
            "events__from_state",
            "events__to_state",
            "events__reason",
            "events__changes",
            "events__prev_hash",
            "events__hash",
        )
        .iterator(chunk_size=chunk_size)
    )
    for (
        aid,
        count,
        head,
        pk,
        seq,
        at,
        actor,
        code,
        action,
        fr,
        to,
        reason,
        changes,
        prev,
        h,
    ) in rows:
        if pk is None:  # an assessment none of whose events is left
            yield aid, count, head, None
            continue
        computed = event_hash(
            assessment_id=aid,
            seq=seq,
            at=at,
            actor_id=actor,
            access_code_id=code,
            action=action,
            from_state=fr,
            to_state=to,
            reason=reason,
            changes=changes,
            prev_hash=prev,
        )
        yield aid, count, head, Link(pk, seq, at, prev, h, computed)


def events_verify(chunk_size: int = CHUNK) -> ChainReport:
    """Walk every assessment's event chain; return the counts and the first break."""
    table = EVENTS_TABLE
    records = chains = 0
    heads = hashlib.sha256()
    for (aid, count, head), rows in groupby(_event_rows(chunk_size), key=lambda r: r[:3]):
        chains += 1
        heads.update(f"{aid}:{head}\n".encode())
        walk = _Walk(table, aid, count)
        for *_key, link in rows:
            if link is None:
                continue
            records += 1
            found = walk.add(link)
            if found:
                return ChainReport(table, records, chains, heads.hexdigest(), found)
        found = walk.end(head)
        if found:
            return ChainReport(table, records, chains, heads.hexdigest(), found)
    return ChainReport(table, records, chains, heads.hexdigest(), None)


_ACCESS_FIELDS = (
    "pk",
    "seq",
    "at",
    "user",
    "action",
    "object_type",
    "object_id",
    "detail",
    "prev_hash",
    "hash",
)


def _access_links(count: int, chunk_size: int) -> Iterator[Link]:
    rows = (
        AccessLogEntry.objects.filter(seq__lte=count)
        .order_by("seq")
        .values_list(*_ACCESS_FIELDS)
        .iterator(chunk_size=chunk_size)
    )
    for pk, seq, at, user, action, otype, oid, detail, prev, h in rows:
        computed = access_hash(
            seq=seq,
            at=at,
            user_id=user,
            action=action,
            object_type=otype,
            object_id=oid,
            detail=detail,
            prev_hash=prev,
        )
        yield Link(pk, seq, at, prev, h, computed)


def access_log_verify(chunk_size: int = CHUNK) -> ChainReport:
    """Walk the access log's chain up to its head; return the counts and the first break."""
    table = ACCESS_TABLE
    head = ChainHead.objects.filter(name=ACCESS_LOG).first() or ChainHead(name=ACCESS_LOG)
    walk = _Walk(table, None, head.count)
    records = 0
    for link in _access_links(head.count, chunk_size):
        records += 1
        found = walk.add(link)
        if found:
            return ChainReport(table, records, 1, head.head, found)
    found = walk.end(head.head)
    if found is None:
        found = _beyond_head(walk)
    return ChainReport(table, records, 1, head.head, found)


def _beyond_head(walk: _Walk) -> Problem | None:
    """Return an entry written past the head without moving it, if there is one."""
    # The highest number first, then the head again: an entry appended meanwhile has moved
    # the head in the same transaction, so only an entry that bypassed it remains beyond.
    top = AccessLogEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    fresh = ChainHead.objects.filter(name=ACCESS_LOG).values_list("count", flat=True).first()
    if top is None or top <= (fresh or 0):
        return None
    entry = AccessLogEntry.objects.filter(seq__gt=fresh or 0).order_by("seq").first()
    if entry is None:
        return None
    link = Link(entry.pk, entry.seq, entry.at, entry.prev_hash, entry.hash, entry.hash)
    return walk.problem(Break.EXTRA, link)


def guards_missing() -> list[str]:
    """Return the audit tables whose append-only trigger is missing or disabled."""
    names = list(GUARDS.values())
    marks = ", ".join(["%s"] * len(names))
    if connection.vendor == "postgresql":
        sql = f"SELECT tgname FROM pg_trigger WHERE tgname IN ({marks}) AND tgenabled <> 'D'"  # noqa: S608
    else:
        sql = f"SELECT name FROM sqlite_master WHERE type = 'trigger' AND name IN ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, names)
        present = {row[0] for row in cursor.fetchall()}
    return [table for table, trigger in GUARDS.items() if trigger not in present]


def _when(at: datetime) -> str:
    return timezone.localtime(at).strftime("%d/%m/%Y %H:%M:%S.%f")


def _where(p: Problem, link: Link) -> str:
    values = {"id": link.id, "seq": link.seq, "at": _when(link.at), "assessment": p.assessment_id}
    if p.assessment_id is None:
        return _("entry %(id)s (no. %(seq)d, %(at)s)") % values
    return _("event %(id)s of assessment %(assessment)s (no. %(seq)d, %(at)s)") % values


def describe(p: Problem) -> str:
    """Return the problem as a sentence naming the table, the record, its assessment and time."""
    table = _("Assessment events") if p.table == EVENTS_TABLE else _("Access log")
    values = {"table": f"{table} ({p.table})", "count": p.count, "missing": p.missing}
    if p.link is None:
        values["chain"] = (
            _("assessment %(a)s") % {"a": p.assessment_id} if p.assessment_id else _("the log")
        )
        return _("%(table)s: all %(count)d records of %(chain)s are missing.") % values
    values["where"] = _where(p, p.link)
    messages = {
        Break.ALTERED: _("%(table)s: %(where)s was altered: its content no longer gives its hash."),
        Break.MISSING: _("%(table)s: record no. %(missing)s is missing, just before %(where)s."),
        Break.REPLACED: _(
            "%(table)s: %(where)s was altered or replaced: what follows it in the chain was "
            "chained to a different record."
        ),
        Break.TRUNCATED: _(
            "%(table)s: the records after %(where)s are missing: %(count)d were written."
        ),
        Break.EXTRA: _(
            "%(table)s: %(where)s is not part of the chain: only %(count)d records were written."
        ),
    }
    return messages[p.kind] % values
