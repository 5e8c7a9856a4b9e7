"""The collector pause around bulk imports: off inside, restored after, whatever happens."""

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from hoctap.accounts.scoping import Scope
from hoctap.assessments.models import Period
from hoctap.core.memory import collector_paused
from hoctap.transfer import importer
from hoctap.transfer.importer import ImportRefused, import_assessments
from hoctap.transfer.reader import read_table
from tests.transfer.files import HEADERS, csv_text, people


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_off_inside_and_back_on_after_an_error() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError
    assert gc.isenabled()


def test_a_nested_pause_leaves_the_restoring_to_the_outer_one() -> None:
    with collector_paused():
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


@pytest.mark.django_db
def test_an_import_reads_and_checks_with_the_collector_paused(
    period: Period, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    check = importer._check

    def watched(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return check(*args, **kwargs)

    monkeypatch.setattr(importer, "_check", watched)
    rows = [[str(c) for c in entry.cells()] for entry in people(3, seed=5)]
    rows[0][HEADERS.index("Năm sinh")] = "19x0"
    table = read_table(csv_text(rows).encode(), name="a.csv")
    assert gc.isenabled()

    with pytest.raises(ImportRefused):
        import_assessments(
            table=table, period=period, scope=Scope(paths=(), roles=frozenset(), everything=True)
        )

    assert seen == [False]
    assert gc.isenabled()
