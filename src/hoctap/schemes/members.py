"""Member rollups: how many of a subject's members hold a title, counted in the database.

The sibling titles rest on their members: a learning family on its adults being recognised as
"Công dân học tập" (CDHT), a learning unit on 90 % of its members being so, a learning community
on its learning families. These selectors count them with aggregate queries over indexed
columns and return `MemberCounts`, ready for `hoctap.schemes.rules.evaluate(..., members=...)`.

Definitions (see docs/schemes.md, "Member rollups"):
- adult: aged 18 or more in the period's first calendar year (only the birth year is known);
- recognised: holds a decided, passed citizen (CDHT) assessment in the same period;
- members of a learning unit: for an agency, the citizens working there (`workplace`); for a
  branch, the citizens enrolled there (`home_unit`).
"""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from hoctap.assessments.models import Assessment, Period, State
from hoctap.organisation.models import Unit, UnitKind
from hoctap.people.models import Citizen, Household
from hoctap.schemes.models import SubjectType
from hoctap.schemes.rules import MemberCounts

ADULT_AGE = 18
LEARNING_UNIT_KINDS = (UnitKind.AGENCY, UnitKind.BRANCH)


def adult_born_by(period: Period) -> int:
    """Return the latest birth year of an adult in this period."""
    return period.starts_on.year - ADULT_AGE


def _cdht_passed(period: Period, citizen: str = "pk") -> Exists:
    """Match a citizen (by the field `citizen` of the outer query) recognised in `period`."""
    # Served by the unique (period, citizen) index: at most one row per citizen and period.
    return Exists(
        Assessment.objects.filter(
            citizen=OuterRef(citizen),
            period=period,
            subject_type=SubjectType.CITIZEN,
            state=State.DECIDED,
            passed=True,
        )
    )


def _counts(citizens: QuerySet[Citizen], period: Period) -> MemberCounts:
    totals = citizens.aggregate(
        total=Count("pk"), holding=Count("pk", filter=Q(_cdht_passed(period)))
    )
    return MemberCounts(holding=totals["holding"], total=totals["total"])


def household_members(*, household: Household, period: Period) -> MemberCounts:
    """Count a household's adults, and those of them recognised as CDHT in the period."""
    adults = Citizen.objects.filter(household=household, birth_year__lte=adult_born_by(period))
    return _counts(adults, period)


def households_with_members(
    *, period: Period, households: QuerySet[Household]
) -> list[tuple[Household, MemberCounts]]:
    """Return each of `households` with its adults and how many of them are recognised."""
    adult = Q(members__birth_year__lte=adult_born_by(period))
    recognised = adult & Q(members__in=Citizen.objects.filter(_cdht_passed(period)).values("pk"))
    rows = households.annotate(
        adults=Count("members", filter=adult),
        adults_recognised=Count("members", filter=recognised),
    ).values_list("pk", "adults", "adults_recognised")
    counts = {pk: MemberCounts(holding=held, total=total) for pk, total, held in rows}
    listed = households.select_related("unit").order_by("unit__path", "code")
    none = MemberCounts(holding=0, total=0)  # a household added between the two queries
    return [(h, counts.get(h.pk, none)) for h in listed]


def households_in(unit: Unit) -> QuerySet[Household]:
    """Return the households enrolled in the unit's subtree."""
    return Household.objects.filter(unit__path__startswith=unit.path)


def _members_q(unit_kind: str) -> str:
    """Return the citizen field that makes a citizen a member of a unit of this kind."""
    return "workplace" if unit_kind == UnitKind.AGENCY else "home_unit"


def unit_members(*, unit: Unit, period: Period) -> MemberCounts:
    """Count a learning unit's members, and those of them recognised as CDHT in the period."""
    if unit.kind not in LEARNING_UNIT_KINDS:
        return MemberCounts(holding=0, total=0)
    return _counts(Citizen.objects.filter(**{_members_q(unit.kind): unit}), period)


def units_with_members(*, period: Period, unit: Unit) -> list[tuple[Unit, MemberCounts]]:
    """Return the agencies and branches of the subtree in force in the period, with counts."""
    units = list(
        Unit.objects.within(unit.path)
        .during(period.starts_on, period.ends_on)
        .filter(kind__in=LEARNING_UNIT_KINDS)
        .select_related("parent")
        .order_by("path")
    )
    counts: dict[int, MemberCounts] = {}
    for kind in LEARNING_UNIT_KINDS:
        field = _members_q(kind)
        rows = (
            Citizen.objects.filter(
                **{f"{field}__path__startswith": unit.path, f"{field}__kind": kind}
            )
            .values(field)
            .annotate(total=Count("pk"), holding=Count("pk", filter=Q(_cdht_passed(period))))
            .order_by()
        )
        for row in rows:
            counts[row[field]] = MemberCounts(holding=row["holding"], total=row["total"])
    empty = MemberCounts(holding=0, total=0)
    return [(u, counts.get(u.pk, empty)) for u in units]


def community_members(*, unit: Unit, period: Period) -> MemberCounts:
    """Count a commune's households, and those recognised as learning families in the period."""
    # Imported here: recognition builds on the schemes, not the other way round.
    from hoctap.recognition.models import TitleEntry

    households = Household.objects.filter(unit__path__startswith=unit.path).count()
    families = TitleEntry.objects.filter(
        period=period,
        unit__path__startswith=unit.path,
        subject_type=SubjectType.HOUSEHOLD,
        passed=True,
    ).count()
    return MemberCounts(holding=families, total=households)
