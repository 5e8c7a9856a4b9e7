"""`hoctap import-assessments FILE --period P [--dry-run] [--state submitted|decided]`."""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hoctap.accounts.scoping import Scope
from hoctap.assessments.models import State
from hoctap.assessments.periods import period_get
from hoctap.people.models import ConsentMethod
from hoctap.transfer.importer import ImportRefused, ImportSummary, import_assessments
from hoctap.transfer.reader import FileRefused, table_stream

# The command runs on the server, as its operator: the whole tree is in scope.
OPERATOR = Scope(paths=(), roles=frozenset(), everything=True)


class Command(BaseCommand):
    help = (
        "Import citizens and their final indicator scores from .xlsx or .csv (all or nothing);"
        " the people's consent is recorded as collected on paper by whoever runs it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--period", required=True, help="period code, e.g. 2020-2021")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument(
            "--state", choices=[State.SUBMITTED, State.DECIDED], default=State.SUBMITTED
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": path})
        try:
            period = period_get(options["period"])
            table = table_stream(path.read_bytes(), name=path.name)
            summary = import_assessments(
                table=table,
                period=period,
                scope=OPERATOR,
                state=State(options["state"]),
                dry_run=options["dry_run"],
                # Whoever runs the command on the server holds the signed forms.
                consent=ConsentMethod.PAPER,
            )
        except FileRefused as refused:
            raise CommandError(refused.message) from None
        except ImportRefused as refused:
            for message in refused.messages:
                self.stderr.write(message)
            raise CommandError(
                _("%(n)d errors; nothing was imported.") % {"n": len(refused.messages)}
            ) from None
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from None
        self.stdout.write(describe(summary))


def describe(summary: ImportSummary) -> str:
    """Say what the import did (or would do, for a dry run), in the reader's language."""
    head = _("Dry run, nothing written.") if summary.dry_run else _("Imported.")
    by_state = sorted(summary.by_state.items())
    states = ", ".join(f"{State(state).label}: {n}" for state, n in by_state)
    counts = _(
        "%(head)s %(rows)d rows: %(created)d assessments created, %(updated)d updated, "
        "%(unchanged)d unchanged; %(new)d new citizens, %(matched)d matched. By state: %(states)s."
    ) % {
        "head": head,
        "rows": summary.rows,
        "created": summary.created,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "new": summary.citizens_created,
        "matched": summary.citizens_matched,
        "states": states or "—",
    }
    if summary.dry_run or not summary.consents_recorded:
        return counts
    consent = ngettext(
        "Consent recorded as collected on paper for %(n)d person who had none on record.",
        "Consent recorded as collected on paper for %(n)d people who had none on record.",
        summary.consents_recorded,
    ) % {"n": summary.consents_recorded}
    return f"{counts} {consent}"
