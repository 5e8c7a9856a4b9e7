"""Enrolment: the one way a person is enrolled for a period, whatever the channel.

The page, the API (and through it the field app) call `enrolment_create`; the importer, which
writes in bulk, records consent with `consents_record_missing`. Either way a person is enrolled
only with their consent recorded: how it was given, when, and under which notice.
"""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hoctap.accounts.models import User
from hoctap.accounts.scoping import scope_for
from hoctap.assessments.models import Assessment, Period
from hoctap.assessments.services import assessment_register
from hoctap.core.errors import CONSENT_MISSING, NotFound
from hoctap.organisation.selectors import unit_resolve_between
from hoctap.people.models import CONSENT_PURPOSE, Consent, ConsentMethod, Sex
from hoctap.people.services import citizen_find_or_create, consent_record


@dataclass(frozen=True)
class PersonInput:
    """The person as an officer or a client describes them."""

    full_name: str
    birth_year: int
    sex: Sex
    ethnicity: str = ""
    national_id: str | None = None
    household: str = ""


@dataclass(frozen=True)
class ConsentInput:
    """Consent the person gave explicitly, and how; never assumed."""

    method: ConsentMethod
    given_at: datetime | None = None


def consent_missing_error() -> ValidationError:
    """Return the refusal given to an enrolment without consent."""
    return ValidationError(
        _(
            "The person's consent is not recorded: read them the privacy notice and record how"
            " they agreed (signed paper, spoken with a witness, or online) before enrolling."
        ),
        code=CONSENT_MISSING,
    )


@transaction.atomic
def enrolment_create(
    *,
    user: User,
    period: Period,
    unit_code: str,
    group: str,
    person: PersonInput,
    consent: ConsentInput | None,
    assessment_id: UUID | None = None,
    request_digest: str = "",
) -> Assessment:
    """Enrol a person in a unit of the user's area, recording their consent in the same step."""
    if consent is None:
        raise consent_missing_error()
    unit = unit_resolve_between(code=unit_code, starts_on=period.starts_on, ends_on=period.ends_on)
    if not scope_for(user).covers_path(unit.path):
        raise NotFound(_("No such unit."))
    citizen = citizen_find_or_create(
        unit=unit,
        full_name=person.full_name,
        birth_year=person.birth_year,
        sex=person.sex,
        ethnicity=person.ethnicity,
        national_id=person.national_id or None,
        household_code=person.household,
    )
    assessment = assessment_register(
        user=user,
        period=period,
        unit=unit,
        group=group,
        citizen=citizen,
        assessment_id=assessment_id,
        request_digest=request_digest,
    )
    consent_record(
        citizen=citizen,
        purpose=CONSENT_PURPOSE,
        notice_version=settings.HOCTAP_PRIVACY_NOTICE_VERSION,
        method=consent.method,
        given_at=consent.given_at or timezone.now(),
        recorded_by=user,
    )
    return assessment


def consents_record_missing(
    *,
    citizen_ids: list[int],
    method: ConsentMethod,
    recorded_by: User | None,
    given_at: datetime | None = None,
) -> int:
    """Record consent for each of these people who has none in force; return how many.

    For the importer: the officer confirms that the file's people consented on paper.
    """
    now, added = given_at or timezone.now(), 0
    unique = list(dict.fromkeys(citizen_ids))
    # In chunks: a file of 500,000 people would pass SQLite's limit of query parameters.
    for start in range(0, len(unique), _CHUNK):
        chunk = unique[start : start + _CHUNK]
        have = set(
            Consent.objects.filter(
                citizen_id__in=chunk, purpose=CONSENT_PURPOSE, withdrawn_at__isnull=True
            ).values_list("citizen_id", flat=True)
        )
        rows = [
            consent_row(pk, method=method, given_at=now, recorded_by_id=_pk(recorded_by))
            for pk in chunk
            if pk not in have
        ]
        Consent.objects.bulk_create(rows)
        added += len(rows)
    return added


_CHUNK = 5000


def _pk(user: User | None) -> int | None:
    return user.pk if user is not None else None


def consent_row(
    citizen_id: int, *, method: ConsentMethod, given_at: datetime, recorded_by_id: int | None
) -> Consent:
    """Return an unsaved consent to take part, under the current notice, for bulk writes."""
    return Consent(
        citizen_id=citizen_id,
        purpose=CONSENT_PURPOSE,
        notice_version=settings.HOCTAP_PRIVACY_NOTICE_VERSION,
        method=method,
        given_at=given_at,
        recorded_by_id=recorded_by_id,
    )
