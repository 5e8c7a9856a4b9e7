"""`hoctap load-schemes [FILE …]`: load the shipped scheme files, or the files given."""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hoctap.schemes.loader import scheme_load_file, shipped_scheme_files

OUTCOMES = {
    "created": gettext_lazy("created"),
    "updated": gettext_lazy("updated (not yet used)"),
    "unchanged": gettext_lazy("unchanged"),
    "new_version": gettext_lazy("new version (the previous one is in use)"),
}


class Command(BaseCommand):
    help = "Load scheme files (idempotent; a changed file in use becomes a new version)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="*", type=Path, help="scheme files (default: shipped)")

    def handle(self, *args: Any, **options: Any) -> None:
        files: list[Path] = options["files"] or shipped_scheme_files()
        for path in files:
            if not path.is_file():
                raise CommandError(_("File not found: %(path)s") % {"path": path})
            try:
                result = scheme_load_file(path)
            except ValidationError as error:
                raise CommandError("\n".join(error.messages)) from None
            self.stdout.write(f"{result.scheme}: {OUTCOMES[result.outcome]}")
