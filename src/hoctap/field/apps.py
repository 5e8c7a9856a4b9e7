from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FieldConfig(AppConfig):
    """The offline field app: an installable page, its service worker and the village pack."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "hoctap.field"
    verbose_name = _("Field work")
