"""Writes: centres, courses, sessions and attendance, each scoped to the commune's subtree."""

from collections.abc import Iterable, Sequence
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hoctap.accounts.models import User
from hoctap.accounts.scoping import scope_for
from hoctap.core.errors import Forbidden, NotFound
from hoctap.core.text import nfc
from hoctap.learning.models import (
    DEFAULT_INDICATORS,
    Attendance,
    Centre,
    Course,
    Session,
    Topic,
)
from hoctap.learning.selectors import indicator_choices, may_manage
from hoctap.organisation.models import Unit, UnitKind
from hoctap.people.models import Citizen


def _require_manager(user: User, unit: Unit) -> None:
    """Refuse a unit outside the user's subtree as if it did not exist; refuse a reader."""
    scope = scope_for(user)
    if not scope.covers_path(unit.path):
        raise NotFound(_("No such learning centre."))
    if not may_manage(scope=scope, unit=unit):
        raise Forbidden(_("Your role may not manage the learning centre."))


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
    _require_manager(user, unit)
    if unit.kind != UnitKind.COMMUNE:
        raise ValidationError(_("A learning centre belongs to a commune."))
    taken = ValidationError(_("This commune already has a learning centre."))
    if Centre.objects.filter(unit=unit).exists():
        raise taken
    try:
        # A savepoint: another officer may have set the centre up since the check above.
        with transaction.atomic():
            return Centre.objects.create(
                unit=unit,
                name=_required(name, _("Enter the centre's name.")),
                decision_number=nfc(decision_number),
                decision_date=decision_date,
            )
    except IntegrityError:
        raise taken from None


@transaction.atomic
def centre_update(
    *,
    user: User,
    centre: Centre,
    name: str,
    decision_number: str = "",
    decision_date: date | None = None,
) -> Centre:
    """Rename a centre or correct the decision that established it; its commune stays."""
    _require_manager(user, centre.unit)
    centre.name = _required(name, _("Enter the centre's name."))
    centre.decision_number = nfc(decision_number)
    centre.decision_date = decision_date
    centre.save(update_fields=["name", "decision_number", "decision_date"])
    return centre


def clean_indicators(codes: Iterable[str] | None) -> list[str]:
    """Return the indicator codes upper-cased, without repeats; the default when none."""
    if codes is None:
        return list(DEFAULT_INDICATORS)
    cleaned = list(dict.fromkeys(c.strip().upper() for c in codes if c.strip()))
    if not cleaned:
        raise ValidationError(_("A course supports at least one indicator."))
    known = {code for code, _text in indicator_choices()}
    bad = [c for c in cleaned if c not in known]
    if bad:
        raise ValidationError(_("Not an indicator code: %(codes)s.") % {"codes": ", ".join(bad)})
    return cleaned


def _course_fields(
    *,
    title: str,
    topic: str,
    starts_on: date,
    ends_on: date,
    teacher: str,
    indicators: Sequence[str] | None,
) -> dict[str, object]:
    """Check a course's fields and return them normalised."""
    if ends_on < starts_on:
        raise ValidationError(_("A course cannot end before it starts."))
    if topic not in Topic.values:
        raise ValidationError(_("Choose a topic from the list."))
    return {
        "title": _required(title, _("Enter the course title.")),
        "topic": topic,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "teacher": nfc(teacher),
        "indicators": clean_indicators(indicators),
    }


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
    _require_manager(user, centre.unit)
    fields = _course_fields(
        title=title,
        topic=topic,
        starts_on=starts_on,
        ends_on=ends_on,
        teacher=teacher,
        indicators=indicators,
    )
    return Course.objects.create(centre=centre, **fields)


@transaction.atomic
def course_update(
    *,
    user: User,
    course: Course,
    title: str,
    topic: Topic,
    starts_on: date,
    ends_on: date,
    teacher: str = "",
    indicators: Sequence[str] | None = None,
) -> Course:
    """Change a course; its dates must still hold every session already held."""
    _require_manager(user, course.centre.unit)
    fields = _course_fields(
        title=title,
        topic=topic,
        starts_on=starts_on,
        ends_on=ends_on,
        teacher=teacher,
        indicators=indicators,
    )
    outside = course.sessions.exclude(date__gte=starts_on, date__lte=ends_on)
    if outside.exists():
        raise ValidationError(_("Some sessions of this course fall outside the new dates."))
    for name, value in fields.items():
        setattr(course, name, value)
    course.save(update_fields=list(fields))
    return course


def _check_session_date(course: Course, on: date) -> None:
    if not course.starts_on <= on <= course.ends_on:
        raise ValidationError(_("The session must fall within the course's dates."))


@transaction.atomic
def session_add(*, user: User, course: Course, on: date, topic: str = "") -> Session:
    """Add a session to a course, on a day within the course's dates."""
    _require_manager(user, course.centre.unit)
    _check_session_date(course, on)
    return Session.objects.create(course=course, date=on, topic=nfc(topic))


@transaction.atomic
def session_update(*, user: User, session: Session, on: date, topic: str = "") -> Session:
    """Move a session to another day within the course, or change its topic."""
    _require_manager(user, session.course.centre.unit)
    _check_session_date(session.course, on)
    session.date = on
    session.topic = nfc(topic)
    session.save(update_fields=["date", "topic"])
    return session


@transaction.atomic
def attendance_record(*, user: User, session: Session, citizen_ids: Iterable[int]) -> int:
    """Record that these people of the commune attended; return how many were new.

    Safe to repeat: people already recorded are skipped, and count as not new.
    """
    commune = session.course.centre.unit
    _require_manager(user, commune)
    wanted = set(citizen_ids)
    found = set(
        Citizen.objects.filter(pk__in=wanted, home_unit__path__startswith=commune.path).values_list(
            "pk", flat=True
        )
    )
    if wanted - found:
        raise ValidationError(_("Some of the people chosen do not live in this commune."))
    # Two sheets of one session sent at once (a phone re-sending while the first is still being
    # written) are taken in turn: the count before the insert then cannot take in the other's rows.
    Session.objects.select_for_update().only("pk").get(pk=session.pk)
    present = Attendance.objects.filter(session=session)
    before = present.count()
    now = timezone.now()
    Attendance.objects.bulk_create(
        [
            Attendance(session=session, citizen_id=pk, recorded_by=user, recorded_at=now)
            for pk in sorted(found)
        ],
        ignore_conflicts=True,
    )
    return present.count() - before
