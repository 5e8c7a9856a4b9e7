"""`hoctap report --period P --unit CODE [--tree …] --format json|csv|xlsx|pdf|text [-o FILE]`."""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from hoctap.accounts.scoping import Scope
from hoctap.core.errors import DomainError
from hoctap.reports.documents import render as render_document
from hoctap.reports.render import report_csv, report_json, report_text
from hoctap.reports.selectors import TREES, summary_report

# The command runs on the server, as its operator: the whole tree is in scope.
OPERATOR = Scope(paths=(), roles=frozenset(), everything=True)
TEXT_FORMATS = {
    "json": lambda r: json.dumps(report_json(r), ensure_ascii=False, indent=2) + "\n",
    "csv": report_csv,
    "text": report_text,
}


class Command(BaseCommand):
    help = "Print or save the summary report of a unit subtree for a period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="period code, e.g. 2020-2021")
        parser.add_argument("--unit", required=True, help="unit code, e.g. 099")
        parser.add_argument("--tree", choices=TREES, default="historical")
        parser.add_argument("--format", choices=[*TEXT_FORMATS, "xlsx", "pdf"], default="text")
        parser.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = summary_report(
                scope=OPERATOR,
                period_code=options["period"],
                unit_code=options["unit"],
                tree=options["tree"],
            )
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from None
        except DomainError as error:
            raise CommandError(error.message) from None
        content = self._render(report, options["format"])
        output: Path | None = options["output"]
        if output is None:
            if isinstance(content, bytes):
                sys.stdout.buffer.write(content)
            else:
                self.stdout.write(content, ending="")
        elif isinstance(content, bytes):
            output.write_bytes(content)
        else:
            output.write_text(content, encoding="utf-8")

    def _render(self, report: Any, fmt: str) -> str | bytes:
        if fmt in TEXT_FORMATS:
            text: str = TEXT_FORMATS[fmt](report)
            return text
        return render_document(report, fmt)
