"""`hoctap open-period CODE --scheme SCHEME [--starts D --ends D]`."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from hoctap.assessments.periods import period_open


def _day(value: str) -> date:
    return datetime.strptime(value, "%d/%m/%Y").date()  # noqa: DTZ007 - a calendar date


class Command(BaseCommand):
    help = "Open an assessment period on a shipped scheme (e.g. 2026 on cdht-2022)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="period code: 2020-2021 (school year) or 2026")
        parser.add_argument("--scheme", required=True, help="scheme code, e.g. cdht-2022")
        parser.add_argument("--starts", type=_day, help="first day, dd/mm/yyyy")
        parser.add_argument("--ends", type=_day, help="last day, dd/mm/yyyy")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period, scheme, created = period_open(
                code=options["code"],
                scheme_code=options["scheme"],
                starts_on=options["starts"],
                ends_on=options["ends"],
            )
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from None
        message = (
            _("Opened period %(p)s (%(start)s–%(end)s) on %(s)s.")
            if created
            else _("Period %(p)s (%(start)s–%(end)s) already uses %(s)s.")
        )
        self.stdout.write(
            message
            % {
                "p": period.code,
                "s": scheme,
                "start": period.starts_on.strftime("%d/%m/%Y"),
                "end": period.ends_on.strftime("%d/%m/%Y"),
            }
        )
