"""An import chains the events it writes in bulk, for new and for existing assessments."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation

from hoctap.accounts.models import User
from hoctap.accounts.scoping import scope_for
from hoctap.assessments.models import Assessment, Period, State
from hoctap.assessments.periods import period_open
from hoctap.audit.chain import GENESIS
from hoctap.audit.verify import events_verify
from hoctap.people.models import ConsentMethod
from hoctap.transfer.importer import import_assessments
from hoctap.transfer.reader import read_table
from tests.transfer.files import Entry, people, write_xlsx

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def period(db: None) -> Period:
    opened, _scheme, _created = period_open(code="2022-2023", scheme_code="cdht-2020")
    return opened


def _import(tmp_path: Path, entries: list[Entry], period: Period, user: User) -> None:
    path = write_xlsx(tmp_path / "danh-sach.xlsx", [e.cells() for e in entries])
    table = read_table(path.read_bytes(), name=path.name)
    import_assessments(
        table=table, period=period, scope=scope_for(user), actor=user, consent=ConsentMethod.PAPER
    )


def test_imported_assessments_start_their_chain_and_a_reimport_chains_on(
    period: Period, tmp_path: Path, commune_officer: User
) -> None:
    entries = people(12, seed=7)
    _import(tmp_path, entries, period, commune_officer)
    imported = list(Assessment.objects.filter(period=period))
    assert len(imported) == 12
    for a in imported:
        (event,) = a.events.all()
        assert (event.seq, event.prev_hash) == (1, GENESIS)
        assert (a.event_count, a.event_head) == (1, event.hash)
    assert events_verify().problem is None

    changed = [Entry(**{**vars(e), "scores": tuple(10 - s for s in e.scores)}) for e in entries]
    _import(tmp_path, changed, period, commune_officer)

    for a in Assessment.objects.filter(period=period):
        first, second = a.events.order_by("seq")
        assert (second.seq, second.prev_hash) == (2, first.hash)
        assert (a.event_count, a.event_head) == (2, second.hash)
    assert events_verify().problem is None


def test_a_reimport_records_the_state_it_moved_from_and_only_the_scores_that_moved(
    period: Period, tmp_path: Path, commune_officer: User
) -> None:
    entries = people(3, seed=5)
    _import(tmp_path, entries, period, commune_officer)
    # The first person's first score changes; the others keep theirs. All are now decided.
    first = entries[0]
    changed = [Entry(**{**vars(first), "scores": (10 - first.scores[0], *first.scores[1:])})]
    path = write_xlsx(tmp_path / "quyet-dinh.xlsx", [e.cells() for e in changed + entries[1:]])
    import_assessments(
        table=read_table(path.read_bytes(), name=path.name),
        period=period,
        scope=scope_for(commune_officer),
        actor=commune_officer,
        state=State.DECIDED,
        consent=ConsentMethod.PAPER,
    )

    events, results = {}, {}
    for a in Assessment.objects.filter(period=period).select_related("citizen"):
        assert a.citizen is not None
        events[a.citizen.full_name] = a.events.order_by("seq").last()
        results[a.citizen.full_name] = a.result
    moved = events[first.name]
    assert moved is not None
    assert (moved.seq, moved.from_state, moved.to_state) == (2, "submitted", "decided")
    assert moved.changes == {
        "final": {"CS1": [str(first.scores[0]), str(10 - first.scores[0])]},
        "result": results[first.name],
    }
    still = events[entries[1].name]
    assert still is not None
    assert (still.from_state, still.to_state) == ("submitted", "decided")
    # No score moved: the decision's result is what the event records.
    assert results[entries[1].name]
    assert still.changes == {"final": {}, "result": results[entries[1].name]}
    assert events_verify().problem is None
