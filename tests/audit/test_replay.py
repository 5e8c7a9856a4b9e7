"""Replaying one chain, without a database: the layers its changes name, nothing else."""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from hoctap.audit.replay import Replayed, Row, difference, replay
from hoctap.schemes.rules import Outcome


def _sum_rule(scores: Mapping[str, str]) -> Outcome:
    total = sum((Decimal(v) for v in scores.values()), Decimal(0))
    passed = total >= 15
    return Outcome(passed=passed, code="passed" if passed else "not_passed", total=total)


def _replayed(*events: tuple[str, str, dict[str, Any]]) -> Replayed:
    r = Replayed()
    for action, to_state, changes in events:
        replay(r, action=action, to_state=to_state, changes=changes, outcome_of=_sum_rule)
    return r


def _row(**fields: Any) -> Row:
    values: dict[str, Any] = {
        "state": "decided",
        "self_scores": {"CS1": "8", "CS2": "6"},
        "reviewer_scores": {"CS1": "8", "CS2": "7"},
        "final_scores": {"CS1": "8", "CS2": "7"},
        "final_total": Decimal("15.00"),
        "result": "passed",
        "passed": True,
        "decision_number": "",
        "decision_date": None,
        "decision_body": "",
    }
    return Row(**(values | fields))


HISTORY: list[tuple[str, str, dict[str, Any]]] = [
    ("register", "registered", {}),
    ("scores_self", "registered", {"self": {"CS1": [None, "8"], "CS2": [None, "6"]}}),
    ("self_assess", "self_assessed", {}),
    ("submit", "submitted", {}),
    ("scores_reviewer", "submitted", {"reviewer": {"CS2": [None, "7"]}}),
    # What the review and decision may carry besides the layers: ignored by the replay.
    ("review", "branch_reviewed", {"reviewer": {"CS1": [None, "8"]}, "accepted": "self"}),
    (
        "decide",
        "decided",
        {
            "final": {"CS1": [None, "8"], "CS2": [None, "7"]},
            "result": "passed",
            "accepted": "reviewer",
            "decision": {"number": "07/QĐ-HKH", "date": "2025-12-20", "body": "Hội"},
        },
    ),
]


def test_keys_the_replay_does_not_know_are_ignored() -> None:
    r = _replayed(*HISTORY)
    assert (r.state, r.result, r.passed, r.final_total) == ("decided", "passed", True, Decimal(15))
    assert r.reviewer_scores == {"CS1": "8", "CS2": "7"}
    row = _row(decision_number="07/QĐ-HKH", decision_date=date(2025, 12, 20), decision_body="Hội")
    assert difference(row, r) is None


def test_a_decision_the_chain_did_not_record_is_not_compared() -> None:
    older = [
        *HISTORY[:-1],
        ("decide", "decided", {"final": HISTORY[-1][2]["final"]} | {"result": "passed"}),
    ]
    r = _replayed(*older)
    assert r.decision is None
    assert difference(_row(decision_number="anything"), r) is None
    assert difference(_row(passed=False), r) == ("passed", False, True)


def test_reopening_clears_the_result_and_the_decision() -> None:
    r = _replayed(*HISTORY, ("reopen", "branch_reviewed", {}))
    assert (r.result, r.passed, r.final_total, r.decision) == ("", None, None, Replayed().decision)
    assert r.final_scores == {"CS1": "8", "CS2": "7"}


def test_an_import_removes_the_scores_it_sets_to_none_and_copies_the_final_layer() -> None:
    r = _replayed(
        ("import", "submitted", {"final": {"CS1": [None, "9"], "CS2": [None, "4"]}}),
        (
            "import",
            "decided",
            {"final": {"CS2": ["4", None], "CS3": [None, "9"]}, "result": "passed"},
        ),
    )
    assert r.self_scores == r.reviewer_scores == r.final_scores == {"CS1": "9", "CS3": "9"}
    assert (r.state, r.result, r.passed) == ("decided", "passed", True)


def test_a_differing_score_is_named_by_its_indicator() -> None:
    r = _replayed(*HISTORY)
    row = _row(final_scores={"CS1": "8", "CS2": "9"}, decision_number="07/QĐ-HKH")
    assert difference(row, r) == ("final_scores[CS2]", "9", "7")
