"""The access log is one hash chain; verify-audit names the first entry removed or altered."""

import io
import re
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from hoctap.accounts.models import User
from hoctap.audit.models import ACCESS_LOG, AccessAction, AccessLogEntry, ChainHead
from hoctap.audit.services import access_log_record
from hoctap.audit.verify import Break, access_log_verify
from tests.audit.tampering import delete_raw, insert_raw, replace_raw, row_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _log(user: User, n: int) -> list[AccessLogEntry]:
    return [
        access_log_record(
            user=user,
            action=AccessAction.VIEW,
            object_type="citizen",
            object_id=i,
            detail={"q": "Lò Văn", "page": i, "filters": ("unit", None)},
        )
        for i in range(n)
    ]


def test_entries_are_numbered_and_chained_and_the_head_moves(commune_officer: User) -> None:
    entries = _log(commune_officer, 4)
    assert [e.seq for e in entries] == list(range(entries[0].seq, entries[0].seq + 4))
    assert [e.prev_hash for e in entries[1:]] == [e.hash for e in entries[:-1]]
    head = ChainHead.objects.get(name=ACCESS_LOG)
    assert (head.count, head.head) == (entries[-1].seq, entries[-1].hash)
    report = access_log_verify()
    assert report.problem is None
    assert (report.records, report.head) == (head.count, head.head)


def test_a_deleted_entry_is_named_by_its_number(commune_officer: User) -> None:
    entries = _log(commune_officer, 5)
    delete_raw(AccessLogEntry, entries[1].pk)

    problem = access_log_verify().problem
    assert problem is not None
    assert problem.kind is Break.MISSING
    assert problem.missing == str(entries[1].seq)
    assert problem.link is not None
    assert problem.link.id == entries[2].pk
    assert f"just before entry {entries[2].pk} (no. {entries[2].seq}, " in str(problem)
    assert "audit_accesslogentry" in str(problem)


def test_an_altered_copy_is_named(commune_officer: User) -> None:
    entries = _log(commune_officer, 3)
    replace_raw(AccessLogEntry, entries[1].pk, object_id="999")

    problem = access_log_verify().problem
    assert problem is not None
    assert problem.kind is Break.ALTERED
    assert problem.link is not None
    assert problem.link.id == entries[1].pk


def test_a_deleted_last_entry_is_caught_by_the_head(commune_officer: User) -> None:
    entries = _log(commune_officer, 3)
    delete_raw(AccessLogEntry, entries[-1].pk)

    problem = access_log_verify().problem
    assert problem is not None
    assert problem.kind is Break.TRUNCATED
    assert problem.link is not None
    assert problem.link.id == entries[-2].pk


def test_an_entry_written_past_the_head_is_named(commune_officer: User) -> None:
    entries = _log(commune_officer, 2)
    forged = row_of(AccessLogEntry, entries[-1].pk) | {"seq": entries[-1].seq + 1}
    del forged["id"]
    insert_raw(AccessLogEntry, forged)

    problem = access_log_verify().problem
    assert problem is not None
    assert problem.kind is Break.EXTRA
    assert problem.link is not None
    assert problem.link.seq == entries[-1].seq + 1


def test_the_head_row_is_made_again_after_a_flush(commune_officer: User) -> None:
    AccessLogEntry.objects.all().delete()
    ChainHead.objects.all().delete()

    entry = _log(commune_officer, 1)[0]

    assert (entry.seq, entry.prev_hash) == (1, "")
    assert access_log_verify().problem is None


def _verify(*args: str) -> str:
    out = io.StringIO()
    call_command("verify-audit", *args, stdout=out)
    return out.getvalue()


def test_a_noted_head_still_anchors_the_log_after_more_entries(commune_officer: User) -> None:
    _log(commune_officer, 2)
    printed = re.search(r"Head of the access log: no\. (\d+), ([0-9a-f]{64})", _verify())
    assert printed is not None
    anchor = f"{printed[1]}:{printed[2]}"
    _log(commune_officer, 3)

    assert "The audit record is intact." in _verify("--anchor", anchor)


def test_a_log_rewritten_whole_with_fresh_hashes_fails_its_anchor(commune_officer: User) -> None:
    _log(commune_officer, 3)
    head = ChainHead.objects.get(name=ACCESS_LOG)
    anchor = f"{head.count}:{head.head}"
    # A forger with the code: throw the log away and write a clean-looking one.
    AccessLogEntry.objects.all().delete()
    ChainHead.objects.all().delete()
    _log(commune_officer, head.count)
    assert access_log_verify().problem is None

    with pytest.raises(CommandError, match=f"no longer holds entry no. {head.count} with the hash"):
        _verify("--anchor", anchor)
