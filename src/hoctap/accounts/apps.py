from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "hoctap.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from hoctap.accounts import checks  # noqa: F401  (registers the settings check)
        from hoctap.accounts.navigation import menu_on_login
        from hoctap.accounts.two_factor import on_login

        user_logged_in.connect(on_login, dispatch_uid="hoctap.accounts.two_factor")
        user_logged_in.connect(menu_on_login, dispatch_uid="hoctap.accounts.navigation")
