"""`hoctap check-rollups [--period P] [--rebuild]`: prove the report rollups equal a fresh count.

`--rebuild` recounts from the assessment rows, so it first replays every assessment's event
chain and refuses, rebuilding nothing, while a row disagrees with its chain: a recount over a
row altered past the services would make the report agree with the alteration (ADR 0024).
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from hoctap.assessments.models import Period
from hoctap.audit.findings import assessment_problems
from hoctap.audit.results import results_verify
from hoctap.reports.rollups import periods_with_assessments, rollups_differences, rollups_rebuild


class Command(BaseCommand):
    help = (
        "Compare the report rollups with a fresh count of the assessments (exit 1 on a difference)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", help="period code (default: every period)")
        parser.add_argument("--rebuild", action="store_true", help="recount instead of checking")

    def handle(self, *args: Any, **options: Any) -> None:
        periods = (
            list(Period.objects.filter(code=options["period"]))
            if options["period"]
            else periods_with_assessments()
        )
        if options["period"] and not periods:
            raise CommandError(_("No period has code %(code)s.") % {"code": options["period"]})
        if options["rebuild"]:
            self._refuse_altered(periods)
        failed = False
        for period in periods:
            if options["rebuild"]:
                rollups_rebuild(period)
                self.stdout.write(_("%(p)s: rollups rebuilt.") % {"p": period.code})
                continue
            problems = rollups_differences(period)
            for problem in problems[:50]:
                self.stdout.write(f"{period.code}: {problem}")
            failed |= bool(problems)
            self.stdout.write(
                _("%(p)s: %(n)d differences.") % {"p": period.code, "n": len(problems)}
            )
        if failed:
            raise CommandError(
                _(
                    "The rollups differ from the assessments; run hoctap verify-audit, "
                    "then --rebuild."
                )
            )

    def _refuse_altered(self, periods: list[Period]) -> None:
        """Raise, listing them, if any assessment of these periods disagrees with its chain."""
        report = results_verify(period_ids=[p.pk for p in periods], titles=False)
        if not report.disagreeing:
            return
        for line in assessment_problems(report):
            self.stdout.write(line)
        raise CommandError(
            _(
                "Nothing was rebuilt: %(n)d assessments disagree with their event chains, and a "
                "recount would carry the altered rows into the reports. Run hoctap verify-audit."
            )
            % {"n": report.disagreeing}
        )
