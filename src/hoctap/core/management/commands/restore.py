"""`hoctap restore FILE [--force] [--public-key KEY]`: check a backup whole, then put it back."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from hoctap.core.backup import backup_restore
from hoctap.core.dumps import command_errors


class Command(BaseCommand):
    help = "Restore a backup made by `hoctap backup` (refused over existing data without --force)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="an archive written by `hoctap backup`")
        parser.add_argument(
            "--force", action="store_true", help="replace a database that already holds data"
        )
        parser.add_argument(
            "--public-key",
            type=Path,
            action="append",
            default=[],
            metavar="FILE",
            help="trust only this public key (repeatable) instead of HOCTAP_BACKUP_VERIFY_KEYS",
        )
        parser.add_argument(
            "--allow-unsigned",
            action="store_true",
            help="accept an archive without a signature (made before backups were signed)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with command_errors(_("Could not restore the backup: %(reason)s")):
            manifest = backup_restore(
                source=options["file"],
                force=options["force"],
                public_keys=options["public_key"],
                allow_unsigned=options["allow_unsigned"],
            )
        if manifest.signed_by is None:
            self.stderr.write(
                _(
                    "Warning: the archive was not signed; nothing shows it was not altered. "
                    "It was restored because --allow-unsigned was given."
                )
            )
        else:
            self.stdout.write(_("Signature checked: key %(key)s.") % {"key": manifest.signed_by})
        self.stdout.write(
            _("Restored the backup of %(at)s: %(rows)d rows, %(files)d evidence files.")
            % {
                "at": manifest.created_at,
                "rows": sum(manifest.facts.counts.values()),
                "files": len(manifest.media),
            }
        )
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stdout.write(_("The backup is older than this hoctap: run `hoctap migrate` now."))
