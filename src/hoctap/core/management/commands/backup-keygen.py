"""`hoctap backup-keygen FOLDER`: a new key pair for signing backups (ADR 0030)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from hoctap.core.dumps import command_errors
from hoctap.core.signing import signing_key_pair_create


class Command(BaseCommand):
    help = "Write a new Ed25519 key pair for signing backups to a folder (for key rotation)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="where to write the two key files")

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["folder"]
        if not folder.is_dir():
            raise CommandError(_("The folder %(path)s does not exist.") % {"path": folder})
        with command_errors(_("Could not write the key: %(reason)s")):
            key, signing, verify = signing_key_pair_create(folder=folder)
        self.stdout.write(
            _(
                "Key %(key)s written.\n"
                "Private key (signs; keep it on the server only): %(signing)s\n"
                "Public key (checks; keep copies off the server): %(verify)s\n"
                "Set HOCTAP_BACKUP_SIGNING_KEY to the private key and add the public key to "
                "HOCTAP_BACKUP_VERIFY_KEYS; keep the old public key listed while its backups "
                "are kept."
            )
            % {"key": key, "signing": signing, "verify": verify}
        )
