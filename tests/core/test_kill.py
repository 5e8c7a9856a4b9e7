"""A server killed in the middle of a write loses nothing confirmed and keeps nothing half done.

Each child process writes through the real code, says when its rows are written but not yet
committed, and is killed with SIGKILL there; the database must then be exactly as before.
"""

import json
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from tests.core.sites import Site
from tests.transfer.files import csv_text, people

ROWS = 3000


def _killed_while_writing(site: Site, signal_file: Path, *args: str) -> dict[str, Any]:
    """Start the child, wait until it reports its rows written, SIGKILL it; return its view."""
    child = site.start(*args)
    try:
        deadline = time.monotonic() + 120
        while not signal_file.exists():
            if child.poll() is not None:
                _out, err = child.communicate()
                pytest.fail(f"the child ended before writing (status {child.returncode}):\n{err}")
            if time.monotonic() > deadline:
                pytest.fail("the child never reported its rows written")
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    seen: dict[str, Any] = json.loads(signal_file.read_text())
    return seen


def test_a_decision_killed_before_commit_leaves_the_assessment_as_it_was(
    demo_site: Site, demo_probe: dict[str, Any], tmp_path: Path
) -> None:
    before = demo_probe
    assert before["target"]["state"] == "branch_reviewed"

    seen = _killed_while_writing(
        demo_site, tmp_path / "written", "decide", str(tmp_path / "written")
    )

    # Inside its transaction the decision had been written in full ...
    assert seen["in_transaction"]
    inside = seen["inside"]["target"]
    assert inside["id"] == before["target"]["id"]
    assert inside["state"] == "decided"
    assert inside["version"] == before["target"]["version"] + 1
    assert inside["events"][-1] == ["decide", "decided"]
    # ... and after the kill nothing of it remains: state, version, events, rollups, report.
    after = demo_site.probe()
    assert after == before
    assert after["rollups_ok"]


@pytest.mark.parametrize(
    "written",
    ["people_citizen", "assessments_assessmentevent,reports_reportcell"],
    ids=["after the citizens", "after the events and rollups"],
)
def test_an_import_killed_before_commit_leaves_no_row_behind(
    demo_site: Site, demo_probe: dict[str, Any], tmp_path: Path, written: str
) -> None:
    source = tmp_path / "danh-sach.csv"
    rows = [[str(cell) for cell in entry.cells()] for entry in people(ROWS, seed=61)]
    source.write_text(csv_text(rows), encoding="utf-8")
    before = demo_probe
    signal_file = tmp_path / "written"

    seen = _killed_while_writing(
        demo_site, signal_file, "import", str(signal_file), str(source), "2021-2022", written
    )

    assert seen["in_transaction"]
    inside = seen["inside"]["counts"]
    assert inside["people_citizen"] >= before["counts"]["people_citizen"] + ROWS // 2
    after = demo_site.probe()
    assert after == before
    assert after["rollups_ok"]
    demo_site.run("check-rollups")
