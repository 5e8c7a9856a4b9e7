"""`hoctap verify-audit`: recompute the audit record's hash chains and replay the assessments'.

Exit 1 at the first break of a chain, or when a row, a certificate or a title decision
disagrees with what the record says.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from hoctap.audit.findings import problems_of
from hoctap.audit.models import AccessLogEntry
from hoctap.audit.results import results_verify
from hoctap.audit.verify import CHUNK, access_log_verify, events_verify, guards_missing


class Command(BaseCommand):
    help = (
        "Check that the assessment events and the access log are complete and unaltered, and "
        "that every assessment, certificate and title decision agrees with them (exit 1 "
        "naming the first altered or missing record and every record that disagrees)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--chunk-size", type=int, default=CHUNK, help="rows read at a time")
        parser.add_argument(
            "--anchor",
            metavar="NO:HASH",
            help="an access log head noted down before: entry NO must still have this hash",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        events = events_verify(options["chunk_size"])
        access = access_log_verify(options["chunk_size"])
        self.stdout.write(
            _("Assessment events: %(n)d events of %(chains)d assessments checked.")
            % {"n": events.records, "chains": events.chains}
        )
        self.stdout.write(_("Access log: %(n)d entries checked.") % {"n": access.records})
        results = results_verify(chunk_size=options["chunk_size"])
        self.stdout.write(
            _(
                "Results: %(n)d assessments replayed from their event chains, %(c)d certificates "
                "and %(t)d title decisions compared."
            )
            % {"n": results.assessments, "c": results.certificates, "t": results.titles}
        )
        problems = [str(r.problem) for r in (events, access) if r.problem]
        problems += problems_of(results)
        problems += [
            _("The database no longer refuses changes to %(table)s: its trigger is missing.")
            % {"table": table}
            for table in guards_missing()
        ]
        if options["anchor"]:
            problems += _anchor_problems(options["anchor"])
        if problems:
            raise CommandError("\n".join(problems))
        # Noted down by an inspector, these anchor the record: whoever rewrites a chain whole,
        # hashes recomputed, cannot give the noted values back (--anchor checks the log's).
        self.stdout.write(
            _("Head of the assessment events (digest of every assessment's head): %(h)s")
            % {"h": events.head}
        )
        self.stdout.write(
            _("Head of the access log: no. %(n)d, %(h)s") % {"n": access.records, "h": access.head}
        )
        self.stdout.write(_("The audit record is intact."))


def _anchor_problems(anchor: str) -> list[str]:
    number, _sep, digest = anchor.partition(":")
    if not number.isdigit() or len(digest) != 64:
        raise CommandError(_("Write the anchor as NO:HASH, as verify-audit printed it."))
    kept = AccessLogEntry.objects.filter(seq=int(number), hash=digest.lower()).exists()
    if kept:
        return []
    return [
        _("The access log no longer holds entry no. %(n)s with the hash noted down: %(h)s.")
        % {"n": number, "h": digest}
    ]
