"""Reads of centres, courses, sessions and the people a session's sheet lists, in scope."""

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from hoctap.accounts.models import User
from hoctap.accounts.scoping import Scope, scope_for
from hoctap.core.errors import NotFound
from hoctap.core.text import fold
from hoctap.learning.models import Centre, Course, Session
from hoctap.people.models import Citizen


def centre_list(*, user: User, scope: Scope | None = None) -> QuerySet[Centre]:
    """Return the centres of communes within the user's scope."""
    scope = scope or scope_for(user)
    return scope.filter(Centre.objects.select_related("unit"), "unit").annotate(
        course_count=Count("courses")
    )


def centre_get(*, user: User, pk: int) -> Centre:
    """Return one centre in scope; NotFound for anything else, existing or not."""
    try:
        return scope_for(user).filter(Centre.objects.select_related("unit"), "unit").get(pk=pk)
    except Centre.DoesNotExist:
        raise NotFound(_("No such learning centre.")) from None


def course_get(*, user: User, pk: int) -> Course:
    """Return one course of a centre in scope."""
    courses = Course.objects.select_related("centre__unit")
    try:
        return scope_for(user).filter(courses, "centre__unit").get(pk=pk)
    except Course.DoesNotExist:
        raise NotFound(_("No such course.")) from None


def course_sessions(*, course: Course) -> QuerySet[Session]:
    """Return a course's sessions with how many attended each."""
    return course.sessions.annotate(present=Count("attendances")).order_by("date", "pk")


def session_get(*, user: User, pk: int) -> Session:
    """Return one session of a course in scope."""
    sessions = Session.objects.select_related("course__centre__unit")
    try:
        return scope_for(user).filter(sessions, "course__centre__unit").get(pk=pk)
    except Session.DoesNotExist:
        raise NotFound(_("No such session.")) from None


def sheet_people(*, session: Session, query: str = "") -> QuerySet[Citizen]:
    """Return the people of the session's commune, searched without regard to accents."""
    commune = session.course.centre.unit
    people = Citizen.objects.filter(home_unit__path__startswith=commune.path)
    for word in fold(query).split():
        people = people.filter(search_name__contains=word)
    return people.select_related("home_unit").order_by("search_name", "birth_year", "pk")


def present_ids(*, session: Session) -> set[int]:
    """Return the ids of the people recorded as present at a session."""
    return set(session.attendances.values_list("citizen_id", flat=True))
