from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "hoctap.people"
    label = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        # Reference data, like contenttypes and permissions: present after migrate and flush.
        from hoctap.people.reference import ethnicity_sync

        post_migrate.connect(ethnicity_sync, sender=self)
