"""The one place that decides which part of the tree a user may see (default deny).

Every read of personal data filters through `scope_for(user).filter(...)`; a user with
no role in force sees nothing, and an administrator sees everything.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from hoctap.accounts.models import Role, RoleAssignment, User

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Scope:
    """The subtrees (as unit paths) a user holds roles over on one day."""

    paths: tuple[str, ...]
    roles: frozenset[str]
    everything: bool = False
    # (role, unit path) for every assignment in force, to tell which roles apply where.
    grants: tuple[tuple[str, str], ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.paths

    def q(self, *unit_fields: str) -> Q:
        """Return a filter matching rows whose unit (any of `unit_fields`) lies in scope."""
        if self.everything:
            return Q()
        match = Q(pk__in=[])
        for field in unit_fields:
            # "" names the unit itself, for querysets of units.
            key = f"{field}__path__startswith" if field else "path__startswith"
            for path in self.paths:
                match |= Q(**{key: path})
        return match

    def filter(self, queryset: QuerySet[M], *unit_fields: str) -> QuerySet[M]:
        """Narrow `queryset` to rows whose unit lies in scope; nothing if the scope is empty."""
        if self.is_empty:
            return queryset.none()
        return queryset.filter(self.q(*unit_fields))

    def covers_path(self, path: str) -> bool:
        """Tell whether a unit with this path lies in scope."""
        return self.everything or any(path.startswith(p) for p in self.paths)

    def roles_at(self, path: str) -> frozenset[str]:
        """Return the roles the user holds over the unit with this path."""
        held = {role for role, granted in self.grants if granted and path.startswith(granted)}
        if self.everything:
            held.add(Role.ADMINISTRATOR)
        return frozenset(held)


def scope_for(user: User | AnonymousUser, *, on: date | None = None) -> Scope:
    """Return what `user` may see on `on` (today by default)."""
    if not user.is_authenticated or not user.is_active:
        return Scope(paths=(), roles=frozenset())
    day = on or timezone.localdate()
    assignments = list(
        RoleAssignment.objects.valid_on(day)
        .filter(user=user)
        .select_related("unit")
        .only("role", "unit__path")
    )
    roles = frozenset(a.role for a in assignments)
    grants = tuple((a.role, a.unit.path) for a in assignments)
    if user.is_superuser or Role.ADMINISTRATOR in roles:
        return Scope(paths=(), roles=roles, everything=True, grants=grants)
    paths = _outermost(a.unit.path for a in assignments)
    return Scope(paths=paths, roles=roles, grants=grants)


def _outermost(paths: Iterable[str]) -> tuple[str, ...]:
    """Drop paths that lie inside another path of the list."""
    # An empty path would be a prefix of every path: never let it widen a scope.
    ordered = sorted({p for p in paths if p.startswith("/") and p.endswith("/")}, key=len)
    kept: list[str] = []
    for path in ordered:
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(kept)
