from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SchemesConfig(AppConfig):
    name = "hoctap.schemes"
    label = "schemes"
    verbose_name = _("Schemes")

    def ready(self) -> None:
        # The shipped schemes are reference data: present after every migrate and flush.
        from hoctap.schemes.loader import schemes_load_shipped

        post_migrate.connect(schemes_load_shipped, sender=self)
