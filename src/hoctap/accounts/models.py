"""Users and the roles they hold over a subtree of the organisation."""

from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hoctap.organisation.models import Unit


class User(AbstractUser):
    """A person who signs in; what they may see comes from their role assignments."""

    # Django keeps the new raw password here from set_password() until the save.
    _password: str | None
    # Django marks nothing when password sign-in is switched off; this mark does.
    _password_disabled = False

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save; a new password also ends the user's API tokens and sessions (ADR 0031)."""
        # Every path that changes a password (our pages, the admin, `changepassword`, a shell)
        # ends in set_password() and save(), which is where Django itself reacts to a change.
        # The hash upgrade at sign-in clears the mark first: it is not a change.
        changed = self._password is not None or self._password_disabled
        with transaction.atomic():
            adding = self._state.adding
            super().save(*args, **kwargs)
            self._password_disabled = False
            if changed and not adding:
                # The service module imports this one.
                from hoctap.accounts.credentials import credentials_end

                credentials_end(user=self)

    def set_unusable_password(self) -> None:
        """Switch password sign-in off; on save this ends tokens and sessions as a change does."""
        super().set_unusable_password()
        self._password_disabled = True


class Role(models.TextChoices):
    BRANCH_OFFICER = "branch_officer", _("Branch officer")
    COMMUNE_OFFICER = "commune_officer", _("Commune officer")
    AGENCY_HEAD = "agency_head", _("Agency head")
    DISTRICT_OFFICER = "district_officer", _("District officer")
    PROVINCE_OFFICER = "province_officer", _("Province officer")
    ADMINISTRATOR = "administrator", _("Administrator")


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def valid_on(self, day: date) -> "RoleAssignmentQuerySet":
        """Keep the assignments in force on `day`."""
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day))


class RoleAssignment(models.Model):
    """A user holds a role over a unit and everything below it, for a time."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="role_assignments")
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="role_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 is stored, so a database leak reveals none."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # None: valid until revoked. A token handed to a phone may carry an end date.
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} · {self.name or self.digest[:8]}"

    @property
    def expired(self) -> bool:
        """Tell whether the token's end date has passed."""
        return self.expires_at is not None and self.expires_at <= timezone.now()
