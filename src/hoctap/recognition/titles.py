"""Sibling titles: registering a household or a unit for a title, and recording the decision.

The subject decides the title: a household may become a learning family (gia đình học tập), an
agency or an association branch a learning unit (đơn vị học tập), a commune a learning
community (cộng đồng học tập cấp xã), a clan a learning clan (dòng họ học tập). The scheme is the
one the period names for that subject type, else the newest version of the default scheme.

The decision is a human one, taken on the scores of the title's own criteria; the member counts
are never typed in: they are counted from the data when the decision is recorded
(hoctap.schemes.members) and kept with it, so the decision can be read again later as it was.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hoctap.accounts.models import User
from hoctap.accounts.scoping import Scope, scope_for
from hoctap.assessments.models import Period, PeriodScheme, State
from hoctap.assessments.scoring import clean_scores, missing_indicators, outcome_of
from hoctap.assessments.workflow import TRANSITIONS, Action
from hoctap.audit.models import AccessAction
from hoctap.audit.services import access_log_record
from hoctap.core.errors import Conflict, Forbidden, NotFound
from hoctap.core.text import nfc
from hoctap.organisation.models import Unit, UnitKind
from hoctap.people.models import Household
from hoctap.recognition.models import TitleEntry
from hoctap.schemes.candidates import member_rule
from hoctap.schemes.loader import scheme_latest
from hoctap.schemes.members import community_members, household_members, unit_members
from hoctap.schemes.models import Scheme, SubjectType
from hoctap.schemes.rules import MemberCounts

# Who may review a citizen's assessment may register a subject; who decides one decides these.
REGISTRARS = TRANSITIONS[(State.SUBMITTED, Action.REVIEW)].roles
DECIDERS = TRANSITIONS[(State.BRANCH_REVIEWED, Action.DECIDE)].roles

# The default scheme of each sibling title, in the order reports list them.
DEFAULT_SCHEMES: dict[str, str] = {
    SubjectType.HOUSEHOLD: "gia-dinh-hoc-tap",
    SubjectType.AGENCY: "don-vi-hoc-tap-2023",
    SubjectType.COMMUNITY: "cong-dong-hoc-tap",
    SubjectType.CLAN: "dong-ho-hoc-tap",
}
_UNIT_SUBJECTS = {
    UnitKind.AGENCY: SubjectType.AGENCY,
    UnitKind.BRANCH: SubjectType.AGENCY,
    UnitKind.COMMUNE: SubjectType.COMMUNITY,
    UnitKind.CLAN: SubjectType.CLAN,
}


@dataclass(frozen=True)
class Subject:
    """What is registered: a household or a unit, with its title and where it is counted."""

    subject_type: str
    unit: Unit
    household: Household | None = None
    subject_unit: Unit | None = None


def subject_of(*, household: Household | None = None, unit: Unit | None = None) -> Subject:
    """Return the subject for a household or a unit; a unit of another kind has no title."""
    if household is not None:
        return Subject(SubjectType.HOUSEHOLD, household.unit, household=household)
    if unit is not None and unit.kind in _UNIT_SUBJECTS:
        return Subject(_UNIT_SUBJECTS[UnitKind(unit.kind)], unit, subject_unit=unit)
    raise ValidationError(
        _("Only a household, an agency, a branch, a commune or a clan can hold a title.")
    )


def title_scheme(*, period: Period, subject_type: str) -> Scheme:
    """Return the scheme the period uses for this subject type, else the default's newest."""
    link = PeriodScheme.objects.filter(period=period, subject_type=subject_type).first()
    return link.scheme if link is not None else scheme_latest(DEFAULT_SCHEMES[subject_type])


def members_of(entry: TitleEntry) -> MemberCounts:
    """Count the entry's members, and those holding the title below it, from the data now."""
    if entry.household is not None:
        return household_members(household=entry.household, period=entry.period)
    unit = entry.subject_unit
    if unit is None:  # the check constraint makes one of the two set
        return MemberCounts(holding=0, total=0)
    if entry.subject_type == SubjectType.COMMUNITY:
        return community_members(unit=unit, period=entry.period)
    return unit_members(unit=unit, period=entry.period)


def _check(scope: Scope, unit: Unit, roles: frozenset[str]) -> None:
    if not scope.covers_path(unit.path):
        raise NotFound(_("No such unit."))
    if not scope.roles_at(unit.path) & roles:
        raise Forbidden(_("Your role may not record sibling titles."))


@transaction.atomic
def title_register(
    *, user: User, period: Period, household: Household | None = None, unit: Unit | None = None
) -> TitleEntry:
    """Register a household or a unit for its title in the period; registering again is a no-op."""
    subject = subject_of(household=household, unit=unit)
    _check(scope_for(user), subject.unit, REGISTRARS)
    found = TitleEntry.objects.filter(
        period=period,
        subject_type=subject.subject_type,
        household=subject.household,
        subject_unit=subject.subject_unit,
    ).first()
    if found is not None:
        return found
    try:
        # A savepoint: a second click racing this one makes the same row; then it is read back.
        with transaction.atomic():
            return TitleEntry.objects.create(
                period=period,
                scheme=title_scheme(period=period, subject_type=subject.subject_type),
                subject_type=subject.subject_type,
                household=subject.household,
                subject_unit=subject.subject_unit,
                unit=subject.unit,
                registered_at=timezone.now(),
                registered_by=user,
            )
    except IntegrityError:
        return TitleEntry.objects.get(
            period=period,
            subject_type=subject.subject_type,
            household=subject.household,
            subject_unit=subject.subject_unit,
        )


@transaction.atomic
def title_decide(
    *,
    user: User,
    entry_id: int,
    scores: Mapping[str, object],
    decision_number: str,
    decision_date: date | None,
) -> TitleEntry:
    """Record the decision on an entry: scores, member counts from the data, and the result."""
    scope = scope_for(user)
    rows = TitleEntry.objects.select_for_update(of=("self",)).select_related(
        "unit", "period", "scheme", "household", "subject_unit"
    )
    entry = scope.filter(rows, "unit").filter(pk=entry_id).first()
    if entry is None:
        raise NotFound(_("No such title entry."))
    _check(scope, entry.unit, DECIDERS)
    if entry.passed is not None:
        raise Conflict(_("This title has already been decided."))
    definition = entry.scheme.parsed
    cleaned = clean_scores(definition, scores)
    errors = []
    missing = missing_indicators(definition, cleaned)
    if missing:
        errors.append(_("Scores are missing for %(codes)s.") % {"codes": ", ".join(missing)})
    number = nfc(decision_number).strip()
    if not number:
        errors.append(_("Please give the decision number."))
    if decision_date is None:
        errors.append(_("Please give the decision date."))
    elif decision_date < entry.period.starts_on:
        errors.append(_("The decision cannot come before the period starts."))
    elif decision_date > timezone.localdate():
        errors.append(_("The decision date cannot be in the future."))
    if errors:
        raise ValidationError(errors)
    members = members_of(entry) if member_rule(entry.scheme.rule) is not None else None
    outcome = outcome_of(definition, cleaned, members)
    entry.scores = cleaned
    entry.members_holding = members.holding if members else None
    entry.members_total = members.total if members else None
    entry.result = outcome.code
    entry.passed = outcome.passed
    entry.decision_number = number
    entry.decision_date = decision_date
    entry.decided_at = timezone.now()
    entry.decided_by = user
    entry.save()
    return entry


def title_entries(*, user: User, period: Period, unit: Unit) -> QuerySet[TitleEntry]:
    """Return the entries of the unit's subtree in the period that the user may see."""
    scope = scope_for(user)
    if not scope.covers_path(unit.path):
        raise NotFound(_("No such unit."))
    rows = TitleEntry.objects.filter(period=period, unit__path__startswith=unit.path)
    entries = scope.filter(rows, "unit").select_related(
        "scheme", "household", "subject_unit", "unit"
    )
    # The list names households by their heads: who saw it is recorded.
    access_log_record(
        user=user,
        action=AccessAction.VIEW,
        object_type="title_entries",
        object_id=unit.pk,
        detail={"period": period.code},
    )
    return entries.order_by("subject_type", "unit__path", "pk")
