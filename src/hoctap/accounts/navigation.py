"""The menu each role sees: at most five places first, the rest under "More".

Pages still check every right themselves; the menu only leaves out what a role has no use
for, so that a branch officer on a small phone is not shown a province's tools.
"""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hoctap.accounts.models import Role, User
from hoctap.accounts.scoping import scope_for

PRIMARY_LIMIT = 5


@dataclass(frozen=True)
class Place:
    url_name: str
    label: Any  # a lazy translation

    @property
    def url(self) -> str:
        return reverse(self.url_name)


QUEUE = Place("assessments:queue", _("Assessments"))
PEOPLE = Place("people:list", _("Citizens"))
REPORTS = Place("reports:summary", _("Reports"))
RECOGNITION = Place("recognition:index", _("Recognition"))
PERIODS = Place("periods:list", _("Periods"))
IMPORTS = Place("imports:index", _("Import"))
FIELD = Place("field:app", _("Field work"))
CENTRES = Place("learning:centres", pgettext_lazy("menu", "Learning centres"))
UNITS = Place("units:list", _("Units"))
OFFICERS = Place("accounts:users", _("Officers below you"))

# Each role's places, the ones it uses most first.
_PLACES: dict[str, tuple[Place, ...]] = {
    Role.BRANCH_OFFICER: (QUEUE, FIELD, PEOPLE, CENTRES, REPORTS, UNITS),
    Role.COMMUNE_OFFICER: (
        QUEUE,
        PEOPLE,
        REPORTS,
        RECOGNITION,
        IMPORTS,
        PERIODS,
        CENTRES,
        FIELD,
        UNITS,
        OFFICERS,
    ),
    Role.AGENCY_HEAD: (QUEUE, PEOPLE, RECOGNITION, IMPORTS, REPORTS, PERIODS, UNITS),
    Role.DISTRICT_OFFICER: (REPORTS, QUEUE, PERIODS, RECOGNITION, UNITS, PEOPLE, CENTRES, OFFICERS),
    Role.PROVINCE_OFFICER: (REPORTS, QUEUE, PERIODS, RECOGNITION, UNITS, PEOPLE, CENTRES, OFFICERS),
    Role.ADMINISTRATOR: (
        REPORTS,
        QUEUE,
        UNITS,
        PERIODS,
        IMPORTS,
        PEOPLE,
        RECOGNITION,
        CENTRES,
        FIELD,
        OFFICERS,
    ),
}
# Whose places come first when a user holds several roles.
_PRECEDENCE = (
    Role.COMMUNE_OFFICER,
    Role.AGENCY_HEAD,
    Role.BRANCH_OFFICER,
    Role.DISTRICT_OFFICER,
    Role.PROVINCE_OFFICER,
    Role.ADMINISTRATOR,
)


@dataclass(frozen=True)
class Menu:
    primary: tuple[Place, ...]
    more: tuple[Place, ...]


def menu_for(roles: frozenset[str]) -> Menu:
    """Return the menu of someone holding `roles`: their first places, the rest under More."""
    places: list[Place] = []
    for role in _PRECEDENCE:
        if role in roles:
            places += [p for p in _PLACES[role] if p not in places]
    return Menu(primary=tuple(places[:PRIMARY_LIMIT]), more=tuple(places[PRIMARY_LIMIT:]))


SESSION_KEY = "menu_roles"


def _roles_store(request: HttpRequest, user: User) -> frozenset[str]:
    roles = scope_for(user).roles
    request.session[SESSION_KEY] = {
        "day": timezone.localdate().isoformat(),
        "user": user.pk,
        "roles": sorted(roles),
    }
    return roles


def menu_on_login(sender: object, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """Work out the menu's roles as the user signs in, so that pages need no query for it."""
    if request is not None and hasattr(request, "session"):
        _roles_store(request, user)


def _session_roles(request: HttpRequest, user: User) -> frozenset[str]:
    """Return the user's roles today, read once a day per session rather than on every page.

    A role that ends during the day stays in the menu until the next sign-in or day; the pages
    behind it check the role themselves on every request.
    """
    today = timezone.localdate().isoformat()
    kept = request.session.get(SESSION_KEY)
    if isinstance(kept, dict) and kept.get("day") == today and kept.get("user") == user.pk:
        return frozenset(kept.get("roles", ()))
    return _roles_store(request, user)


def session_roles(request: HttpRequest, user: User) -> frozenset[str]:
    """Return the signed-in user's roles today, as the menu knows them (no query most times)."""
    return _session_roles(request, user)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Put the signed-in user's menu in every template, worked out only if a page shows it."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.is_authenticated:
        return {}
    return {"menu": SimpleLazyObject(lambda: menu_for(_session_roles(request, user)))}
