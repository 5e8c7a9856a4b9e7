"""The learning movement around the citizens: sibling titles and learning centres' activity.

Both are counted in the database over the unit subtree (the historical tree: where the entry,
centre or course was recorded), with one query per table, whatever the number of rows.
"""

from django.db.models import Count, Q

from hoctap.assessments.models import Period, PeriodScheme
from hoctap.learning.models import Attendance, Centre, Course, Session
from hoctap.organisation.models import Unit
from hoctap.recognition.models import TitleEntry
from hoctap.recognition.titles import DEFAULT_SCHEMES
from hoctap.reports.model import CentreActivity, TitleRow
from hoctap.schemes.models import Scheme, SchemeStatus


def titles_summary(period: Period, unit: Unit) -> list[TitleRow]:
    """Return each sibling title with its registered and recognised subjects in the subtree."""
    counted = (
        TitleEntry.objects.filter(period=period, unit__path__startswith=unit.path)
        .values("subject_type")
        .annotate(registered=Count("pk"), recognised=Count("pk", filter=Q(passed=True)))
        .order_by()
    )
    found = {row["subject_type"]: row for row in counted}
    schemes = _schemes(period)
    rows = []
    for subject_type in DEFAULT_SCHEMES:
        scheme = schemes.get(subject_type)
        row = found.get(subject_type, {})
        rows.append(
            TitleRow(
                code=subject_type,
                title=scheme.title if scheme else subject_type,
                scheme=str(scheme) if scheme else "",
                provisional=scheme is not None and scheme.status == SchemeStatus.PROVISIONAL,
                registered=row.get("registered", 0),
                recognised=row.get("recognised", 0),
            )
        )
    return rows


def _schemes(period: Period) -> dict[str, Scheme]:
    """Return, per subject type, the scheme of the period's entries, else the one new entries
    would get (the period's own choice, else the newest version of the default), in 3 queries."""
    chosen: dict[str, Scheme] = {
        link.subject_type: link.scheme
        for link in PeriodScheme.objects.filter(period=period).select_related("scheme")
    }
    newest: dict[str, Scheme] = {}
    light = Scheme.objects.only("code", "version", "title", "status", "subject_type")
    for scheme in light.filter(code__in=DEFAULT_SCHEMES.values()).order_by("version"):
        newest[scheme.code] = scheme
    # The newest version when entries were made under two.
    used = light.filter(title_entries__period=period).distinct().order_by("version")
    by_entries = {scheme.subject_type: scheme for scheme in used}
    schemes = {}
    for subject_type, code in DEFAULT_SCHEMES.items():
        found = by_entries.get(subject_type) or chosen.get(subject_type) or newest.get(code)
        if found is not None:
            schemes[subject_type] = found
    return schemes


def centres_activity(period: Period, unit: Unit) -> CentreActivity:
    """Count the subtree's centres, and their courses, sessions and attendance in the period."""
    centres = Centre.objects.filter(unit__path__startswith=unit.path)
    courses = Course.objects.filter(
        centre__in=centres, starts_on__lte=period.ends_on, ends_on__gte=period.starts_on
    )
    sessions = Session.objects.filter(
        course__in=courses, date__gte=period.starts_on, date__lte=period.ends_on
    )
    attendance = Attendance.objects.filter(session__in=sessions).aggregate(
        attendances=Count("pk"), participants=Count("citizen", distinct=True)
    )
    return CentreActivity(
        centres=centres.count(),
        courses=courses.count(),
        sessions=sessions.count(),
        participants=attendance["participants"],
        attendances=attendance["attendances"],
    )
