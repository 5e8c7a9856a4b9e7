"""`hoctap demo [--reset]`: migrate and load the Tuần Giáo 2020–2021 pilot."""

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from hoctap.demo.loader import demo_load
from hoctap.demo.pilot import PASSWORD
from hoctap.organisation.models import Unit


class Command(BaseCommand):
    help = "Migrate the database and load the Tuần Giáo 2020–2021 pilot (spec §1)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset", action="store_true", help="erase every record first, then load the demo"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if options["reset"]:
            call_command("flush", interactive=False, verbosity=0)
            call_command("migrate", interactive=False, verbosity=0)
        if Unit.objects.filter(code="099").exists():
            self.stdout.write(_("The demo is already loaded; use --reset to load it afresh."))
            return
        pilot = demo_load()
        self.stdout.write(
            _("Loaded the Tuần Giáo pilot: %(units)d communes, %(people)d citizens.")
            % {"units": len(pilot.communes), "people": len(pilot.people)}
        )
        self.stdout.write(_("Demo accounts (password %(password)s):") % {"password": PASSWORD})
        for username, role, unit in pilot.accounts:
            self.stdout.write(f"  {username:<16} {role} · {unit.name} ({unit.code})")
