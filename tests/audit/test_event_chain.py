"""The assessment events form one hash chain per assessment; verify-audit finds the first break."""

import io
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from hoctap.accounts.models import User
from hoctap.assessments.access import access_code_issue
from hoctap.assessments.models import Assessment, AssessmentEvent
from hoctap.audit.chain import GENESIS, event_hash
from hoctap.audit.verify import Break, events_verify
from tests.audit.tampering import delete_raw, insert_raw, replace_raw, row_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _pilot(index: int = 0) -> Assessment:
    """Return a decided pilot assessment (six events), by its place in the walk order."""
    return Assessment.objects.filter(period__code="2020-2021").order_by("pk")[index]


def _events(a: Assessment) -> list[AssessmentEvent]:
    return list(a.events.order_by("seq"))


def _verify() -> str:
    out = io.StringIO()
    call_command("verify-audit", stdout=out)
    return out.getvalue()


def _refused() -> str:
    with pytest.raises(CommandError) as refused:
        _verify()
    return str(refused.value)


def test_the_demo_record_is_intact_and_its_heads_are_printed() -> None:
    said = _verify()
    events = AssessmentEvent.objects.count()
    assessments = Assessment.objects.count()
    assert f"Assessment events: {events} events of {assessments} assessments checked." in said
    assert "Head of the assessment events" in said
    assert "The audit record is intact." in said


def test_every_demo_assessment_records_the_end_of_its_chain() -> None:
    a = _pilot()
    events = _events(a)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6]
    assert events[0].prev_hash == GENESIS
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert (a.event_count, a.event_head) == (6, events[-1].hash)


def test_a_service_write_chains_on_from_the_stored_head(commune_officer: User) -> None:
    a = Assessment.objects.filter(
        period__code="2021-2022", state="registered", unit__code__startswith="03289"
    ).first()
    assert a is not None
    head, count = a.event_head, a.event_count
    access_code_issue(user=commune_officer, assessment_id=a.pk)
    a.refresh_from_db()
    new = a.events.get(seq=count + 1)
    assert new.prev_hash == head
    assert (a.event_count, a.event_head) == (count + 1, new.hash)
    # Recomputed from what the database gives back: the stored moment round-trips exactly.
    assert new.hash == event_hash(
        assessment_id=a.pk,
        seq=new.seq,
        at=new.at,
        actor_id=new.actor_id,
        access_code_id=new.access_code_id,
        action=new.action,
        from_state=new.from_state,
        to_state=new.to_state,
        reason=new.reason,
        changes=new.changes,
        prev_hash=new.prev_hash,
    )
    assert events_verify().problem is None


def test_a_deleted_middle_event_is_named_by_assessment_and_number() -> None:
    a = _pilot(3)
    events = _events(a)
    delete_raw(AssessmentEvent, events[2].pk)

    problem = events_verify().problem
    assert problem is not None
    assert problem.kind is Break.MISSING
    assert problem.assessment_id == a.pk
    assert problem.missing == "3"
    assert problem.link is not None
    assert problem.link.id == events[3].pk
    said = _refused()
    assert f"record no. 3 is missing, just before event {events[3].pk} of assessment {a.pk}" in said
    assert "assessments_assessmentevent" in said


def test_an_altered_copy_put_back_under_the_same_id_is_named() -> None:
    a = _pilot(5)
    target = _events(a)[3]
    replace_raw(AssessmentEvent, target.pk, reason="Đã duyệt (sửa lại)")

    problem = events_verify().problem
    assert problem is not None
    assert problem.kind is Break.ALTERED
    assert problem.link is not None
    assert problem.link.id == target.pk
    assert f"event {target.pk} of assessment {a.pk} (no. 4, " in _refused()


def test_an_altered_copy_with_a_recomputed_hash_is_named_through_its_successor() -> None:
    a = _pilot(7)
    target = _events(a)[1]
    row = row_of(AssessmentEvent, target.pk)
    row["changes"] = {"self": {"CS1": [None, "10"]}}
    row["hash"] = event_hash(
        assessment_id=a.pk,
        seq=row["seq"],
        at=row["at"],
        actor_id=row["actor_id"],
        access_code_id=row["access_code_id"],
        action=row["action"],
        from_state=row["from_state"],
        to_state=row["to_state"],
        reason=row["reason"],
        changes=row["changes"],
        prev_hash=row["prev_hash"],
    )
    delete_raw(AssessmentEvent, target.pk)
    insert_raw(AssessmentEvent, row)

    problem = events_verify().problem
    assert problem is not None
    assert problem.kind is Break.REPLACED
    assert problem.link is not None
    assert problem.link.id == target.pk
    assert f"event {target.pk} of assessment {a.pk} (no. 2, " in _refused()


def test_a_deleted_last_event_is_caught_by_the_head_the_assessment_keeps() -> None:
    a = _pilot(2)
    events = _events(a)
    delete_raw(AssessmentEvent, events[-1].pk)

    problem = events_verify().problem
    assert problem is not None
    assert problem.kind is Break.TRUNCATED
    assert problem.link is not None
    assert problem.link.id == events[-2].pk
    assert f"the records after event {events[-2].pk} of assessment {a.pk}" in _refused()


def test_an_assessment_stripped_of_every_event_is_named() -> None:
    a = _pilot(4)
    for e in _events(a):
        delete_raw(AssessmentEvent, e.pk)

    assert f"all 6 records of assessment {a.pk} are missing" in _refused()


def test_an_event_slipped_in_after_the_head_is_named() -> None:
    a = _pilot(6)
    last = row_of(AssessmentEvent, _events(a)[-1].pk)
    forged = last | {"seq": 7, "action": "reopen", "prev_hash": last["hash"]}
    del forged["id"]
    forged["hash"] = event_hash(
        assessment_id=a.pk,
        seq=7,
        at=forged["at"],
        actor_id=forged["actor_id"],
        access_code_id=None,
        action="reopen",
        from_state=forged["from_state"],
        to_state=forged["to_state"],
        reason="",
        changes=forged["changes"],
        prev_hash=forged["prev_hash"],
    )
    insert_raw(AssessmentEvent, forged)

    problem = events_verify().problem
    assert problem is not None
    assert problem.kind is Break.EXTRA
    assert problem.link is not None
    assert problem.link.seq == 7


def test_only_the_first_break_in_walk_order_is_reported() -> None:
    first, later = _pilot(1), _pilot(8)
    delete_raw(AssessmentEvent, _events(later)[1].pk)
    delete_raw(AssessmentEvent, _events(first)[4].pk)

    problem = events_verify().problem
    assert problem is not None
    assert problem.assessment_id == first.pk


def test_the_refusal_is_worded_in_vietnamese_for_an_inspector() -> None:
    a = _pilot(9)
    delete_raw(AssessmentEvent, _events(a)[2].pk)
    with translation.override("vi"):
        said = _refused()
    assert "Nhật ký sự kiện phiếu đánh giá" in said
    assert str(a.pk) in said
