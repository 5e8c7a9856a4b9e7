"""`hoctap backup FILE`: the database and every evidence file in one signed zip."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from hoctap.core.backup import backup_create
from hoctap.core.dumps import command_errors
from hoctap.core.signing import signing_key_ensure


class Command(BaseCommand):
    help = "Write the database and every evidence file to one signed archive (safe while serving)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the archive to write, e.g. hoctap.zip")

    def handle(self, *args: Any, **options: Any) -> None:
        target: Path = options["file"]
        with command_errors(_("Could not write the backup: %(reason)s")):
            created = signing_key_ensure()
            manifest = backup_create(target=target)
        if created:
            self.stderr.write(
                _(
                    "A backup signing key was made for this server. Copy its public key "
                    "%(path)s off this machine now: a restore on another machine needs it."
                )
                % {"path": created}
            )
        self.stdout.write(
            _("Backup written to %(path)s: %(rows)d rows, %(files)d evidence files.")
            % {
                "path": target,
                "rows": sum(manifest.facts.counts.values()),
                "files": len(manifest.media),
            }
        )
        self.stdout.write(_("Signed with key %(key)s.") % {"key": manifest.signed_by})
