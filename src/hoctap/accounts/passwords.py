"""Passwords changed by their owner or reset by a higher officer, and who may reset whose.

Saving the new password ends the account's API tokens and sessions (`User.save`, ADR 0031);
these services add what only they know: who acted, written to the access log.
"""

import secrets

from axes.utils import reset as axes_reset
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hoctap.accounts.models import ApiToken, Role, RoleAssignment, User
from hoctap.accounts.scoping import Scope, scope_for
from hoctap.audit.models import AccessAction
from hoctap.audit.services import access_log_record
from hoctap.core.errors import NotFound

# The roles whose holders reset the passwords of the officers below them.
RESETTING_ROLES = frozenset(
    {Role.COMMUNE_OFFICER, Role.DISTRICT_OFFICER, Role.PROVINCE_OFFICER, Role.ADMINISTRATOR}
)
# No i, l, o, 0 or 1: the password is read aloud or copied from paper.
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_GROUPS, _GROUP = 4, 4  # about 79 bits


def _inside(scope: Scope) -> Q | None:
    """Return a filter on role rows lying strictly below a unit the scope may reset under."""
    if scope.everything:
        return ~Q(role=Role.ADMINISTRATOR)
    paths = {path for role, path in scope.grants if role in RESETTING_ROLES and path}
    if not paths:
        return None
    below = Q(pk__in=[])
    for path in paths:
        below |= Q(unit__path__startswith=path) & ~Q(unit__path=path)
    return below & ~Q(role=Role.ADMINISTRATOR)


def users_below(*, user: User) -> QuerySet[User]:
    """Return the users whose password `user` may reset, with their roles in force.

    Such a user holds a role today, and every role of theirs not yet ended lies strictly
    below a unit over which `user` holds a resetting role; staff and superusers never do.
    """
    inside = _inside(scope_for(user))
    if inside is None:
        return User.objects.none()
    today = timezone.localdate()
    roles = RoleAssignment.objects.filter(user=OuterRef("pk"))
    not_ended = roles.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
    in_force = RoleAssignment.objects.valid_on(today).select_related("unit").order_by("unit__path")
    return (
        User.objects.filter(is_active=True, is_staff=False, is_superuser=False)
        .exclude(pk=user.pk)
        .filter(Exists(roles.valid_on(today)))
        .exclude(Exists(not_ended.exclude(inside)))
        .prefetch_related(Prefetch("role_assignments", queryset=in_force, to_attr="roles_now"))
        .order_by("username")
    )


def user_below_get(*, user: User, user_id: int) -> User:
    """Return a user whose password `user` may reset; NotFound for anyone else."""
    found = users_below(user=user).filter(pk=user_id).first()
    if found is None:
        raise NotFound(_("No such user."))
    return found


def _live_tokens(user: User) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()


@transaction.atomic
def password_change(*, user: User, new_password: str) -> None:
    """Set the user's own new password (already validated); their tokens and sessions end."""
    tokens = _live_tokens(user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    access_log_record(
        user=user,
        action=AccessAction.PASSWORD,
        object_type="user",
        object_id=user.pk,
        detail={"how": "own", "tokens_revoked": tokens},
    )


def _temporary_password() -> str:
    groups = ("".join(secrets.choice(_ALPHABET) for _ in range(_GROUP)) for _ in range(_GROUPS))
    return "-".join(groups)


@transaction.atomic
def password_reset(*, officer: User, user_id: int) -> tuple[User, str]:
    """Give a user below `officer` a generated password, to be shown once, and unlock them."""
    target = user_below_get(user=officer, user_id=user_id)
    tokens = _live_tokens(target)
    password = _temporary_password()
    target.set_password(password)
    target.save(update_fields=["password"])
    # They may have locked themselves out trying the password they forgot.
    axes_reset(username=target.get_username())
    access_log_record(
        user=officer,
        action=AccessAction.PASSWORD,
        object_type="user",
        object_id=target.pk,
        detail={"how": "reset", "tokens_revoked": tokens},
    )
    return target, password
