"""Every write to an assessment: enrolment, scores, and workflow transitions."""

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hoctap.accounts.models import User
from hoctap.accounts.scoping import scope_for
from hoctap.assessments.access import CitizenAccess, access_check, access_codes_end
from hoctap.assessments.events import DECISION_KEY, decision_record, event_append
from hoctap.assessments.models import Assessment, Period, PeriodClosure, State
from hoctap.assessments.periods import period_scheme
from hoctap.assessments.scoring import clean_scores, missing_indicators, outcome_of
from hoctap.assessments.workflow import (
    CITIZEN,
    LAYER_ROLES,
    LAYER_STATES,
    Action,
    transition_for,
)
from hoctap.core.errors import (
    CONSENT_MISSING,
    DUPLICATE_ENROLMENT,
    LAYER_EMPTY,
    NATIONAL_ID_ELSEWHERE,
    NOT_ALLOWED_NOW,
    STALE_VERSION,
    Conflict,
    Forbidden,
    NotFound,
)
from hoctap.core.text import nfc
from hoctap.organisation.models import Unit
from hoctap.people.models import Citizen
from hoctap.people.selectors import citizen_list
from hoctap.people.services import consent_on_record
from hoctap.reports.rollups import contribution, rollup_change
from hoctap.schemes.definition import SchemeDefinition
from hoctap.schemes.models import SubjectType

LAYERS = ("self", "reviewer", "final")

# Who acts: a signed-in user, or the citizen through an access code.
Actor = User | CitizenAccess


@dataclass(frozen=True)
class DecisionInput:
    number: str
    date: date
    body: str


def _event(
    assessment: Assessment,
    *,
    actor: Actor | None,
    action: str,
    from_state: str,
    reason: str = "",
    changes: dict[str, Any] | None = None,
) -> None:
    event_append(
        assessment,
        actor_id=actor.pk if isinstance(actor, User) else None,
        access_code_id=actor.code_id if isinstance(actor, CitizenAccess) else None,
        action=action,
        from_state=from_state,
        to_state=assessment.state,
        reason=reason,
        changes=changes,
    )


def assessment_locked(actor: Actor, assessment_id: UUID) -> tuple[Assessment, frozenset[str]]:
    """Lock the row for this transaction and return it with the roles `actor` holds over it.

    A citizen's access opens its own assessment only, and only while the code is usable.
    """
    # of=self: PostgreSQL cannot lock the nullable side of the join to the citizen.
    rows = Assessment.objects.select_for_update(of=("self",)).select_related(
        "unit", "scheme", "period", "citizen"
    )
    if isinstance(actor, CitizenAccess):
        if actor.assessment_id != assessment_id:
            raise NotFound(_("No such assessment."))
        access_check(actor)
        return rows.get(pk=assessment_id), frozenset({CITIZEN})
    scope = scope_for(actor)
    try:
        assessment = scope.filter(rows, "unit").get(pk=assessment_id)
    except (Assessment.DoesNotExist, ValueError):
        raise NotFound(_("No such assessment.")) from None
    return assessment, scope.roles_at(assessment.unit.path)


def _check_version(assessment: Assessment, version: int) -> None:
    if assessment.version != version:
        raise Conflict(
            _(
                "Someone else changed this assessment meanwhile (version %(now)d, yours %(yours)d)."
                " Reload it and apply your change again."
            )
            % {"now": assessment.version, "yours": version},
            STALE_VERSION,
        )


def _require_consent(assessment: Assessment) -> None:
    """Refuse to score or move on anyone whose consent to take part is not on record."""
    if assessment.citizen_id is not None and not consent_on_record(assessment.citizen_id):
        raise Conflict(
            _(
                "%(name)s's consent is not recorded (or was withdrawn): record it on the"
                " person's page before going on."
            )
            % {"name": assessment.citizen},
            CONSENT_MISSING,
        )


@transaction.atomic
def assessment_register(
    *,
    user: User,
    period: Period,
    unit: Unit,
    group: str,
    citizen: Citizen,
    assessment_id: UUID | None = None,
    request_digest: str = "",
) -> Assessment:
    """Enrol a citizen for a period in a unit within the user's scope, in a target group."""
    scope = scope_for(user)
    if not scope.covers_path(unit.path):
        raise NotFound(_("No such unit."))
    if not unit.valid_from <= period.ends_on or (
        unit.valid_to and unit.valid_to < period.starts_on
    ):
        raise ValidationError(_("The unit is not in force during period %(p)s.") % {"p": period})
    if PeriodClosure.objects.filter(period=period, unit__path__in=_prefixes(unit.path)).exists():
        raise Conflict(_("This commune has closed period %(p)s.") % {"p": period}, NOT_ALLOWED_NOW)
    scheme = period_scheme(period, SubjectType.CITIZEN)
    found = scheme.parsed.group_for(group)
    if found is None:
        codes = ", ".join(g.code for g in scheme.parsed.groups)
        raise ValidationError(
            _("%(g)s is not a target group of this scheme (%(codes)s).")
            % {"g": group, "codes": codes}
        )
    if not citizen_list(user=user, scope=scope).filter(pk=citizen.pk).exists():
        # Found by CCCD in another commune: say so without showing who it is.
        raise Conflict(
            _("This person is registered in another unit; that unit must enrol them."),
            NATIONAL_ID_ELSEWHERE,
        )
    if Assessment.objects.filter(period=period, citizen=citizen).exists():
        raise Conflict(
            _("%(name)s is already enrolled for %(p)s.") % {"name": citizen, "p": period},
            DUPLICATE_ENROLMENT,
        )
    assessment = Assessment.objects.create(
        **({"id": assessment_id} if assessment_id else {}),
        period=period,
        scheme=scheme,
        subject_type=SubjectType.CITIZEN,
        citizen=citizen,
        unit=unit,
        group=found.code,
        request_digest=request_digest,
        created_by=user,
    )
    _event(assessment, actor=user, action="register", from_state=State.REGISTERED)
    rollup_change(None, contribution(assessment))
    return assessment


def _prefixes(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


@transaction.atomic
def assessment_scores_set(
    *,
    user: Actor,
    assessment_id: UUID,
    layer: str,
    scores: dict[str, object],
    version: int,
    accepted: list[str] | None = None,
) -> Assessment:
    """Write some scores of one layer, refusing a stale version (no lost update).

    `accepted` names the indicators whose score the user took, as shown, from the layer below;
    the history records that they were accepted rather than typed.
    """
    assessment, roles = assessment_locked(user, assessment_id)
    _check_version(assessment, version)
    if layer not in LAYERS:
        raise ValidationError(_("Unknown score layer: %(l)s") % {"l": layer})
    if State(assessment.state) not in LAYER_STATES[layer]:
        raise Conflict(
            _("%(layer)s scores cannot be changed while the assessment is %(state)s.")
            % {"layer": layer, "state": assessment.get_state_display()},
            NOT_ALLOWED_NOW,
        )
    if not roles & LAYER_ROLES[layer]:
        raise Forbidden(_("Your role may not enter %(layer)s scores.") % {"layer": layer})
    _require_consent(assessment)
    cleaned = clean_scores(assessment.scheme.parsed, scores)
    current = assessment.scores(layer)
    changes = {c: [current.get(c), v] for c, v in cleaned.items() if current.get(c) != v}
    current.update(cleaned)
    assessment.version += 1
    assessment.save()
    _event(
        assessment,
        actor=user,
        action=f"scores_{layer}",
        from_state=assessment.state,
        changes={layer: changes, **({"accepted": sorted(accepted)} if accepted else {})},
    )
    return assessment


@transaction.atomic
def assessment_transition(
    *,
    user: Actor,
    assessment_id: UUID,
    action: str,
    version: int,
    reason: str = "",
    decision: DecisionInput | None = None,
    accept: str = "",
) -> Assessment:
    """Move an assessment along the declared workflow, writing one event.

    `accept` names the layer whose scores the user saw and takes for the indicators they left
    blank: "self" when reviewing, "reviewer" when deciding. Without it a layer with blanks is
    refused, so that no score is ever written that its user did not see.
    """
    assessment, roles = assessment_locked(user, assessment_id)
    _check_version(assessment, version)
    try:
        step = Action(action)
    except ValueError:
        raise ValidationError(_("Unknown action: %(a)s") % {"a": action}) from None
    before = State(assessment.state)
    transition = transition_for(before, step)
    if transition is None:
        raise Conflict(
            _("An assessment that is “%(state)s” does not allow “%(action)s”.")
            % {"state": assessment.get_state_display(), "action": step.label},
            NOT_ALLOWED_NOW,
        )
    if not roles & transition.roles:
        raise Forbidden(_("Your role may not do this."))
    if step not in (Action.RETURN, Action.REOPEN):
        _require_consent(assessment)
    reason = nfc(reason)
    if transition.needs_reason and not reason:
        raise ValidationError(_("Please give a reason."))
    counted = contribution(assessment)
    changes = _apply(assessment, step, decision, accept)
    if step is Action.DECIDE:
        changes[DECISION_KEY] = decision_record(
            number=assessment.decision_number,
            on=assessment.decision_date,
            body=assessment.decision_body,
        )
    assessment.state = transition.target
    assessment.version += 1
    assessment.save()
    if assessment.state not in LAYER_STATES["self"]:
        # Submitted: the citizen's codes end, and a returned assessment needs a new one.
        access_codes_end(assessment)
    rollup_change(counted, contribution(assessment))
    _event(
        assessment, actor=user, action=step.value, from_state=before, reason=reason, changes=changes
    )
    if step is Action.REOPEN:
        # A reopened decision no longer stands, so its certificate is withdrawn in this same
        # transaction. A plain call, not a signal, keeps that visible here; the import is local
        # because recognition builds on assessments and importing it at the top would be a cycle.
        from hoctap.recognition.services import certificates_withdraw_on_reopen

        certificates_withdraw_on_reopen(
            assessment=assessment,
            actor_id=user.pk if isinstance(user, User) else None,
            reason=reason,
        )
    return assessment


# The layer a step fills, and the one beneath it that the user may accept for its blanks.
_FILLS = {Action.REVIEW: ("reviewer", "self"), Action.DECIDE: ("final", "reviewer")}


def _apply(
    assessment: Assessment, step: Action, decision: DecisionInput | None, accept: str
) -> dict[str, Any]:
    """Carry out what an action does to the scores and result; return the score changes."""
    definition = assessment.scheme.parsed
    if step is Action.SELF_ASSESS:
        _require_complete(definition, assessment.self_scores, _("self-assessment"))
    elif step is Action.REVIEW:
        return _fill(assessment, step, accept)
    elif step is Action.DECIDE:
        if decision is None or not decision.number.strip():
            raise ValidationError(_("A decision needs its number and date."))
        changes = _fill(assessment, step, accept)
        outcome = outcome_of(definition, assessment.final_scores)
        assessment.final_total = outcome.total
        assessment.result = outcome.code
        assessment.passed = outcome.passed
        assessment.decision_number = nfc(decision.number)
        assessment.decision_date = decision.date
        assessment.decision_body = nfc(decision.body)
        changes["result"] = outcome.code
        return changes
    elif step is Action.REOPEN:
        assessment.result, assessment.passed, assessment.final_total = "", None, None
        assessment.decision_number, assessment.decision_body = "", ""
        assessment.decision_date = None
    return {}


def _fill(assessment: Assessment, step: Action, accept: str) -> dict[str, Any]:
    """Complete the step's layer, taking the lower layer's scores only where accepted."""
    layer, below = _FILLS[step]
    if accept not in ("", below):
        raise ValidationError(
            _("Only the %(below)s scores can be accepted here, not “%(accept)s”.")
            % {"below": below, "accept": accept}
        )
    definition = assessment.scheme.parsed
    own = assessment.scores(layer)
    blanks = missing_indicators(definition, own)
    if blanks and not accept:
        raise Conflict(
            _(
                "No score of yours yet for %(codes)s: enter them, or accept the %(below)s"
                " scores shown for them."
            )
            % {"codes": ", ".join(blanks), "below": below},
            LAYER_EMPTY,
        )
    filled = {**assessment.scores(below), **own}
    _require_complete(definition, filled, str(step.label))
    copied = {c: [own.get(c), v] for c, v in filled.items() if own.get(c) != v}
    setattr(assessment, f"{layer}_scores", filled)
    changes: dict[str, Any] = {layer: copied} if copied else {}
    if copied:
        changes["accepted"] = below
    return changes


def _require_complete(definition: SchemeDefinition, scores: dict[str, Any], what: str) -> None:
    missing = missing_indicators(definition, scores)
    if missing:
        raise ValidationError(
            _("The %(what)s is missing scores for: %(codes)s")
            % {"what": what, "codes": ", ".join(missing)}
        )
