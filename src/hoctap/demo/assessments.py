"""The pilot's assessments: 2020–2021 all decided (363 of 370 pass), 2021–2022 in progress."""

import random
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from django.db import transaction

from hoctap.accounts.models import User
from hoctap.assessments.enrolment import consents_record_missing
from hoctap.assessments.events import DECISION_KEY, decision_record, event_new
from hoctap.assessments.models import Assessment, AssessmentEvent, Period, State
from hoctap.assessments.periods import period_open
from hoctap.assessments.scoring import outcome_of
from hoctap.assessments.services import (
    DecisionInput,
    assessment_register,
    assessment_scores_set,
    assessment_transition,
)
from hoctap.demo.pilot import DemoPerson, DemoPilot
from hoctap.people.models import ConsentMethod
from hoctap.reports.rollups import rollups_rebuild
from hoctap.schemes.definition import SchemeDefinition
from hoctap.schemes.models import SubjectType

PILOT_PERIOD, NEXT_PERIOD, SCHEME = "2020-2021", "2021-2022", "cdht-2020"
PILOT_FAILURES = 7
DECISION_DATE = date(2021, 5, 28)


def _passing(rng: random.Random, codes: Sequence[str]) -> dict[str, str]:
    while True:
        scores = {c: rng.choices(range(5, 11), weights=(1, 2, 4, 8, 9, 6))[0] for c in codes}
        if sum(scores.values()) >= 80:
            return {c: str(v) for c, v in scores.items()}


def _failing(rng: random.Random, codes: Sequence[str], n: int) -> dict[str, str]:
    """Fail some by the total and some by one indicator below 5, as a pilot would."""
    if n % 2 == 0:
        scores = {c: rng.randint(6, 8) for c in codes}
        scores[codes[rng.randrange(len(codes))]] = 5
        while sum(scores.values()) >= 80:
            scores[codes[rng.randrange(len(codes))]] = 5
    else:
        scores = {c: rng.randint(8, 10) for c in codes}
        scores[rng.choice(["CS5", "CS6", "CS7"])] = rng.randint(2, 4)
    return {c: str(v) for c, v in scores.items()}


def _commune_of(person: DemoPerson, pilot: DemoPilot) -> str:
    return next(code for code, c in pilot.communes.items() if person.unit.path.startswith(c.path))


def _decision(person: DemoPerson, pilot: DemoPilot) -> tuple[str, str]:
    commune = pilot.communes[_commune_of(person, pilot)]
    number = {"03253": "25/QĐ-HKH", "03289": "12/QĐ-HKH", "03274": "09/QĐ-HKH"}[commune.code]
    return number, f"Hội Khuyến học {commune.name[0].lower()}{commune.name[1:]}"


@transaction.atomic
def build_pilot_period(pilot: DemoPilot, officers: dict[str, User]) -> Period:
    """Decide all 370 assessments of 2020–2021 with scores that give exactly 363 passes."""
    period, scheme, _created = period_open(code=PILOT_PERIOD, scheme_code=SCHEME)
    _record_pilot_consent(pilot, officers)
    definition: SchemeDefinition = scheme.parsed
    codes = definition.indicator_codes
    rng = random.Random(370)
    failing = set(rng.sample(range(len(pilot.people)), PILOT_FAILURES))
    rows, events = [], []
    for n, person in enumerate(pilot.people):
        scores = _failing(rng, codes, n) if n in failing else _passing(rng, codes)
        outcome = outcome_of(definition, scores)
        number, body = _decision(person, pilot)
        officer = officers[_commune_of(person, pilot)]
        rows.append(
            Assessment(
                period=period,
                scheme=scheme,
                subject_type=SubjectType.CITIZEN,
                citizen=person.citizen,
                unit=person.unit,
                group=person.group,
                state=State.DECIDED,
                self_scores=scores,
                reviewer_scores=scores,
                final_scores=scores,
                final_total=outcome.total,
                result=outcome.code,
                passed=outcome.passed,
                version=len(_PILOT_STEPS),
                decision_number=number,
                decision_body=body,
                decision_date=DECISION_DATE,
                created_by=officer,
            )
        )
    for a in rows:
        events += _pilot_history(a)
    # The histories were chained first: each assessment is stored with its chain's head.
    Assessment.objects.bulk_create(rows)
    AssessmentEvent.objects.bulk_create(events)
    rollups_rebuild(period)
    return period


# The pilot's people signed the consent form when the branches enrolled them, in October 2020.
PILOT_CONSENT_AT = datetime(2020, 10, 15, 8, 0, tzinfo=UTC)


def _record_pilot_consent(pilot: DemoPilot, officers: dict[str, User]) -> None:
    for commune_code, officer in officers.items():
        consents_record_missing(
            citizen_ids=[
                p.citizen.pk for p in pilot.people if _commune_of(p, pilot) == commune_code
            ],
            method=ConsentMethod.PAPER,
            recorded_by=officer,
            given_at=PILOT_CONSENT_AT,
        )


# The steps every pilot assessment went through, as the officers recorded them.
_PILOT_STEPS = (
    ("register", State.REGISTERED, State.REGISTERED),
    ("scores_self", State.REGISTERED, State.REGISTERED),
    ("self_assess", State.REGISTERED, State.SELF_ASSESSED),
    ("submit", State.SELF_ASSESSED, State.SUBMITTED),
    ("review", State.SUBMITTED, State.BRANCH_REVIEWED),
    ("decide", State.BRANCH_REVIEWED, State.DECIDED),
)


def _pilot_history(a: Assessment) -> list[AssessmentEvent]:
    """Return the full event chain of one decided pilot assessment.

    Each event records what the service would have recorded: the review copies the
    self-assessed scores into the reviewer layer, the decision copies them into the final
    layer and records its result and decision, so that replaying the chain gives the row.
    """
    changes: dict[str, dict[str, Any]] = {
        "scores_self": {"self": {c: [None, v] for c, v in a.self_scores.items()}},
        "review": {"reviewer": {c: [None, v] for c, v in a.reviewer_scores.items()}},
        "decide": {
            "final": {c: [None, v] for c, v in a.final_scores.items()},
            "result": a.result,
            DECISION_KEY: decision_record(
                number=a.decision_number, on=a.decision_date, body=a.decision_body
            ),
        },
    }
    return [
        event_new(
            a,
            actor_id=a.created_by_id,
            action=action,
            from_state=before,
            to_state=after,
            changes=changes.get(action, {}),
        )
        for action, before, after in _PILOT_STEPS
    ]


# How far each sampled person of 2021–2022 has gone, cycling through every state.
_PROGRESS = (
    State.REGISTERED,
    State.SELF_ASSESSED,
    State.SUBMITTED,
    State.BRANCH_REVIEWED,
    State.RETURNED,
    State.DECIDED,
)


def build_next_period(pilot: DemoPilot, officers: dict[str, User], per_commune: int = 24) -> Period:
    """Open 2021–2022 with work in progress in every state, done through the real services."""
    period, scheme, _created = period_open(code=NEXT_PERIOD, scheme_code=SCHEME)
    codes = scheme.parsed.indicator_codes
    rng = random.Random(2021)
    for commune_code, commune in pilot.communes.items():
        officer = officers[commune_code]
        people = [p for p in pilot.people if p.unit.path.startswith(commune.path)]
        for n, person in enumerate(rng.sample(people, per_commune)):
            target = _PROGRESS[n % len(_PROGRESS)]
            a = assessment_register(
                user=officer,
                period=period,
                unit=person.unit,
                group=person.group,
                citizen=person.citizen,
            )
            _advance(a.id, officer, target, _passing(rng, codes))
    return period


def _advance(assessment_id: UUID, officer: User, target: State, scores: dict[str, str]) -> None:
    """Take one assessment through the workflow up to `target`, as the officer would."""
    if target == State.REGISTERED:
        return
    version = Assessment.objects.get(pk=assessment_id).version
    version = assessment_scores_set(
        user=officer,
        assessment_id=assessment_id,
        layer="self",
        scores=dict(scores),
        version=version,
    ).version
    path = {
        State.SELF_ASSESSED: ["self_assess"],
        State.SUBMITTED: ["self_assess", "submit"],
        State.RETURNED: ["self_assess", "submit", "return"],
        State.BRANCH_REVIEWED: ["self_assess", "submit", "review"],
        State.DECIDED: ["self_assess", "submit", "review", "decide"],
    }[target]
    for action in path:
        version = assessment_transition(
            user=officer,
            assessment_id=assessment_id,
            action=action,
            version=version,
            reason=RETURN_REASON if action == "return" else "",
            decision=NEXT_DECISION if action == "decide" else None,
            # The demo's officers looked and took the scores below as they stood.
            accept={"review": "self", "decide": "reviewer"}.get(action, ""),
        ).version


RETURN_REASON = "Thiếu minh chứng cho chỉ số CS3, đề nghị bổ sung."
NEXT_DECISION = DecisionInput(number="18/QĐ-HKH", date=date(2022, 5, 20), body="Hội Khuyến học xã")
