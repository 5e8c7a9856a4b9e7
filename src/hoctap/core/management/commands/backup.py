"""`hoctap backup FILE`: the database and every evidence file in one zip, with a manifest."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from hoctap.core.backup import backup_create
from hoctap.core.dumps import command_errors


class Command(BaseCommand):
    help = "Write the database and every evidence file to one archive (safe while serving)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the archive to write, e.g. hoctap.zip")

    def handle(self, *args: Any, **options: Any) -> None:
        target: Path = options["file"]
        with command_errors(_("Could not write the backup: %(reason)s")):
            manifest = backup_create(target=target)
        self.stdout.write(
            _("Backup written to %(path)s: %(rows)d rows, %(files)d evidence files.")
            % {
                "path": target,
                "rows": sum(manifest.facts.counts.values()),
                "files": len(manifest.media),
            }
        )
