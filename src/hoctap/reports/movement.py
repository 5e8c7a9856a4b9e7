"""The learning movement around the citizens: sibling titles and learning centres' activity.

Both are counted in the database over the unit subtree, with a fixed number of queries whatever
the number of rows. In the historical tree an entry counts where it was recorded and a centre
in its commune; in the restated tree, a unit that has ended counts under its successor today.
"""

from typing import TypeVar

from django.db.models import Count, Model, Q, QuerySet

from hoctap.assessments.models import Period, PeriodScheme
from hoctap.learning.models import Attendance, Centre, Course, Session
from hoctap.organisation.models import Unit
from hoctap.recognition.models import TitleEntry
from hoctap.recognition.titles import DEFAULT_SCHEMES
from hoctap.reports.model import CentreActivity, TitleRow
from hoctap.reports.trees import paths_in_tree
from hoctap.schemes.models import Scheme, SchemeStatus

M = TypeVar("M", bound=Model)


def _within(rows: QuerySet[M], unit: Unit, tree: str, field: str = "unit") -> QuerySet[M]:
    """Keep the rows whose unit (`field`) lies in the subtree of the chosen tree."""
    if tree != "restated":
        return rows.filter(**{f"{field}__path__startswith": unit.path})
    ids = set(rows.values_list(f"{field}_id", flat=True).distinct())
    return rows.filter(**{f"{field}_id__in": list(paths_in_tree(ids, unit, tree))})


def titles_summary(period: Period, unit: Unit, tree: str = "historical") -> list[TitleRow]:
    """Return each sibling title with its registered and recognised subjects in the subtree."""
    counted = (
        _within(TitleEntry.objects.filter(period=period), unit, tree)
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


def centres_activity(period: Period, unit: Unit, tree: str = "historical") -> CentreActivity:
    """Count the subtree's centres, and their courses, sessions and attendance in the period."""
    # A centre established after the period did nothing in it.
    founded = Q(decision_date__isnull=True) | Q(decision_date__lte=period.ends_on)
    centres = list(_within(Centre.objects.filter(founded), unit, tree).values_list("pk", flat=True))
    if not centres:
        return CentreActivity(centres=0, courses=0, sessions=0, participants=0, attendances=0)
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
        centres=len(centres),
        courses=courses.count(),
        sessions=sessions.count(),
        participants=attendance["participants"],
        attendances=attendance["attendances"],
    )
