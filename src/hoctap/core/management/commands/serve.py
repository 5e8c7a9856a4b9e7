"""`hoctap serve [--port N]`: serve the site with waitress, and run the background worker."""

import signal
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.core.wsgi import get_wsgi_application
from django.utils.translation import gettext as _
from waitress import serve


class Command(BaseCommand):
    help = "Serve hoctap over HTTP, with a worker for background imports."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
        parser.add_argument("--port", type=int, default=8000, help="port to listen on")
        parser.add_argument("--threads", type=int, default=8, help="worker threads")
        parser.add_argument(
            "--no-worker", action="store_true", help="do not start the background task worker"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        worker = None
        if not options["no_worker"]:
            # One laptop, one command: the task worker runs beside the server and stops with it.
            worker = subprocess.Popen(
                [sys.executable, "-m", "hoctap", "db_worker", "--interval", "2"]
            )
        self.stdout.write(
            _("Serving hoctap on http://%(host)s:%(port)d/") % {"host": host, "port": port}
        )
        # Turn a polite stop (SIGTERM) into an exit that runs `finally` and stops the worker.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            serve(
                get_wsgi_application(),
                host=host,
                port=port,
                threads=options["threads"],
                ident="hoctap",
            )
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=10)
