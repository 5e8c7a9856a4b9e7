"""`hoctap template --period P --unit CODE -o FILE.xlsx`: the import template."""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from hoctap.assessments.periods import period_get
from hoctap.organisation.selectors import unit_resolve_between
from hoctap.transfer.template import template_xlsx


class Command(BaseCommand):
    help = "Write the import template of a period's scheme for a unit's subtree."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True)
        parser.add_argument("--unit", required=True)
        parser.add_argument("-o", "--output", type=Path, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = period_get(options["period"])
            unit = unit_resolve_between(
                code=options["unit"], starts_on=period.starts_on, ends_on=period.ends_on
            )
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from None
        options["output"].write_bytes(template_xlsx(period, unit))
        self.stdout.write(_("Template written to %(path)s.") % {"path": options["output"]})
