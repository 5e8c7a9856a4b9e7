"""`hoctap guide-pdf -o FILE`: the printable user guide, the same source as the guide's pages."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from hoctap.guide.documents import guide_pdf


class Command(BaseCommand):
    help = "Write the printable user guide (every role, A4 PDF) to a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", type=Path, required=True, help="the PDF to write")

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path = options["output"]
        output.write_bytes(guide_pdf())
        self.stdout.write(f"guide written to {output}")
