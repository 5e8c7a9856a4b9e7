"""`hoctap purge-imports`: delete the uploads of imports left unfinished for 7 days."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from hoctap.transfer.jobs import import_uploads_purge


class Command(BaseCommand):
    help = "Delete the uploaded files of imports not done within 7 days (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        purged = import_uploads_purge()
        self.stdout.write(_("Deleted %(n)d import files older than 7 days.") % {"n": purged})
