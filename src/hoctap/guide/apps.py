from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GuideConfig(AppConfig):
    """The user guide of each role: pages in the app and one printable PDF, from one source."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "hoctap.guide"
    verbose_name = _("User guide")
