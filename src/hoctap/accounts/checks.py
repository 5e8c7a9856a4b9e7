"""System checks of the accounts settings."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from hoctap.accounts.models import Role


@register
def two_factor_roles_check(app_configs: Any, **kwargs: Any) -> list[Error]:
    """Refuse role codes in HOCTAP_2FA_REQUIRED_ROLES that no role has."""
    unknown = sorted(set(settings.HOCTAP_2FA_REQUIRED_ROLES) - set(Role.values))
    if not unknown:
        return []
    return [
        Error(
            f"HOCTAP_2FA_REQUIRED_ROLES names unknown roles: {', '.join(unknown)}",
            hint=f"Use role codes among: {', '.join(Role.values)}",
            id="hoctap.accounts.E001",
        )
    ]
