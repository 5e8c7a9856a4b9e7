"""Appending to an assessment's event history, a hash chain per assessment (ADR 0024).

The caller holds the assessment row locked (select_for_update), or has just created it, so
its `event_count` and `event_head` are current and no other writer can fork the chain; the
unique (assessment, seq) constraint refuses a fork should that ever fail.
"""

import json
from datetime import date
from typing import Any

from django.utils import timezone

from hoctap.assessments.models import Assessment, AssessmentEvent
from hoctap.audit.chain import event_hash

# The key of a decide event's changes that records the decision itself, so that a replay of
# the chain can tell the decision on the row from one written past the services (ADR 0024).
DECISION_KEY = "decision"


def decision_record(*, number: str, on: date | None, body: str) -> dict[str, Any]:
    """Return a decision's number, date and body as a decide event records them."""
    return {"number": number, "date": on.isoformat() if on else None, "body": body}


def event_new(
    assessment: Assessment,
    *,
    actor_id: int | None,
    action: str,
    from_state: str,
    to_state: str,
    access_code_id: int | None = None,
    reason: str = "",
    changes: dict[str, Any] | None = None,
) -> AssessmentEvent:
    """Return the next event of the assessment's chain, unsaved, and advance its head in memory."""
    # Stored and hashed in the form it reads back from the database (tuples become lists).
    stored = json.loads(json.dumps(changes or {}))
    at = timezone.now()
    seq = assessment.event_count + 1
    digest = event_hash(
        assessment_id=assessment.pk,
        seq=seq,
        at=at,
        actor_id=actor_id,
        access_code_id=access_code_id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        changes=stored,
        prev_hash=assessment.event_head,
    )
    event = AssessmentEvent(
        assessment=assessment,
        seq=seq,
        at=at,
        actor_id=actor_id,
        access_code_id=access_code_id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        changes=stored,
        prev_hash=assessment.event_head,
        hash=digest,
    )
    assessment.event_count, assessment.event_head = seq, digest
    return event


def event_append(
    assessment: Assessment,
    *,
    actor_id: int | None,
    action: str,
    from_state: str,
    to_state: str,
    access_code_id: int | None = None,
    reason: str = "",
    changes: dict[str, Any] | None = None,
) -> AssessmentEvent:
    """Write the next event of a locked assessment and move its head."""
    event = event_new(
        assessment,
        actor_id=actor_id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        access_code_id=access_code_id,
        reason=reason,
        changes=changes,
    )
    event.save(force_insert=True)
    Assessment.objects.filter(pk=assessment.pk).update(
        event_count=assessment.event_count, event_head=assessment.event_head
    )
    return event
