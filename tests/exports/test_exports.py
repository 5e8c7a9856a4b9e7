import io
from typing import Any

import pytest
from django.test import Client
from python_calamine import CalamineWorkbook

from hoctap.accounts.models import User
from hoctap.audit.models import AccessAction, AccessLogEntry
from hoctap.people.models import Citizen
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def _rows(response: Any) -> list[list[Any]]:
    data = b"".join(response.streaming_content)
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def test_the_people_xlsx_holds_the_communes_people_with_cccd_masked(commune_officer: User) -> None:
    response = client_for(commune_officer).get("/exports/citizens.xlsx")
    rows = _rows(response)
    assert response.status_code == 200
    assert len(rows) == 111
    names = {row[0] for row in rows[1:]}
    assert names == set(
        Citizen.objects.filter(home_unit__parent__code="03289").values_list("full_name", flat=True)
    )
    assert all(str(row[4]).startswith("•") or row[4] == "" for row in rows[1:])


def test_the_assessment_export_lists_scores_and_results_of_the_commune(
    commune_officer: User,
) -> None:
    response = client_for(commune_officer).get("/exports/assessments.csv", {"period": "2020-2021"})
    text = _text(response)
    lines = text.strip().splitlines()
    assert text.startswith("\ufeff")
    assert len(lines) == 111
    assert "CS10" in lines[0]
    assert all(line.startswith("03289") for line in lines[1:])
    assert AccessLogEntry.objects.filter(
        user=commune_officer, action=AccessAction.EXPORT, object_type="assessment"
    ).exists()


def test_the_assessment_xlsx_can_be_narrowed_to_a_branch(commune_officer: User) -> None:
    response = client_for(commune_officer).get(
        "/exports/assessments.xlsx", {"period": "2020-2021", "unit": "03289-CH1"}
    )
    rows = _rows(response)
    assert rows[1:]
    assert {row[0] for row in rows[1:]} == {"03289-CH1"}


def test_an_outsider_cannot_export_another_communes_assessments(outsider: User) -> None:
    client = client_for(outsider)
    narrowed = client.get("/exports/assessments.csv", {"period": "2020-2021", "unit": "03289"})
    assert narrowed.status_code == 404
    everything = client.get("/exports/assessments.csv", {"period": "2020-2021"})
    text = _text(everything)
    assert not any(line.startswith("03289") for line in text.splitlines()[1:])


def test_exports_refuse_a_post_an_unknown_format_and_anonymous_visitors(
    commune_officer: User,
) -> None:
    client = client_for(commune_officer)
    assert client.post("/exports/citizens.csv").status_code == 405
    assert client.get("/exports/citizens.pdf").status_code == 404
    assert client.get("/exports/assessments.csv", {"period": "1999"}).status_code == 404
    assert Client().get("/exports/citizens.csv").status_code == 302
