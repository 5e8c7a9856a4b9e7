"""The village pack: what a field officer takes up the mountain, built in a few queries.

A pack holds one unit's subtree for one period: its units, households, people (each with the
state of their enrolment this period, wherever it is, so the phone never offers to enrol them
twice), the open assessments (those whose self-assessment may still be written), the scheme they
use and, for an
officer who runs the commune's learning centre, the centre's sessions to take attendance at. It is
personal data on a phone, so it carries an expiry after which the app deletes it, and building
one is written to the access log.
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hoctap.accounts.models import User
from hoctap.accounts.scoping import Scope, scope_for
from hoctap.accounts.tokens import api_token_issue
from hoctap.assessments.models import Assessment, Period
from hoctap.assessments.periods import period_get, period_scheme
from hoctap.assessments.workflow import LAYER_STATES
from hoctap.audit.models import AccessAction
from hoctap.audit.services import access_log_record
from hoctap.core.errors import NotFound
from hoctap.learning.models import Attendance, Session
from hoctap.learning.selectors import may_manage
from hoctap.organisation.models import Unit
from hoctap.organisation.selectors import unit_commune
from hoctap.people.models import Citizen, Ethnicity, Household
from hoctap.schemes.models import Scheme, SubjectType

FORMAT = 2  # 2: each person carries their `enrolment` of the period
MAX_SESSIONS = 200  # a year of a commune centre's sessions, and then some
OPEN_STATES = sorted(LAYER_STATES["self"])


class PackTooLarge(ValueError):
    """The subtree holds more people than a phone should carry; pick a smaller unit."""


def pack_unit(*, user: User, period: Period, code: str) -> Unit:
    """Return the unit with `code` in force during the period and in the user's scope."""
    scope = scope_for(user)
    units = Unit.objects.filter(code=code.strip()).during(period.starts_on, period.ends_on)
    unit = scope.filter(units, "").order_by("-valid_from").first()
    if unit is None:
        raise NotFound(_("No such unit."))
    return unit


def pack_choices(*, user: User) -> dict[str, Any]:
    """Return the periods (newest first) and, per period, the units the user may pack."""
    scope = scope_for(user)
    periods = list(Period.objects.order_by("-starts_on", "code")[:5])
    choices = []
    for period in periods:
        units = scope.filter(Unit.objects.during(period.starts_on, period.ends_on), "")
        limit = settings.HOCTAP_PACK_CHOICES
        choices.append(
            {
                "code": period.code,
                "units": [
                    {"code": u.code, "name": u.name, "depth": u.depth}
                    for u in units.order_by("path", "-valid_from")[:limit]
                ],
            }
        )
    return {"periods": choices}


def pack_build(*, user: User, period_code: str, unit_code: str) -> dict[str, Any]:
    """Return the pack of one unit's subtree for one period, with a device token to sync."""
    period = period_get(period_code)
    unit = pack_unit(user=user, period=period, code=unit_code)
    path = unit.path
    assessments = (
        Assessment.objects.filter(period=period, unit__path__startswith=path)
        .filter(state__in=OPEN_STATES)
        .select_related("unit", "scheme", "citizen__household", "citizen__ethnicity")
        .order_by("citizen__search_name", "id")
    )
    limit = settings.HOCTAP_PACK_MAX_PEOPLE
    citizens = (
        Citizen.objects.filter(home_unit__path__startswith=path)
        .select_related("home_unit", "household", "ethnicity")
        .order_by("search_name", "birth_year", "pk")
    )
    people = list(citizens[: limit + 1])
    rows = list(assessments[: limit + 1])
    if len(people) > limit or len(rows) > limit:
        raise PackTooLarge(
            _(
                "%(unit)s holds more than %(limit)s people: download a smaller unit "
                "(a village or a branch)."
            )
            % {"unit": unit.name, "limit": limit}
        )
    people += _assessed_elsewhere(rows, {c.pk for c in people})
    enrolments = _enrolments(user=user, period=period, path=path, rows=rows)
    scheme = period_scheme(period, SubjectType.CITIZEN)
    units = Unit.objects.during(period.starts_on, period.ends_on).within(path).order_by("path")
    households = Household.objects.filter(unit__path__startswith=path).select_related("unit")
    now = timezone.now()
    expires = now + timedelta(days=settings.HOCTAP_PACK_DAYS)
    token = api_token_issue(
        user=user,
        name=_("Field phone: %(unit)s") % {"unit": unit.name},
        expires_at=expires,
    )
    access_log_record(
        user=user,
        action=AccessAction.EXPORT,
        object_type="field_pack",
        detail={"period": period.code, "unit": unit.code, "people": len(people)},
    )
    return {
        "format": FORMAT,
        "generated_at": _iso(now),
        "expires_at": _iso(expires),
        "user": user.get_username(),
        "token": token,
        "period": {"code": period.code, "starts_on": str(period.starts_on)},
        "unit": {"code": unit.code, "name": unit.name},
        "scheme": _scheme_ref(scheme),
        "units": [
            {"code": u.code, "name": u.name, "kind": u.kind, "depth": u.depth - unit.depth}
            for u in units
        ],
        "ethnicities": list(Ethnicity.objects.order_by("code").values_list("name", flat=True)),
        "households": [
            {"unit": h.unit.code, "code": h.code, "head": h.head_name} for h in households
        ],
        "citizens": [_citizen(c, enrolments.get(c.pk)) for c in people],
        "assessments": [_assessment(a) for a in rows],
        **_centre(user=user, period=period, unit=unit, people=people),
    }


def _centre(
    *, user: User, period: Period, unit: Unit, people: list[Citizen]
) -> dict[str, list[Any]]:
    """Return the commune centre's sessions in the period, and who may be ticked at them.

    Only for an officer who runs the centre. Each session says who of the pack's people is
    already recorded present, so the phone shows the sheet as the office has it; `attendees`
    are the pack's people who live in the commune (the only ones a sheet may name).
    """
    commune = unit_commune(unit=unit)
    if commune is None or not may_manage(scope=scope_for(user), unit=commune):
        return {"sessions": [], "attendees": []}
    latest = Session.objects.filter(
        course__centre__unit=commune,
        date__gte=period.starts_on,
        date__lte=period.ends_on,
    ).order_by("-date", "-pk")
    # The latest ones when a busy centre has more, listed in date order.
    sessions = list(latest.select_related("course")[:MAX_SESSIONS])[::-1]
    attendees = [c.pk for c in people if c.home_unit.path.startswith(commune.path)]
    present: dict[int, list[int]] = {s.pk: [] for s in sessions}
    rows = Attendance.objects.filter(session__in=sessions, citizen_id__in=attendees).values_list(
        "session_id", "citizen_id"
    )
    for session_id, citizen_id in rows.order_by("citizen_id"):
        present[session_id].append(citizen_id)
    return {
        "sessions": [
            {
                "id": s.pk,
                "date": s.date.isoformat(),
                "course": s.course.title,
                "topic": s.topic,
                "present": present[s.pk],
            }
            for s in sessions
        ],
        "attendees": attendees if sessions else [],
    }


def _assessed_elsewhere(rows: list[Assessment], known: set[int]) -> list[Citizen]:
    """Return the people assessed here whose home lies outside the unit (staff of an agency)."""
    missing = {a.citizen_id for a in rows} - known - {None}
    return list(
        Citizen.objects.filter(pk__in=missing).select_related("home_unit", "household", "ethnicity")
    )


def _enrolments(
    *, user: User, period: Period, path: str, rows: list[Assessment]
) -> dict[int, dict[str, Any]]:
    """Return, per person of the subtree, their enrolment this period, wherever it is.

    One assessment per person and period is the rule, so an enrolment anywhere rules out
    another here. Its state and unit are told only when the unit lies in the officer's scope;
    outside it the phone learns no more than that the person is enrolled elsewhere.
    """
    scope = scope_for(user)
    found = Assessment.objects.filter(
        period=period, citizen__home_unit__path__startswith=path
    ).values_list("citizen_id", "state", "unit__code", "unit__path")
    enrolments = {
        citizen_id: _enrolment(scope, path, state, code, unit_path)
        for citizen_id, state, code, unit_path in found
    }
    for row in rows:  # the people assessed here who live elsewhere
        if row.citizen_id is not None:
            unit = row.unit
            enrolments[row.citizen_id] = _enrolment(scope, path, row.state, unit.code, unit.path)
    return enrolments


def _enrolment(scope: Scope, path: str, state: str, code: str, unit_path: str) -> dict[str, Any]:
    if not scope.covers_path(unit_path):
        return {"state": "", "unit": "", "elsewhere": True}
    return {"state": state, "unit": code, "elsewhere": not unit_path.startswith(path)}


def _scheme_ref(scheme: Scheme) -> dict[str, Any]:
    return {
        "code": scheme.code,
        "version": scheme.version,
        "url": reverse("field:scheme", args=[scheme.code, scheme.version]),
    }


def _citizen(citizen: Citizen, enrolment: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "id": citizen.pk,
        "full_name": citizen.full_name,
        "birth_year": citizen.birth_year,
        "sex": citizen.sex,
        "ethnicity": citizen.ethnicity.name if citizen.ethnicity else "",
        "national_id_masked": citizen.masked_national_id,
        "household": citizen.household.code if citizen.household else "",
        "unit": citizen.home_unit.code,
        "enrolment": enrolment,
    }


def _assessment(assessment: Assessment) -> dict[str, Any]:
    return {
        "id": str(assessment.id),
        "citizen": assessment.citizen_id,
        "unit": assessment.unit.code,
        "group": assessment.group,
        "state": assessment.state,
        "version": assessment.version,
        "self": {code: str(value) for code, value in assessment.self_scores.items()},
    }


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")
