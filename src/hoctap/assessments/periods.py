"""Opening and closing assessment periods."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hoctap.accounts.models import Role, User
from hoctap.accounts.scoping import scope_for
from hoctap.assessments.models import Assessment, Period, PeriodClosure, PeriodScheme, State
from hoctap.core.errors import Conflict, Forbidden, NotFound
from hoctap.organisation.models import Unit, UnitKind
from hoctap.schemes.loader import scheme_latest
from hoctap.schemes.models import Scheme

_SCHOOL_YEAR = re.compile(r"(\d{4})-(\d{4})")
_YEAR = re.compile(r"\d{4}")


def period_dates(code: str) -> tuple[date, date]:
    """Infer a period's dates: '2020-2021' is a school year (Sept–Aug), '2024' a calendar year."""
    if match := _SCHOOL_YEAR.fullmatch(code):
        first, second = int(match[1]), int(match[2])
        if second != first + 1:
            raise ValidationError(_("A school year is two consecutive years, e.g. 2020-2021."))
        return date(first, 9, 1), date(second, 8, 31)
    if _YEAR.fullmatch(code):
        return date(int(code), 1, 1), date(int(code), 12, 31)
    raise ValidationError(
        _("Cannot infer dates from %(code)s: give --starts and --ends (dd/mm/yyyy).")
        % {"code": code}
    )


@transaction.atomic
def period_open(
    *, code: str, scheme_code: str, starts_on: date | None = None, ends_on: date | None = None
) -> tuple[Period, Scheme, bool]:
    """Open a period on the newest version of a scheme; opening it again changes nothing."""
    code = code.strip()
    if starts_on is None or ends_on is None:
        inferred = period_dates(code)
        starts_on, ends_on = starts_on or inferred[0], ends_on or inferred[1]
    if ends_on < starts_on:
        raise ValidationError(_("A period cannot end before it starts."))
    scheme = scheme_latest(scheme_code)
    period, _created = Period.objects.get_or_create(
        code=code, defaults={"starts_on": starts_on, "ends_on": ends_on}
    )
    existing = PeriodScheme.objects.filter(period=period, subject_type=scheme.subject_type).first()
    if existing is not None:
        if existing.scheme.code != scheme.code:
            raise ValidationError(
                _("Period %(p)s already uses scheme %(s)s for this subject.")
                % {"p": code, "s": existing.scheme.code}
            )
        return period, existing.scheme, False
    PeriodScheme.objects.create(period=period, scheme=scheme, subject_type=scheme.subject_type)
    return period, scheme, True


def period_get(code: str) -> Period:
    """Return the period with this code, or raise a ValidationError in Vietnamese."""
    try:
        return Period.objects.get(code=code.strip())
    except Period.DoesNotExist:
        raise ValidationError(_("No period has code %(code)s.") % {"code": code}) from None


def period_scheme(period: Period, subject_type: str) -> Scheme:
    """Return the scheme a period uses for a subject type."""
    link = PeriodScheme.objects.filter(period=period, subject_type=subject_type).first()
    if link is None:
        raise ValidationError(_("Period %(p)s has no scheme for this subject.") % {"p": period})
    return link.scheme


_CLOSING_ROLES = frozenset(
    {Role.COMMUNE_OFFICER, Role.DISTRICT_OFFICER, Role.PROVINCE_OFFICER, Role.ADMINISTRATOR}
)
_OPEN_STATES = (State.REGISTERED, State.SELF_ASSESSED, State.SUBMITTED, State.RETURNED)


@transaction.atomic
def period_close(*, user: User, period: Period, unit: Unit) -> PeriodClosure:
    """Close a commune's part of a period once every assessment in it has been reviewed."""
    scope = scope_for(user)
    if not scope.covers_path(unit.path):
        raise NotFound(_("No such unit."))
    if not scope.roles_at(unit.path) & _CLOSING_ROLES:
        raise Forbidden(_("Only the commune association may close its period."))
    if unit.kind != UnitKind.COMMUNE:
        raise ValidationError(_("A period is closed commune by commune."))
    pending = Assessment.objects.filter(
        period=period, unit__path__startswith=unit.path, state__in=_OPEN_STATES
    ).count()
    if pending:
        raise Conflict(
            ngettext(
                "%(n)d assessment is not yet reviewed; the period cannot be closed.",
                "%(n)d assessments are not yet reviewed; the period cannot be closed.",
                pending,
            )
            % {"n": pending}
        )
    closure, _created = PeriodClosure.objects.get_or_create(
        period=period, unit=unit, defaults={"closed_by": user}
    )
    return closure
