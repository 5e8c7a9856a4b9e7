"""The workflow table against a hand-written copy of spec §3.3, and the services that apply it."""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hoctap.accounts.models import Role, User
from hoctap.assessments.models import Assessment, AssessmentEvent, Period, State
from hoctap.assessments.periods import period_open
from hoctap.assessments.services import (
    DecisionInput,
    assessment_register,
    assessment_scores_set,
    assessment_transition,
)
from hoctap.assessments.workflow import CITIZEN, Action, allowed_actions, transition_for
from hoctap.core.errors import Conflict, Forbidden, NotFound
from hoctap.people.models import Citizen, Consent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Assert on the English wording unless a test asks for Vietnamese (the default language)."""
    with translation.override("en"):
        yield


# The spec's diagram, written out by hand and on purpose not built from the code's table.
STATES = ["registered", "self_assessed", "submitted", "branch_reviewed", "decided", "returned"]
ACTIONS = ["self_assess", "submit", "review", "decide", "return", "reopen"]
ROLES = [
    "citizen",
    "branch_officer",
    "commune_officer",
    "agency_head",
    "district_officer",
    "province_officer",
    "administrator",
]
# Who fills in the self-assessment: the citizen, or a cadre of the branch, commune or agency.
FILLERS = {"citizen", "branch_officer", "commune_officer", "agency_head"}
REVIEWERS = {"branch_officer", "commune_officer", "agency_head"}
DECIDERS = {"commune_officer", "agency_head"}
HIGHER = {"district_officer", "province_officer", "administrator"}


@dataclass(frozen=True)
class Expected:
    target: str
    roles: set[str]
    needs_reason: bool = False


EXPECTED: dict[tuple[str, str], Expected] = {
    ("registered", "self_assess"): Expected("self_assessed", FILLERS),
    ("returned", "self_assess"): Expected("self_assessed", FILLERS),
    ("self_assessed", "submit"): Expected("submitted", FILLERS),
    ("submitted", "review"): Expected("branch_reviewed", REVIEWERS),
    ("submitted", "return"): Expected("returned", REVIEWERS | HIGHER, needs_reason=True),
    ("branch_reviewed", "return"): Expected("returned", DECIDERS | HIGHER, needs_reason=True),
    ("branch_reviewed", "decide"): Expected("decided", DECIDERS),
    ("decided", "reopen"): Expected("branch_reviewed", HIGHER, needs_reason=True),
}

INDICATORS = [f"CS{n}" for n in range(1, 11)]
REASON = "Thiếu minh chứng cho chỉ số CS3."
DECISION = DecisionInput(number="07/QĐ-HKH", date=date(2025, 12, 20), body="Hội Khuyến học xã")


# The declared table


def test_the_code_knows_exactly_the_states_actions_and_roles_of_the_spec() -> None:
    assert sorted(State.values) == sorted(STATES)
    assert sorted(a.value for a in Action) == sorted(ACTIONS)
    assert sorted([*Role.values, CITIZEN]) == sorted(ROLES)


@pytest.mark.parametrize("state", STATES)
def test_every_action_by_every_role_is_declared_as_the_spec_draws_it(state: str) -> None:
    actual: dict[tuple[str, str], tuple[str, bool, bool] | None] = {}
    expected: dict[tuple[str, str], tuple[str, bool, bool] | None] = {}
    for action in ACTIONS:
        declared = transition_for(State(state), Action(action))
        spec = EXPECTED.get((state, action))
        for role in ROLES:
            actual[action, role] = (
                None
                if declared is None
                else (declared.target.value, role in declared.roles, declared.needs_reason)
            )
            expected[action, role] = (
                None if spec is None else (spec.target, role in spec.roles, spec.needs_reason)
            )
    assert actual == expected


@pytest.mark.parametrize("state", STATES)
def test_each_role_is_offered_exactly_the_actions_the_spec_allows_it(state: str) -> None:
    for role in ROLES:
        offered = {a.value for a in allowed_actions(State(state), frozenset({role}))}
        allowed = {a for (s, a), e in EXPECTED.items() if s == state and role in e.roles}
        assert offered == allowed, role
    everyone = {a.value for a in allowed_actions(State(state), frozenset(ROLES))}
    assert everyone == {a for s, a in EXPECTED if s == state}
    assert allowed_actions(State(state), frozenset()) == []


# Personas and a fresh assessment


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _period() -> Period:
    # Quài Cang's units ended with the district on 30/06/2025, so a 2026 period has no
    # Quài Cang unit in force; 2025 is the last calendar year they can be enrolled in.
    period, _scheme, _created = period_open(code="2025", scheme_code="cdht-2022")
    return period


def _citizen() -> Citizen:
    """Return a villager of the first branch of Quài Cang with no assessment in 2025."""
    citizen = (
        Citizen.objects.filter(home_unit__code="03289-CH1", workplace=None)
        .exclude(assessments__period__code="2025")
        .order_by("pk")
        .first()
    )
    assert citizen is not None
    return citizen


def _register(officer: User) -> Assessment:
    citizen = _citizen()
    return assessment_register(
        user=officer, period=_period(), unit=citizen.home_unit, group="G1", citizen=citizen
    )


def _go(
    user: User,
    assessment: Assessment,
    action: str,
    *,
    reason: str = "",
    decision: DecisionInput | None = None,
) -> Assessment:
    # These walks test the table, not the layers: the officer takes the scores below as seen.
    return assessment_transition(
        user=user,
        assessment_id=assessment.id,
        action=action,
        version=assessment.version,
        reason=reason,
        decision=decision,
        accept=ACCEPTING.get(action, ""),
    )


ACCEPTING = {"review": "self", "decide": "reviewer"}


def _score(user: User, assessment: Assessment, layer: str, scores: dict[str, object]) -> Assessment:
    return assessment_scores_set(
        user=user,
        assessment_id=assessment.id,
        layer=layer,
        scores=scores,
        version=assessment.version,
    )


def _all(points: list[int]) -> dict[str, object]:
    return dict(zip(INDICATORS, points, strict=True))


def _reviewed(officer: User, points: list[int]) -> Assessment:
    """Register, self-assess with these points, submit and review, as the commune officer."""
    assessment = _score(officer, _register(officer), "self", _all(points))
    for action in ("self_assess", "submit", "review"):
        assessment = _go(officer, assessment, action)
    return assessment


def _reloaded(assessment: Assessment) -> Assessment:
    return Assessment.objects.get(pk=assessment.pk)


# The table applied through the real service, on random walks

ACTORS = {
    "branch_officer": "chihoi.quaicang",
    "commune_officer": "quaicang",
    "district_officer": "tuangiao",
    "province_officer": "dienbien",
    "administrator": "admin",
    "outsider": "quainua",
}
TOUR = [
    ("self_assess", "branch_officer", ""),
    ("submit", "commune_officer", ""),
    ("return", "branch_officer", REASON),
    ("self_assess", "commune_officer", ""),
    ("submit", "branch_officer", ""),
    ("review", "branch_officer", ""),
    ("return", "district_officer", REASON),
    ("self_assess", "branch_officer", ""),
    ("submit", "branch_officer", ""),
    ("review", "commune_officer", ""),
    ("decide", "commune_officer", ""),
    ("reopen", "province_officer", REASON),
    ("decide", "commune_officer", ""),
    ("reopen", "administrator", REASON),
    ("return", "administrator", REASON),
]


def _expected_outcome(state: str, action: str, actor: str, reason: str) -> str:
    """Return the state the spec leads to, or the kind of refusal it calls for."""
    if actor == "outsider":
        return "not_found"
    spec = EXPECTED.get((state, action))
    if spec is None:
        return "conflict"
    if actor not in spec.roles:
        return "forbidden"
    if spec.needs_reason and not reason.strip():
        return "invalid"
    return spec.target


REFUSALS: dict[str, type[Exception]] = {
    "not_found": NotFound,
    "conflict": Conflict,
    "forbidden": Forbidden,
    "invalid": ValidationError,
}


def _step(assessment: Assessment, action: str, actor: str, reason: str) -> None:
    """Apply one step and check it against the spec: one event if it moved, nothing if not."""
    before = _reloaded(assessment)
    events = before.events.count()
    expected = _expected_outcome(before.state, action, actor, reason)
    user = _user(ACTORS[actor])
    if expected in REFUSALS:
        with pytest.raises(REFUSALS[expected]):
            _go(user, before, action, reason=reason, decision=DECISION)
        unchanged = _reloaded(assessment)
        assert (unchanged.state, unchanged.version) == (before.state, before.version)
        assert unchanged.events.count() == events
        return
    after = _go(user, before, action, reason=reason, decision=DECISION)
    assert after.state == expected, (before.state, action, actor)
    assert after.version == before.version + 1
    new = list(before.events.order_by("pk")[events:])
    assert [(e.action, e.from_state, e.to_state, e.actor, e.reason) for e in new] == [
        (action, before.state, expected, user, reason.strip())
    ]


def _walk(steps: list[tuple[str, str, str]]) -> None:
    officer = _user("quaicang")
    assessment = _score(officer, _register(officer), "self", _all([8] * 10))
    for action, actor, reason in steps:
        _step(assessment, action, actor, reason)
    moves = AssessmentEvent.objects.filter(assessment=assessment).exclude(action__startswith="scor")
    chain = list(moves.order_by("pk").values_list("action", "from_state", "to_state"))
    assert chain[0] == ("register", "registered", "registered")
    for (_a, _f, reached), (action, start, end) in itertools.pairwise(chain):
        assert start == reached
        assert EXPECTED[start, action].target == end


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(ACTIONS),
            st.sampled_from(sorted(ACTORS)),
            st.sampled_from(["", "   ", REASON]),
        ),
        max_size=25,
    )
)
@example(steps=TOUR)
def test_random_actions_by_random_officers_follow_the_table_and_log_each_step(
    db: None, steps: list[tuple[str, str, str]]
) -> None:
    with transaction.atomic():
        _walk(steps)
        transaction.set_rollback(True)


# Refusals, each with the status the API gives


def test_an_action_the_state_does_not_allow_is_a_conflict(commune_officer: User) -> None:
    registered = _register(commune_officer)
    with pytest.raises(Conflict) as caught:
        _go(commune_officer, registered, "submit")
    assert caught.value.status == 409
    assert _reloaded(registered).state == State.REGISTERED
    assert registered.events.count() == 1


def test_a_branch_officer_may_not_decide(commune_officer: User, branch_officer: User) -> None:
    reviewed = _reviewed(commune_officer, [8] * 10)
    with pytest.raises(Forbidden) as caught:
        _go(branch_officer, reviewed, "decide", decision=DECISION)
    assert caught.value.status == 403
    assert _reloaded(reviewed).state == State.BRANCH_REVIEWED
    assert _reloaded(reviewed).passed is None


def test_the_officer_of_another_commune_cannot_find_the_assessment(
    commune_officer: User, outsider: User
) -> None:
    registered = _register(commune_officer)
    with pytest.raises(NotFound) as caught:
        _score(outsider, registered, "self", {"CS1": 8})
    assert caught.value.status == 404
    with pytest.raises(NotFound):
        _go(outsider, registered, "self_assess")
    assert _reloaded(registered).self_scores == {}


def test_a_write_based_on_a_stale_version_is_a_conflict(
    commune_officer: User, branch_officer: User
) -> None:
    registered = _register(commune_officer)
    _score(branch_officer, registered, "self", {"CS1": 9})
    with pytest.raises(Conflict) as caught:
        _score(commune_officer, registered, "self", {"CS1": 6})
    assert caught.value.status == 409
    assert "version 2, yours 1" in caught.value.message
    with pytest.raises(Conflict):
        _go(commune_officer, registered, "self_assess")
    assert _reloaded(registered).self_scores == {"CS1": "9"}


@pytest.mark.parametrize("reason", ["", "   "])
def test_returning_without_a_reason_is_refused(commune_officer: User, reason: str) -> None:
    reviewed = _reviewed(commune_officer, [8] * 10)
    with pytest.raises(ValidationError) as caught:
        _go(commune_officer, reviewed, "return", reason=reason)
    assert caught.value.messages == ["Please give a reason."]
    assert _reloaded(reviewed).state == State.BRANCH_REVIEWED


def test_a_self_assessment_with_missing_scores_names_them(commune_officer: User) -> None:
    partial: dict[str, object] = dict.fromkeys(INDICATORS[:8], 8)
    registered = _score(commune_officer, _register(commune_officer), "self", partial)
    with pytest.raises(ValidationError) as caught:
        _go(commune_officer, registered, "self_assess")
    assert caught.value.messages == ["The self-assessment is missing scores for: CS9, CS10"]
    assert _reloaded(registered).state == State.REGISTERED


def test_a_decision_needs_its_number(commune_officer: User) -> None:
    reviewed = _reviewed(commune_officer, [8] * 10)
    with pytest.raises(ValidationError, match="A decision needs its number and date"):
        _go(commune_officer, reviewed, "decide")
    blank = DecisionInput(number="  ", date=DECISION.date, body=DECISION.body)
    with pytest.raises(ValidationError, match="A decision needs its number and date"):
        _go(commune_officer, reviewed, "decide", decision=blank)
    assert _reloaded(reviewed).state == State.BRANCH_REVIEWED


def _corrected(commune_officer: User, branch_officer: User) -> Assessment:
    """Return an assessment self-scored 8 everywhere, submitted, with the branch's CS3 at 6."""
    submitted = _score(commune_officer, _register(commune_officer), "self", _all([8] * 10))
    for action in ("self_assess", "submit"):
        submitted = _go(commune_officer, submitted, action)
    return _score(branch_officer, submitted, "reviewer", {"CS3": 6})


def test_a_review_keeps_the_reviewers_corrections_and_records_what_it_adopted(
    commune_officer: User, branch_officer: User
) -> None:
    corrected = _corrected(commune_officer, branch_officer)

    reviewed = _reloaded(_go(branch_officer, corrected, "review"))

    assert reviewed.reviewer_scores == {**dict.fromkeys(INDICATORS, "8"), "CS3": "6"}
    event = reviewed.events.order_by("pk").last()
    assert event is not None
    assert event.action == "review"
    assert event.changes == {
        "reviewer": {c: [None, "8"] for c in INDICATORS if c != "CS3"},
        "accepted": "self",
    }
    decided = _go(commune_officer, reviewed, "decide", decision=DECISION)
    assert (decided.final_total, decided.passed) == (Decimal(78), False)


def test_a_review_with_blanks_is_refused_unless_the_self_scores_are_accepted(
    commune_officer: User, branch_officer: User
) -> None:
    corrected = _corrected(commune_officer, branch_officer)
    with pytest.raises(Conflict) as caught:
        assessment_transition(
            user=branch_officer,
            assessment_id=corrected.id,
            action="review",
            version=corrected.version,
        )
    assert caught.value.code == "layer_empty"
    assert "CS1, CS2, CS4" in caught.value.message
    unchanged = _reloaded(corrected)
    assert (unchanged.state, unchanged.reviewer_scores) == (State.SUBMITTED, {"CS3": "6"})


def test_nobody_is_scored_or_moved_on_without_consent_on_record(commune_officer: User) -> None:
    registered = _register(commune_officer)
    Consent.objects.filter(citizen=registered.citizen).update(withdrawn_at=timezone.now())
    with pytest.raises(Conflict) as caught:
        _score(commune_officer, registered, "self", _all([8] * 10))
    assert caught.value.code == "consent_missing"
    assert _reloaded(registered).self_scores == {}


# Deciding, locking and reopening


@pytest.mark.parametrize(
    ("points", "passed", "total"),
    [
        ([8] * 10, True, 80),
        ([8] * 9 + [7], False, 79),
        ([10] * 8 + [6, 4], False, 90),
        ([10] * 6 + [5] * 4, True, 80),
    ],
)
def test_deciding_computes_the_result_from_the_scores_by_the_scheme_rule(
    commune_officer: User, points: list[int], passed: bool, total: int
) -> None:
    reviewed = _reviewed(commune_officer, points)
    decided = _go(commune_officer, reviewed, "decide", decision=DECISION)
    stored = _reloaded(decided)
    assert stored.state == State.DECIDED
    assert stored.passed is passed
    assert stored.result == ("passed" if passed else "not_passed")
    assert stored.final_total == Decimal(total)
    assert stored.final_scores == {c: str(p) for c, p in zip(INDICATORS, points, strict=True)}
    assert (stored.decision_number, stored.decision_date, stored.decision_body) == (
        "07/QĐ-HKH",
        date(2025, 12, 20),
        "Hội Khuyến học xã",
    )
    event = stored.events.order_by("pk").last()
    assert event is not None
    assert event.changes["result"] == stored.result


def test_the_commune_s_final_scores_override_the_reviewers(commune_officer: User) -> None:
    reviewed = _reviewed(commune_officer, [8] * 10)
    corrected = _score(commune_officer, reviewed, "final", {"CS6": 4})
    decided = _reloaded(_go(commune_officer, corrected, "decide", decision=DECISION))
    assert decided.final_scores["CS6"] == "4"
    assert decided.reviewer_scores["CS6"] == "8"
    assert (decided.passed, decided.final_total) == (False, Decimal(76))


@pytest.mark.parametrize("layer", ["self", "reviewer", "final"])
def test_a_decided_assessment_is_locked_against_score_changes(
    commune_officer: User, layer: str
) -> None:
    decided = _go(
        commune_officer, _reviewed(commune_officer, [8] * 10), "decide", decision=DECISION
    )
    with pytest.raises(Conflict) as caught:
        _score(commune_officer, decided, layer, {"CS1": 10})
    assert caught.value.status == 409
    stored = _reloaded(decided)
    assert stored.scores(layer)["CS1"] == "8"
    assert (stored.passed, stored.version) == (True, decided.version)


def test_only_a_higher_role_with_a_reason_may_reopen_a_decision(
    commune_officer: User, district_officer: User
) -> None:
    decided = _go(
        commune_officer, _reviewed(commune_officer, [8] * 10), "decide", decision=DECISION
    )
    with pytest.raises(Forbidden):
        _go(commune_officer, decided, "reopen", reason=REASON)
    with pytest.raises(ValidationError, match="Please give a reason"):
        _go(district_officer, decided, "reopen")
    assert _reloaded(decided).state == State.DECIDED

    reopened = _reloaded(_go(district_officer, decided, "reopen", reason=REASON))

    assert reopened.state == State.BRANCH_REVIEWED
    assert (reopened.result, reopened.passed, reopened.final_total) == ("", None, None)
    assert (reopened.decision_number, reopened.decision_date, reopened.decision_body) == (
        "",
        None,
        "",
    )
    event = reopened.events.order_by("pk").last()
    assert event is not None
    assert (event.actor, event.reason) == (district_officer, REASON)
    # Reopened, it can be corrected and decided again by the commune.
    corrected = _score(commune_officer, reopened, "final", {"CS1": 4})
    again = _go(commune_officer, corrected, "decide", decision=DECISION)
    assert (again.state, again.passed) == (State.DECIDED, False)


# The history


def test_every_transition_appends_who_did_what_from_where_to_where_and_why(
    commune_officer: User, branch_officer: User, district_officer: User
) -> None:
    assessment = _score(branch_officer, _register(commune_officer), "self", _all([8] * 10))
    for user, action, reason in [
        (branch_officer, "self_assess", ""),
        (branch_officer, "submit", ""),
        (commune_officer, "return", REASON),
        (branch_officer, "self_assess", ""),
        (branch_officer, "submit", ""),
        (branch_officer, "review", ""),
        (commune_officer, "decide", ""),
        (district_officer, "reopen", "Sai số quyết định"),
    ]:
        assessment = _go(user, assessment, action, reason=reason, decision=DECISION)
    history = [
        (e.actor.username if e.actor else None, e.action, e.from_state, e.to_state, e.reason)
        for e in assessment.events.exclude(action__startswith="scores").order_by("pk")
    ]
    assert history == [
        ("quaicang", "register", "registered", "registered", ""),
        ("chihoi.quaicang", "self_assess", "registered", "self_assessed", ""),
        ("chihoi.quaicang", "submit", "self_assessed", "submitted", ""),
        ("quaicang", "return", "submitted", "returned", REASON),
        ("chihoi.quaicang", "self_assess", "returned", "self_assessed", ""),
        ("chihoi.quaicang", "submit", "self_assessed", "submitted", ""),
        ("chihoi.quaicang", "review", "submitted", "branch_reviewed", ""),
        ("quaicang", "decide", "branch_reviewed", "decided", ""),
        ("tuangiao", "reopen", "decided", "branch_reviewed", "Sai số quyết định"),
    ]


def test_score_writes_record_each_old_and_new_value(
    commune_officer: User, branch_officer: User
) -> None:
    registered = _register(commune_officer)
    first = _score(branch_officer, registered, "self", {"CS1": 7, "CS2": "6"})
    second = _score(commune_officer, first, "self", {"CS1": 8, "CS2": 6, "CS3": "9,0"})
    events = list(second.events.filter(action="scores_self").order_by("pk"))
    assert [(e.actor, e.from_state, e.to_state, e.changes) for e in events] == [
        (
            branch_officer,
            "registered",
            "registered",
            {"self": {"CS1": [None, "7"], "CS2": [None, "6"]}},
        ),
        (
            commune_officer,
            "registered",
            "registered",
            {"self": {"CS1": ["7", "8"], "CS3": [None, "9"]}},
        ),
    ]
    assert _reloaded(second).self_scores == {"CS1": "8", "CS2": "6", "CS3": "9"}


BAD_SCORES: dict[str, object] = {
    "CS1": 11,
    "CS2": "7.5",
    "CS3": -1,
    "CS4": "tám",
    "CS5": 8,
    "CS99": 5,
}


def _refused_scores(officer: User) -> list[str]:
    registered = _register(officer)
    with pytest.raises(ValidationError) as caught:
        _score(officer, registered, "self", BAD_SCORES)
    stored = _reloaded(registered)
    assert (stored.self_scores, stored.version) == ({}, registered.version)
    assert not stored.events.filter(action="scores_self").exists()
    return caught.value.messages


def test_bad_scores_are_refused_together_and_none_is_kept(commune_officer: User) -> None:
    assert _refused_scores(commune_officer) == [
        "CS1: 11 is not a score from 0 to 10 in steps of 1.",
        "CS2: 7.5 is not a score from 0 to 10 in steps of 1.",
        "CS3: -1 is not a score from 0 to 10 in steps of 1.",
        "CS4: tám is not a score from 0 to 10 in steps of 1.",
        "CS99 is not an indicator of this scheme.",
    ]


@pytest.mark.usefixtures("vietnamese")
def test_bad_scores_are_explained_in_vietnamese(commune_officer: User) -> None:
    # The catalogue's wording when it has one; Django falls back to the English msgid.
    bad = gettext("%(code)s: %(value)s is not a score from 0 to %(max)s in steps of %(step)s.")
    unknown = gettext("%(code)s is not an indicator of this scheme.")
    assert _refused_scores(commune_officer) == [
        *(bad % {"code": c, "value": BAD_SCORES[c], "max": 10, "step": 1} for c in INDICATORS[:4]),
        unknown % {"code": "CS99"},
    ]
