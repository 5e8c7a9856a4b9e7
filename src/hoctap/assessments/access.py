"""Citizen self-service: per-assessment access codes, and acting through one.

An officer issues a code for one assessment and prints it with a QR link. Whoever holds the
code may open that assessment only, enter self-assessment scores, add evidence and submit; the
code ends when the assessment is submitted, when a new code replaces it, or when it expires.
Only an HMAC of the code is stored, so the database alone does not give the codes away.
Wrong codes are counted per client address; past the limit every attempt is refused for a while.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hoctap.accounts.models import User
from hoctap.accounts.scoping import scope_for
from hoctap.assessments.events import event_append
from hoctap.assessments.models import AccessCode, Assessment
from hoctap.assessments.workflow import CITIZEN, LAYER_ROLES, LAYER_STATES
from hoctap.core.errors import Conflict, DomainError, Forbidden, NotFound
from hoctap.core.ratelimit import rate_count, rate_hits

# Crockford's base32: no I, L, O or U, so a code read aloud or typed from paper survives.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10  # 50 bits
_CONFUSABLE = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})
CITIZEN_STATES = LAYER_STATES["self"]


class TooManyAttempts(DomainError):
    """Too many wrong codes from one address: wait before trying again."""

    status = 429


@dataclass(frozen=True)
class CitizenAccess:
    """The citizen acting on one assessment through one access code."""

    assessment_id: UUID
    code_id: int


def code_normalise(raw: str) -> str:
    """Return a typed code in canonical form: upper case, no spaces or dashes."""
    kept = "".join(ch for ch in raw.upper() if ch.isalnum())
    return kept.translate(_CONFUSABLE)


def code_display(code: str) -> str:
    """Return a code grouped for reading: ABCDE-FGHJK."""
    return f"{code[:5]}-{code[5:]}"


def _digest(code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, b"access-code:" + code.encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def access_code_issue(*, user: User, assessment_id: UUID) -> tuple[AccessCode, str]:
    """Issue a new code for an assessment the user may assist; return it and the code.

    A code issued before for the same assessment ends: the newest printed card is the one
    that works.
    """
    scope = scope_for(user)
    try:
        assessment = scope.filter(
            Assessment.objects.select_for_update(of=("self",)).select_related("unit", "period"),
            "unit",
        ).get(pk=assessment_id)
    except (Assessment.DoesNotExist, ValueError):
        raise NotFound(_("No such assessment.")) from None
    if not scope.roles_at(assessment.unit.path) & (LAYER_ROLES["self"] - {CITIZEN}):
        raise Forbidden(_("Your role may not issue access codes."))
    if assessment.state not in CITIZEN_STATES:
        raise Conflict(_("A code can be issued only before the assessment is submitted."))
    now = timezone.now()
    AccessCode.objects.filter(assessment=assessment, ended_at__isnull=True).update(ended_at=now)
    code = "".join(secrets.choice(ALPHABET) for _i in range(LENGTH))
    issued = AccessCode.objects.create(
        assessment=assessment,
        digest=_digest(code),
        created_by=user,
        expires_at=now + timedelta(days=settings.HOCTAP_ACCESS_CODE_DAYS),
    )
    event_append(
        assessment,
        actor_id=user.pk,
        action="access_code",
        from_state=assessment.state,
        to_state=assessment.state,
        changes={"expires_at": issued.expires_at.isoformat()},
    )
    return issued, code


def _usable(code_id: int) -> AccessCode | None:
    return (
        AccessCode.objects.select_related("assessment")
        .filter(
            pk=code_id,
            ended_at__isnull=True,
            expires_at__gt=timezone.now(),
            assessment__state__in=CITIZEN_STATES,
        )
        .first()
    )


def access_code_open(*, code: str, client: str) -> CitizenAccess:
    """Check a typed or scanned code and return the access it gives.

    A wrong code counts against the client's address; past the limit in the window every
    attempt from that address is refused, right or wrong, until the window is over.
    """
    window = timedelta(minutes=settings.HOCTAP_ACCESS_CODE_WINDOW_MINUTES)
    key = f"access-code:{client}"
    if rate_hits(key, per=window) >= settings.HOCTAP_ACCESS_CODE_ATTEMPTS:
        raise TooManyAttempts(
            _("Too many wrong codes from this device. Please wait %(m)d minutes and try again.")
            % {"m": settings.HOCTAP_ACCESS_CODE_WINDOW_MINUTES}
        )
    found = AccessCode.objects.filter(digest=_digest(code_normalise(code))).first()
    usable = _usable(found.pk) if found else None
    if usable is None:
        rate_count(key, per=window)
        raise NotFound(_("This code is not right, or it has ended (the assessment was submitted)."))
    return CitizenAccess(assessment_id=usable.assessment_id, code_id=usable.pk)


def access_check(access: CitizenAccess) -> Assessment:
    """Return the assessment an access still opens, or raise NotFound when it has ended."""
    usable = _usable(access.code_id)
    if usable is None or usable.assessment_id != access.assessment_id:
        raise NotFound(_("This code has ended. Ask your association for a new one."))
    return usable.assessment


def access_codes_end(assessment: Assessment) -> None:
    """End every code of an assessment (it was submitted)."""
    AccessCode.objects.filter(assessment=assessment, ended_at__isnull=True).update(
        ended_at=timezone.now()
    )
