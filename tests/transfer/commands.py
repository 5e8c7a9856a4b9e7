"""Running the transfer and report commands as an operator would, and reading what they say."""

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.transfer.files import table_counts

NEW_PERIOD = "2022-2023"


@dataclass
class Output:
    out: str
    err: str


def run_import(
    path: Path, *args: str, period: str = NEW_PERIOD, err: io.StringIO | None = None
) -> Output:
    """Run `hoctap import-assessments` and return what it printed."""
    out, err = io.StringIO(), err or io.StringIO()
    call_command("import-assessments", str(path), "--period", period, *args, stdout=out, stderr=err)
    return Output(out.getvalue(), err.getvalue())


def refusal(path: Path, *args: str) -> str:
    """Run an import that must be refused; check it wrote nothing and return all it said."""
    before = table_counts()
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        run_import(path, *args, err=err)
    assert table_counts() == before
    said = f"{refused.value}\n{err.getvalue()}"
    assert "Traceback" not in said
    return said


def report(unit: str = "03289", period: str = NEW_PERIOD) -> dict[str, Any]:
    """Return `hoctap report --format json` for the unit, parsed."""
    out = io.StringIO()
    call_command("report", "--period", period, "--unit", unit, "--format", "json", stdout=out)
    body: dict[str, Any] = json.loads(out.getvalue())
    return body
