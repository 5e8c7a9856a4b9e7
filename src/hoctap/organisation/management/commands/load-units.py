"""`hoctap load-units [--province CODE]`: today's administrative units from vietnam-provinces."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from vietnam_provinces import Province

from hoctap.organisation.admin_divisions import load_units, province_code


class Command(BaseCommand):
    help = "Create or update today's provinces and communes (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--province", help="two-digit province code, e.g. 11")

    def handle(self, *args: Any, **options: Any) -> None:
        wanted: str | None = options["province"]
        if wanted is not None:
            wanted = wanted.strip().zfill(2)
            if wanted not in {province_code(p.code) for p in Province.iter_all()}:
                raise CommandError(_("Unknown province code: %(code)s") % {"code": wanted})
        summary = load_units(today=timezone.localdate(), province=wanted)
        self.stdout.write(
            _("Units: %(created)d created, %(renamed)d renamed, %(unchanged)d unchanged.")
            % {
                "created": summary.created,
                "renamed": summary.renamed,
                "unchanged": summary.unchanged,
            }
        )
