"""Replaying an assessment's event chain: what its events say the assessment is now.

Pure code, no database. The hash chain proves the events unaltered (`verify.py`); the replay
proves the assessment row agrees with them (ADR 0024): an UPDATE past the services changes
the row and leaves the chain as it was. Each event moves the state to its `to_state` and
applies the score layers its `changes` name; keys the replay does not know are ignored, so
that a writer may record more (who accepted which layer) without breaking it.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from hoctap.assessments.events import DECISION_KEY
from hoctap.schemes.rules import Outcome

LAYERS = ("self", "reviewer", "final")
RESULT_KEY = "result"
# The workflow's actions whose effect on the row goes beyond the layers their changes name.
DECIDE, REOPEN, IMPORT = "decide", "reopen", "import"
CERTIFICATE_ISSUED, CERTIFICATE_REVOKED = "certificate_issued", "certificate_revoked"
DECIDED = "decided"

# The result of complete final scores by the assessment's scheme (None if it gives none).
OutcomeOf = Callable[[Mapping[str, str]], Outcome | None]


@dataclass(frozen=True)
class Decision:
    """The decision's number, date and body as the chain recorded them."""

    number: str = ""
    date: str | None = None  # ISO date
    body: str = ""


NO_DECISION = Decision()


@dataclass
class Replayed:
    """What an assessment's event chain says it is, built up event by event."""

    state: str = ""
    self_scores: dict[str, Any] = field(default_factory=dict)
    reviewer_scores: dict[str, Any] = field(default_factory=dict)
    final_scores: dict[str, Any] = field(default_factory=dict)
    final_total: Decimal | None = None
    result: str = ""
    passed: bool | None = None
    # None once a decide event recorded no decision (events written before it did): unknown.
    decision: Decision | None = NO_DECISION
    # Every certificate the chain issued, by serial: revoked or not.
    certificates: dict[str, bool] = field(default_factory=dict)

    def layer(self, name: str) -> dict[str, Any]:
        scores: dict[str, Any] = getattr(self, f"{name}_scores")
        return scores

    @property
    def certifiable(self) -> bool:
        """Return whether the chain shows the assessment decided and passed."""
        return self.state == DECIDED and self.passed is True


def replay(r: Replayed, *, action: str, to_state: str, changes: Any, outcome_of: OutcomeOf) -> None:
    """Apply one event to what the chain says so far."""
    moved = changes if isinstance(changes, dict) else {}
    for name in LAYERS:
        scores = moved.get(name)
        if isinstance(scores, dict):
            _move(r.layer(name), scores)
    if action == IMPORT:
        _imported(r, to_state)
    if RESULT_KEY in moved:
        r.result = str(moved[RESULT_KEY])
        outcome = outcome_of(r.final_scores)
        r.final_total = outcome.total if outcome else None
        r.passed = outcome.passed if outcome else None
    if action == DECIDE:
        r.decision = _decision(moved.get(DECISION_KEY))
    elif action == REOPEN:
        r.result, r.final_total, r.passed, r.decision = "", None, None, NO_DECISION
    elif action in (CERTIFICATE_ISSUED, CERTIFICATE_REVOKED):
        r.certificates[str(moved.get("certificate", ""))] = action == CERTIFICATE_REVOKED
    r.state = to_state


def _move(scores: dict[str, Any], moved: dict[str, Any]) -> None:
    """Apply {code: [before, after]}; an `after` of None removes the score."""
    for code, pair in moved.items():
        if not (isinstance(pair, list) and len(pair) == 2):
            continue  # not a score change: nothing a writer of ours records
        if pair[1] is None:
            scores.pop(code, None)
        else:
            scores[code] = pair[1]


def _imported(r: Replayed, to_state: str) -> None:
    """An import writes the self layer as the final one, and the reviewer layer when deciding."""
    r.self_scores = dict(r.final_scores)
    if to_state == DECIDED:
        r.reviewer_scores = dict(r.final_scores)
    else:
        r.result, r.final_total, r.passed = "", None, None


def _decision(recorded: Any) -> Decision | None:
    if not isinstance(recorded, dict):
        return None
    return Decision(
        str(recorded.get("number", "")), recorded.get("date"), str(recorded.get("body", ""))
    )


@dataclass(frozen=True)
class Row:
    """The fields of an assessment row the chain speaks for."""

    state: str
    self_scores: dict[str, Any]
    reviewer_scores: dict[str, Any]
    final_scores: dict[str, Any]
    final_total: Decimal | None
    result: str
    passed: bool | None
    decision_number: str
    decision_date: date | None
    decision_body: str


def difference(row: Row, r: Replayed) -> tuple[str, Any, Any] | None:
    """Return the first field where the row and the chain differ: (name, row's, chain's)."""
    pairs: list[tuple[str, Any, Any]] = [
        ("state", row.state, r.state),
        ("self_scores", row.self_scores, r.self_scores),
        ("reviewer_scores", row.reviewer_scores, r.reviewer_scores),
        ("final_scores", row.final_scores, r.final_scores),
        ("final_total", row.final_total, r.final_total),
        ("result", row.result, r.result),
        ("passed", row.passed, r.passed),
    ]
    if r.decision is not None:
        when = row.decision_date.isoformat() if row.decision_date else None
        pairs += [
            ("decision_number", row.decision_number, r.decision.number),
            ("decision_date", when, r.decision.date),
            ("decision_body", row.decision_body, r.decision.body),
        ]
    found = next(((name, a, b) for name, a, b in pairs if a != b), None)
    if found is not None and isinstance(found[1], dict) and isinstance(found[2], dict):
        # A score layer: name the first indicator whose score differs.
        name, stored, replayed = found
        code = min(c for c in {*stored, *replayed} if stored.get(c) != replayed.get(c))
        return f"{name}[{code}]", stored.get(code), replayed.get(code)
    return found
