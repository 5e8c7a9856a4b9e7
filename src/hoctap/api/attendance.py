"""POST /api/v1/sessions/{id}/attendance: the field app sends who attended a session."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from hoctap.api.api import api_user
from hoctap.api.schemas import AttendanceIn, AttendanceOut, Message
from hoctap.learning.selectors import session_get
from hoctap.learning.services import attendance_record

router = Router(tags=["attendance"])
ERRORS = {400: Message, 403: Message, 404: Message}


@router.post("/sessions/{session_id}/attendance", response={200: AttendanceOut, **ERRORS})
def attendance_send(request: HttpRequest, session_id: int, payload: AttendanceIn) -> AttendanceOut:
    """Record who attended a session; sending the same list again adds nobody.

    Every id must be a person living in the session's commune, or nothing is recorded (400).
    A session outside the caller's scope is not found (404); a role that does not run the
    commune's learning centre is refused (403).
    """
    user = api_user(request)
    session = session_get(user=user, pk=session_id)
    if not payload.citizens:
        raise ValidationError(_("Send at least one person who attended."))
    added = attendance_record(user=user, session=session, citizen_ids=payload.citizens)
    return AttendanceOut(session=session.pk, added=added, present=session.attendances.count())
