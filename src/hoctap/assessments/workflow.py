"""The assessment workflow as one declared table: state × action → next state, and who may act.

    registered → self_assessed → submitted → branch_reviewed → decided
                     ↑                |               |
                     └── returned ←───┴───────────────┘   (reason required)

A decided assessment is locked; a higher role may reopen it with a reason.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext_lazy

from hoctap.accounts.models import Role
from hoctap.assessments.models import State


class Action(StrEnum):
    SELF_ASSESS = "self_assess"
    SUBMIT = "submit"
    REVIEW = "review"
    DECIDE = "decide"
    RETURN = "return"
    REOPEN = "reopen"

    @property
    def label(self) -> str:
        """Return the action's name in the user's language."""
        return str(ACTION_LABELS[self])


ACTION_LABELS = {
    Action.SELF_ASSESS: gettext_lazy("self-assess"),
    Action.SUBMIT: gettext_lazy("submit"),
    Action.REVIEW: gettext_lazy("review"),
    Action.DECIDE: gettext_lazy("decide"),
    Action.RETURN: gettext_lazy("return"),
    Action.REOPEN: gettext_lazy("reopen"),
}


# Each event of an assessment's history as people say it (the stored codes stay English).
EVENT_LABELS = {
    "register": gettext_lazy("enrolled"),
    "scores_self": gettext_lazy("self-assessment scores entered"),
    "scores_reviewer": gettext_lazy("branch scores entered"),
    "scores_final": gettext_lazy("final scores entered"),
    Action.SELF_ASSESS.value: gettext_lazy("self-assessment finished"),
    Action.SUBMIT.value: gettext_lazy("submitted for review"),
    Action.REVIEW.value: gettext_lazy("reviewed by the branch"),
    Action.DECIDE.value: gettext_lazy("decided"),
    Action.RETURN.value: gettext_lazy("returned for changes"),
    Action.REOPEN.value: gettext_lazy("reopened"),
    "import": gettext_lazy("imported from a file"),
    "evidence_added": gettext_lazy("evidence added"),
    "certificate_issued": gettext_lazy("certificate issued"),
    "certificate_revoked": gettext_lazy("certificate revoked"),
}


def event_label(action: str) -> str:
    """Return an event's name in the user's language (the code itself if it is unknown)."""
    label = EVENT_LABELS.get(action)
    return str(label) if label is not None else action


# The score layers, named as the people who fill them.
LAYER_LABELS = {
    "self": gettext_lazy("Self"),
    "reviewer": gettext_lazy("Reviewer"),
    "final": gettext_lazy("Final"),
}


# The person assessed, acting through their access code, is an actor without a role row.
CITIZEN = "citizen"

_ASSISTING = frozenset({Role.BRANCH_OFFICER, Role.COMMUNE_OFFICER, Role.AGENCY_HEAD})
_REVIEWING = frozenset({Role.BRANCH_OFFICER, Role.COMMUNE_OFFICER, Role.AGENCY_HEAD})
_DECIDING = frozenset({Role.COMMUNE_OFFICER, Role.AGENCY_HEAD})
_ABOVE = frozenset({Role.DISTRICT_OFFICER, Role.PROVINCE_OFFICER, Role.ADMINISTRATOR})


@dataclass(frozen=True)
class Transition:
    target: State
    roles: frozenset[str]
    needs_reason: bool = False


TRANSITIONS: dict[tuple[State, Action], Transition] = {
    (State.REGISTERED, Action.SELF_ASSESS): Transition(State.SELF_ASSESSED, _ASSISTING | {CITIZEN}),
    (State.RETURNED, Action.SELF_ASSESS): Transition(State.SELF_ASSESSED, _ASSISTING | {CITIZEN}),
    (State.SELF_ASSESSED, Action.SUBMIT): Transition(State.SUBMITTED, _ASSISTING | {CITIZEN}),
    (State.SUBMITTED, Action.REVIEW): Transition(State.BRANCH_REVIEWED, _REVIEWING),
    (State.SUBMITTED, Action.RETURN): Transition(State.RETURNED, _REVIEWING | _ABOVE, True),
    (State.BRANCH_REVIEWED, Action.RETURN): Transition(State.RETURNED, _DECIDING | _ABOVE, True),
    (State.BRANCH_REVIEWED, Action.DECIDE): Transition(State.DECIDED, _DECIDING),
    (State.DECIDED, Action.REOPEN): Transition(State.BRANCH_REVIEWED, _ABOVE, True),
}

# Which score layer each kind of actor may write, and in which states.
LAYER_STATES: dict[str, frozenset[State]] = {
    "self": frozenset({State.REGISTERED, State.SELF_ASSESSED, State.RETURNED}),
    "reviewer": frozenset({State.SUBMITTED, State.BRANCH_REVIEWED}),
    "final": frozenset({State.BRANCH_REVIEWED}),
}
LAYER_ROLES: dict[str, frozenset[str]] = {
    "self": _ASSISTING | {CITIZEN},
    "reviewer": _REVIEWING,
    "final": _DECIDING,
}


def transition_for(state: State, action: Action) -> Transition | None:
    """Return the declared transition, or None when the action is not possible in that state."""
    return TRANSITIONS.get((state, action))


def allowed_actions(state: State, roles: frozenset[str]) -> list[Action]:
    """Return the actions someone holding `roles` may take now, in table order."""
    return [
        action
        for (from_state, action), t in TRANSITIONS.items()
        if from_state == state and roles & t.roles
    ]
