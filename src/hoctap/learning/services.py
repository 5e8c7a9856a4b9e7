"""Writes: centres, courses, sessions and attendance, each scoped to the commune's subtree."""

import re
from collections.abc import Iterable, Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hoctap.accounts.models import User
from hoctap.accounts.scoping import scope_for
from hoctap.core.errors import NotFound
from hoctap.core.text import nfc
from hoctap.learning.models import (
    DEFAULT_INDICATORS,
    Attendance,
    Centre,
    Course,
    Session,
    Topic,
)
from hoctap.organisation.models import Unit, UnitKind
from hoctap.people.models import Citizen

_CODE = re.compile(r"^[A-Z][A-Z0-9]{0,15}$")


def _require_scope(user: User, unit: Unit) -> None:
    """Refuse, as if it did not exist, a unit outside the user's subtree."""
    if not scope_for(user).covers_path(unit.path):
        raise NotFound(_("No such learning centre."))


def _required(value: str, message: str) -> str:
    cleaned = nfc(value)
    if not cleaned:
        raise ValidationError(message)
    return cleaned


@transaction.atomic
def centre_create(
    *,
    user: User,
    unit: Unit,
    name: str,
    decision_number: str = "",
    decision_date: date | None = None,
) -> Centre:
    """Create the learning centre of a commune (one per commune)."""
    _require_scope(user, unit)
    if unit.kind != UnitKind.COMMUNE:
        raise ValidationError(_("A learning centre belongs to a commune."))
    if Centre.objects.filter(unit=unit).exists():
        raise ValidationError(_("This commune already has a learning centre."))
    return Centre.objects.create(
        unit=unit,
        name=_required(name, _("Enter the centre's name.")),
        decision_number=nfc(decision_number),
        decision_date=decision_date,
    )


def clean_indicators(codes: Iterable[str] | None) -> list[str]:
    """Return the indicator codes upper-cased, without repeats; the default when none."""
    if codes is None:
        return list(DEFAULT_INDICATORS)
    cleaned = list(dict.fromkeys(c.strip().upper() for c in codes if c.strip()))
    if not cleaned:
        raise ValidationError(_("A course supports at least one indicator."))
    bad = [c for c in cleaned if not _CODE.match(c)]
    if bad:
        raise ValidationError(_("Not an indicator code: %(codes)s.") % {"codes": ", ".join(bad)})
    return cleaned


@transaction.atomic
def course_create(
    *,
    user: User,
    centre: Centre,
    title: str,
    topic: Topic,
    starts_on: date,
    ends_on: date,
    teacher: str = "",
    indicators: Sequence[str] | None = None,
) -> Course:
    """Add a course to a centre; it supports CS1 and CS3 unless told otherwise."""
    _require_scope(user, centre.unit)
    if ends_on < starts_on:
        raise ValidationError(_("A course cannot end before it starts."))
    if topic not in Topic.values:
        raise ValidationError(_("Choose a topic from the list."))
    return Course.objects.create(
        centre=centre,
        title=_required(title, _("Enter the course title.")),
        topic=topic,
        starts_on=starts_on,
        ends_on=ends_on,
        teacher=nfc(teacher),
        indicators=clean_indicators(indicators),
    )


@transaction.atomic
def session_add(*, user: User, course: Course, on: date, topic: str = "") -> Session:
    """Add a session to a course, on a day within the course's dates."""
    _require_scope(user, course.centre.unit)
    if not course.starts_on <= on <= course.ends_on:
        raise ValidationError(_("The session must fall within the course's dates."))
    return Session.objects.create(course=course, date=on, topic=nfc(topic))


@transaction.atomic
def attendance_record(*, user: User, session: Session, citizen_ids: Iterable[int]) -> int:
    """Record that these people of the commune attended; return how many were new."""
    commune = session.course.centre.unit
    _require_scope(user, commune)
    wanted = set(citizen_ids)
    found = set(
        Citizen.objects.filter(pk__in=wanted, home_unit__path__startswith=commune.path).values_list(
            "pk", flat=True
        )
    )
    if wanted - found:
        raise ValidationError(_("Some of the people chosen do not live in this commune."))
    already = set(
        Attendance.objects.filter(session=session, citizen_id__in=found).values_list(
            "citizen_id", flat=True
        )
    )
    now = timezone.now()
    new = [
        Attendance(session=session, citizen_id=pk, recorded_by=user, recorded_at=now)
        for pk in sorted(found - already)
    ]
    Attendance.objects.bulk_create(new)
    return len(new)
