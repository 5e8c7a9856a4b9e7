"""`hoctap purge-exports`: delete the files of background exports written over 7 days ago."""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from hoctap.transfer.export_jobs import export_files_purge


class Command(BaseCommand):
    help = "Delete the files of background exports written more than 7 days ago (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        purged = export_files_purge()
        self.stdout.write(_("Deleted %(n)d export files older than 7 days.") % {"n": purged})
