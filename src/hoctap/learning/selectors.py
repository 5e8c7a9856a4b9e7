"""Reads of centres, courses, sessions and the people a session's sheet lists, in scope."""

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hoctap.accounts.models import Role, User
from hoctap.accounts.scoping import Scope, scope_for
from hoctap.core.errors import NotFound
from hoctap.core.text import fold
from hoctap.learning.models import Centre, Course, Session
from hoctap.organisation.models import Unit, UnitKind
from hoctap.people.models import Citizen
from hoctap.schemes.models import Scheme, SubjectType

# Who runs a commune's centre: sets it up, plans courses and sessions, records attendance.
MANAGERS = frozenset(
    {Role.COMMUNE_OFFICER, Role.DISTRICT_OFFICER, Role.PROVINCE_OFFICER, Role.ADMINISTRATOR}
)
# The citizen scheme's indicators when no citizen scheme is loaded (QĐ 244/QĐ-KHVN: CS1–CS10).
FALLBACK_INDICATORS = tuple(f"CS{n}" for n in range(1, 11))


def may_manage(*, scope: Scope, unit: Unit) -> bool:
    """Tell whether the scope's roles over `unit` let it run the unit's learning centre."""
    return bool(scope.roles_at(unit.path) & MANAGERS)


def may_manage_any(*, scope: Scope) -> bool:
    """Tell whether the user runs the learning centre of at least one commune."""
    return scope.everything or bool(scope.roles & MANAGERS)


def communes_without_centre(*, scope: Scope) -> QuerySet[Unit]:
    """Return the communes in force today where the user may set up a centre and none exists."""
    communes = Unit.objects.valid_on(timezone.localdate()).filter(
        kind=UnitKind.COMMUNE, learning_centre__isnull=True
    )
    if scope.everything:
        return communes.order_by("name", "code")
    managed = [path for role, path in scope.grants if role in MANAGERS and path]
    match = Q(pk__in=[])
    for path in managed:
        match |= Q(path__startswith=path)
    return communes.filter(match).order_by("name", "code")


def indicator_choices() -> list[tuple[str, str]]:
    """Return (code, wording) of the citizen schemes' indicators, the newest wording winning."""
    wording: dict[str, str] = {}
    schemes = Scheme.objects.filter(subject_type=SubjectType.CITIZEN).order_by("code", "version")
    for scheme in schemes:
        for indicator in scheme.parsed.indicators:
            wording[indicator.code] = indicator.text
    if not wording:
        wording = dict.fromkeys(FALLBACK_INDICATORS, "")
    return [(code, wording[code]) for code in sorted(wording, key=_natural)]


def _natural(code: str) -> tuple[str, int]:
    """Sort CS2 before CS10."""
    digits = code[len(code.rstrip("0123456789")) :]
    return code[: len(code) - len(digits)], int(digits or 0)


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
