"""A person's rights over their data: consent, requests and deadlines, a copy, erasure."""

import json
import logging
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hoctap.accounts.models import User
from hoctap.accounts.scoping import scope_for
from hoctap.assessments.evidence import evidence_add
from hoctap.assessments.models import Assessment, Evidence
from hoctap.audit.models import AccessAction, AccessLogEntry
from hoctap.core.errors import Forbidden
from hoctap.people.models import (
    Citizen,
    Consent,
    ConsentMethod,
    DataRequest,
    RequestKind,
    RequestStatus,
)
from hoctap.people.privacy import data_request_record, working_days_after
from hoctap.reports.render import report_json
from hoctap.reports.selectors import summary_report
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00"
    b":~\x9bU\x00\x00\x00\nIDATx\x9cc`\x00\x00\x00\x02\x00\x01H\xaf\xa4q\x00\x00\x00\x00IEND"
    b"\xaeB`\x82"
)


def _decided_person() -> Citizen:
    """A person of Quài Cang whose assessment was decided in 2020-2021 (counted in reports)."""
    a = Assessment.objects.filter(
        period__code="2020-2021", unit__code__startswith="03289", passed=True
    ).first()
    assert a is not None
    assert a.citizen is not None
    return a.citizen


def _request(officer: User, citizen: Citizen, kind: str) -> DataRequest:
    client_for(officer).post(
        f"/people/{citizen.pk}/requests", {"kind": kind, "received_how": "paper"}
    )
    return DataRequest.objects.get(citizen=citizen, kind=kind)


def test_deadlines_count_working_days_for_the_answer() -> None:
    friday = date(2026, 11, 27)
    assert working_days_after(friday, 2) == date(2026, 12, 1)  # Monday, Tuesday
    assert working_days_after(date(2026, 11, 24), 2) == date(2026, 11, 26)


def test_a_request_is_recorded_with_its_deadlines(commune_officer: User) -> None:
    citizen = _decided_person()
    friday_noon = datetime(2026, 11, 27, 5, 0, tzinfo=UTC)  # 12:00 in Hà Nội
    recorded = data_request_record(
        user=commune_officer,
        citizen_id=citizen.pk,
        kind=RequestKind.EXPORT,
        received_how=ConsentMethod.PAPER,
        received_at=friday_noon,
    )
    assert recorded.acknowledge_by == date(2026, 12, 1)
    assert recorded.due_by == date(2026, 12, 12)
    assert str(citizen.pk) in recorded.subject
    assert citizen.full_name not in recorded.subject
    body = client_for(commune_officer).get("/people/requests/").content.decode()
    assert "01/12/2026" in body
    assert "12/12/2026" in body


def test_the_copy_holds_everything_and_is_logged(commune_officer: User) -> None:
    citizen = _decided_person()
    request = _request(commune_officer, citizen, "export")
    response = client_for(commune_officer).post(f"/people/requests/{request.pk}/export")
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    data = json.loads(response.content)
    assert data["person"]["full_name"] == citizen.full_name
    assert {a["period"] for a in data["assessments"]} >= {"2020-2021"}
    assert any(a["history"] for a in data["assessments"])
    request.refresh_from_db()
    assert request.status == RequestStatus.DONE
    assert AccessLogEntry.objects.filter(
        user=commune_officer,
        action=AccessAction.EXPORT,
        object_type="citizen",
        object_id=str(citizen.pk),
    ).exists()


def _report(officer: User) -> dict[str, Any]:
    return report_json(
        summary_report(scope=scope_for(officer), period_code="2021-2022", unit_code="03289")
    )


def test_erasure_anonymises_the_person_and_keeps_the_reports_exact(
    commune_officer: User, django_capture_on_commit_callbacks: Any
) -> None:
    # Someone still being assessed, so that evidence can be added before the erasure.
    a = Assessment.objects.filter(
        period__code="2021-2022", unit__code__startswith="03289", state="registered"
    ).first()
    assert a is not None
    assert a.citizen is not None
    citizen = a.citizen
    upload = SimpleUploadedFile("anh.png", PNG, content_type="image/png")
    evidence = evidence_add(
        user=commune_officer, assessment_id=a.pk, upload=upload, indicators=["CS1"]
    )
    stored = evidence.file.name
    storage = evidence.file.storage
    before = _report(commune_officer)
    name = citizen.full_name
    request = _request(commune_officer, citizen, "erasure")

    client = client_for(commune_officer)
    # Without ticking "this cannot be undone", nothing happens.
    client.post(f"/people/requests/{request.pk}/erase")
    assert DataRequest.objects.get(pk=request.pk).status == RequestStatus.OPEN
    assert Citizen.objects.get(pk=citizen.pk).full_name == name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/people/requests/{request.pk}/erase", {"confirm": "yes"})

    citizen.refresh_from_db()
    assert citizen.full_name == "—"
    assert citizen.national_id is None
    assert citizen.household is None
    assert not storage.exists(stored)
    assert Evidence.objects.get(pk=evidence.pk).original_name == ""
    assert not Consent.objects.filter(citizen=citizen, withdrawn_at__isnull=True).exists()
    request.refresh_from_db()
    assert request.status == RequestStatus.DONE
    assert name not in request.subject
    # Everyone is still counted exactly as before, by sex, ethnicity and age band too.
    assert _report(commune_officer) == before


def test_consent_is_recorded_only_when_ticked_and_can_be_withdrawn(
    commune_officer: User,
) -> None:
    citizen = _decided_person()
    client = client_for(commune_officer)
    page = client.get(f"/people/{citizen.pk}/").content.decode()
    assert 'name="given"' in page
    assert "checked" not in page.split('name="given"')[1].split(">")[0]
    # The pilot's people signed on paper in 2020; this is a second consent, given aloud.
    before = set(Consent.objects.filter(citizen=citizen).values_list("pk", flat=True))
    client.post(f"/people/{citizen.pk}/consents", {"method": "paper"})
    assert set(Consent.objects.filter(citizen=citizen).values_list("pk", flat=True)) == before
    client.post(f"/people/{citizen.pk}/consents", {"method": "verbal", "given": "on"})
    consent = Consent.objects.filter(citizen=citizen).exclude(pk__in=before).get()
    assert consent.notice_version == "2026-01"
    assert consent.method == ConsentMethod.VERBAL
    client.post(f"/people/consents/{consent.pk}/withdraw")
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert DataRequest.objects.filter(
        citizen=citizen, kind=RequestKind.WITHDRAWAL, status=RequestStatus.DONE
    ).exists()


def test_a_branch_officer_does_not_handle_requests(branch_officer: User) -> None:
    citizen = Citizen.objects.filter(home_unit__code__startswith="03289-CH1").first()
    assert citizen is not None
    with pytest.raises(Forbidden):
        data_request_record(
            user=branch_officer,
            citizen_id=citizen.pk,
            kind=RequestKind.EXPORT,
            received_how=ConsentMethod.PAPER,
        )


def test_another_commune_reaches_nothing(outsider: User, commune_officer: User) -> None:
    citizen = _decided_person()
    request = _request(commune_officer, citizen, "erasure")
    client = client_for(outsider)
    asked = {"kind": "export", "received_how": "paper"}
    assert client.post(f"/people/{citizen.pk}/requests", asked).status_code == 404
    given = {"method": "paper", "given": "on"}
    assert client.post(f"/people/{citizen.pk}/consents", given).status_code == 404
    assert client.post(f"/people/requests/{request.pk}/export").status_code == 404
    assert (
        client.post(f"/people/requests/{request.pk}/erase", {"confirm": "yes"}).status_code == 404
    )
    assert "người #" not in client.get("/people/requests/").content.decode()
    citizen.refresh_from_db()
    assert citizen.full_name != "—"


def test_no_personal_data_reaches_the_application_log(
    commune_officer: User, caplog: pytest.LogCaptureFixture
) -> None:
    citizen = _decided_person()
    citizen.national_id = "001234567891"
    citizen.save()
    client = client_for(commune_officer)
    with caplog.at_level(logging.DEBUG):
        client.get(f"/people/{citizen.pk}/")
        client.get("/people/", {"q": citizen.full_name})
        client.get("/assessments/?period=2020-2021")
        request = _request(commune_officer, citizen, "export")
        client.post(f"/people/requests/{request.pk}/export")
        client.get("/exports/citizens.csv")
        Client().post("/self/", {"code": "WRONG-CODE1"})
    text = caplog.text
    assert text  # the requests above did log something
    assert citizen.full_name not in text
    assert "001234567891" not in text
    assert (citizen.ethnicity.name if citizen.ethnicity else "@@") not in text


def test_enrolment_records_consent_only_when_ticked(commune_officer: User) -> None:
    person = {
        "period": "2021-2022",
        "unit": "03289-CH3",
        "birth_year": "1979",
        "sex": "male",
        "ethnicity": "Mông",
        "group": "G1",
    }
    client = client_for(commune_officer)
    form = client.get("/assessments/new?period=2021-2022").content.decode()
    assert 'name="consent"' in form
    assert "checked" not in form.split('name="consent"')[1].split(">")[0]
    client.post("/assessments/new?period=2021-2022", {**person, "full_name": "Vàng A Một"})
    client.post(
        "/assessments/new?period=2021-2022",
        {**person, "full_name": "Vàng A Hai", "consent": "on", "consent_how": "verbal"},
    )
    assert not Consent.objects.filter(citizen__full_name="Vàng A Một").exists()
    given = Consent.objects.get(citizen__full_name="Vàng A Hai")
    assert given.method == ConsentMethod.VERBAL
    assert given.notice_version == "2026-01"


def test_every_list_showing_ethnicity_is_logged_with_the_rows_shown(
    commune_officer: User,
) -> None:
    body = client_for(commune_officer).get("/people/").content.decode()
    entry = AccessLogEntry.objects.filter(user=commune_officer, object_type="citizen_list").get()
    assert entry.action == AccessAction.VIEW
    shown = Citizen.objects.filter(pk__in=entry.detail["shown"])
    assert len(entry.detail["shown"]) == 25
    assert all(c.full_name in body for c in shown)
