from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    """Certificates for recognised citizens, their public verification, recognition decisions."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "hoctap.recognition"
    verbose_name = _("Recognition")
