"""Reads of personal data, always through the reader's scope."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from hoctap.accounts.models import User
from hoctap.accounts.scoping import Scope, scope_for
from hoctap.core.text import fold
from hoctap.people.models import Citizen, Household

# A citizen is visible where they live and where they work.
CITIZEN_UNIT_FIELDS = ("home_unit", "workplace")


def citizen_list(*, user: User, query: str = "", scope: Scope | None = None) -> QuerySet[Citizen]:
    """Return the citizens `user` may see, filtered by an accent-insensitive name search."""
    scope = scope or scope_for(user)
    citizens = scope.filter(Citizen.objects.all(), *CITIZEN_UNIT_FIELDS)
    for word in fold(query).split():
        citizens = citizens.filter(search_name__contains=word)
    return citizens.select_related("home_unit", "ethnicity", "household")


def citizen_get(*, user: User, pk: int) -> Citizen:
    """Return one citizen in `user`'s scope; Citizen.DoesNotExist for anything outside it."""
    return citizen_list(user=user).select_related("workplace").get(pk=pk)


def household_list(
    *, user: User, query: str = "", scope: Scope | None = None
) -> QuerySet[Household]:
    """Return the households of units in scope, searched by code or a member's name."""
    scope = scope or scope_for(user)
    households = scope.filter(Household.objects.all(), "unit")
    for word in fold(query).split():
        member = Citizen.objects.filter(household=OuterRef("pk"), search_name__contains=word)
        households = households.filter(Q(code__icontains=word) | Q(Exists(member)))
    return (
        households.select_related("unit")
        .annotate(member_count=Count("members"))
        .order_by("unit__path", "code", "pk")
    )


def household_get(*, user: User, pk: int, scope: Scope | None = None) -> Household:
    """Return one household in `user`'s scope; Household.DoesNotExist for anything outside it."""
    return household_list(user=user, scope=scope).get(pk=pk)
