"""`hoctap serve [--port N]`: serve the site with waitress (static files through WhiteNoise)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.core.wsgi import get_wsgi_application
from django.utils.translation import gettext as _
from waitress import serve


class Command(BaseCommand):
    help = "Serve hoctap over HTTP."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on")
        parser.add_argument("--threads", type=int, default=8, help="worker threads")

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        self.stdout.write(
            _("Serving hoctap on http://%(host)s:%(port)d/") % {"host": host, "port": port}
        )
        serve(
            get_wsgi_application(), host=host, port=port, threads=options["threads"], ident="hoctap"
        )
