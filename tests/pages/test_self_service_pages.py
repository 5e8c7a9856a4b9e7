"""Citizen self-service: a printed code opens one assessment, until it is submitted."""

import logging
import re
from datetime import timedelta

import pytest
from _pytest.logging import LogCaptureHandler
from django.test import Client, override_settings
from django.utils import timezone

from hoctap.accounts.models import User
from hoctap.assessments.access import access_code_issue, access_code_open, code_normalise
from hoctap.assessments.models import AccessCode, Assessment, AssessmentEvent, State
from hoctap.core.errors import NotFound
from hoctap.core.logs import RedactSecrets
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

TENS = {f"CS{i}": "10" for i in range(1, 11)}


def _registered(prefix: str = "03289") -> Assessment:
    found = Assessment.objects.filter(
        period__code="2021-2022", state=State.REGISTERED, unit__code__startswith=prefix
    ).first()
    assert found is not None
    return found


def _card(officer: User, a: Assessment) -> str:
    """Print a card through the page and return the code shown on it."""
    response = client_for(officer).post(f"/assessments/{a.pk}/access")
    assert response.status_code == 200
    match = re.search(r'id="code">([0-9A-Z]{5}-[0-9A-Z]{5})<', response.content.decode())
    assert match, "the card shows no code"
    return match.group(1)


def _citizen_with(code: str) -> Client:
    citizen = Client()
    response = citizen.post("/self/", {"code": code})
    assert response.status_code == 302, response.content.decode()[:500]
    assert response["Location"] == "/self/assessment"
    return citizen


def test_the_card_shows_a_code_and_a_qr_link_once(commune_officer: User) -> None:
    a = _registered()
    response = client_for(commune_officer).post(f"/assessments/{a.pk}/access")
    body = response.content.decode()
    assert "<svg" in body
    assert "http://testserver/self/" in body
    assert response["Cache-Control"] == "no-store"
    stored = AccessCode.objects.get(assessment=a, ended_at__isnull=True)
    code = re.search(r'id="code">([0-9A-Z-]+)<', body)
    assert code is not None
    # Only a keyed digest is kept: the code itself is nowhere in the row.
    assert code_normalise(code.group(1)) not in stored.digest
    assert AssessmentEvent.objects.filter(assessment=a, action="access_code").exists()


def test_a_citizen_with_the_code_self_assesses_and_submits(commune_officer: User) -> None:
    a = _registered()
    citizen = _citizen_with(_card(commune_officer, a))
    page = citizen.get("/self/assessment").content.decode()
    assert a.citizen is not None
    assert a.citizen.full_name in page
    assert 'name="CS10"' in page
    assert "Đạt" in citizen.post("/self/assessment/preview", TENS).content.decode()
    citizen.post("/self/assessment/scores", {**TENS, "version": a.version})
    a.refresh_from_db()
    assert a.self_scores == TENS
    citizen.post("/self/assessment/act", {"action": "self_assess", "version": a.version})
    a.refresh_from_db()
    assert a.state == State.SELF_ASSESSED
    done = citizen.post("/self/assessment/act", {"action": "submit", "version": a.version})
    a.refresh_from_db()
    assert a.state == State.SUBMITTED
    assert "đã được gửi cho chi hội" in done.content.decode()
    events = AssessmentEvent.objects.filter(assessment=a, access_code__isnull=False)
    assert {e.action for e in events} >= {"scores_self", "self_assess", "submit"}
    assert all(e.actor_id is None for e in events)


def test_the_code_ends_when_the_assessment_is_submitted(commune_officer: User) -> None:
    a = _registered()
    code = _card(commune_officer, a)
    citizen = _citizen_with(code)
    citizen.post("/self/assessment/scores", {**TENS, "version": a.version})
    a.refresh_from_db()
    client_for(commune_officer).post(
        f"/assessments/{a.pk}/act", {"action": "self_assess", "version": a.version}
    )
    a.refresh_from_db()
    # The officer submits: the citizen's open page and the card stop working at once.
    client_for(commune_officer).post(
        f"/assessments/{a.pk}/act", {"action": "submit", "version": a.version}
    )
    assert citizen.get("/self/assessment").status_code == 404
    again = Client().post("/self/", {"code": code})
    assert again.status_code == 404
    assert "hết hiệu lực" in again.content.decode()


def test_a_new_card_replaces_the_old_one(commune_officer: User) -> None:
    a = _registered()
    first = _card(commune_officer, a)
    second = _card(commune_officer, a)
    assert Client().post("/self/", {"code": first}).status_code == 404
    _citizen_with(second)


def test_the_code_opens_only_its_own_assessment(commune_officer: User) -> None:
    mine, other = Assessment.objects.filter(
        period__code="2021-2022", state=State.REGISTERED, unit__code__startswith="03289"
    )[:2]
    citizen = _citizen_with(_card(commune_officer, mine))
    before = other.self_scores
    # The session names the assessment; nothing in a request can point it elsewhere.
    citizen.post("/self/assessment/scores", {**TENS, "version": other.version, "id": other.pk})
    other.refresh_from_db()
    assert other.self_scores == before
    assert citizen.get(f"/assessments/{other.pk}/").status_code == 302  # officers' pages: log in


def test_the_qr_link_opens_the_assessment_and_drops_the_code(commune_officer: User) -> None:
    code = _card(commune_officer, _registered())
    citizen = Client()
    response = citizen.get(f"/self/{code.lower()}")
    assert response.status_code == 302
    assert response["Location"] == "/self/assessment"
    assert citizen.get("/self/assessment").status_code == 200


def test_codes_are_read_the_way_people_type_them() -> None:
    assert code_normalise(" abcde-fghjk ") == "ABCDEFGHJK"
    assert code_normalise("O1IL0") == "01110"


def test_an_expired_code_opens_nothing(commune_officer: User) -> None:
    a = _registered()
    code = _card(commune_officer, a)
    AccessCode.objects.filter(assessment=a).update(expires_at=timezone.now() - timedelta(1))
    with pytest.raises(NotFound):
        access_code_open(code=code, client="198.51.100.7")


@override_settings(HOCTAP_ACCESS_CODE_ATTEMPTS=3)
def test_wrong_codes_are_limited_per_address(commune_officer: User) -> None:
    code = _card(commune_officer, _registered())
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [guesser.post("/self/", {"code": f"WRONG{i:05d}"}).status_code for i in range(3)]
    assert statuses == [404, 404, 404]
    # Past the limit even the right code is refused from that address, with a clear message.
    blocked = guesser.post("/self/", {"code": code})
    assert blocked.status_code == 429
    assert "quá nhiều lần" in blocked.content.decode()
    # Another address is not held back by the guesser.
    assert Client(REMOTE_ADDR="198.51.100.1").post("/self/", {"code": code}).status_code == 302


def test_an_outsider_cannot_print_a_card_for_another_commune(outsider: User) -> None:
    a = _registered()
    assert client_for(outsider).post(f"/assessments/{a.pk}/access").status_code == 404
    assert not AccessCode.objects.filter(assessment=a).exists()


def test_no_card_once_the_assessment_is_submitted(commune_officer: User) -> None:
    a = Assessment.objects.filter(
        period__code="2021-2022", state=State.SUBMITTED, unit__code__startswith="03289"
    ).first()
    assert a is not None
    response = client_for(commune_officer).post(f"/assessments/{a.pk}/access", follow=True)
    assert "chưa được gửi" in response.content.decode()
    assert not AccessCode.objects.filter(assessment=a).exists()


def test_a_district_officer_may_not_print_cards(district_officer: User) -> None:
    a = _registered()
    with pytest.raises(Exception, match="không được cấp mã"):
        access_code_issue(user=district_officer, assessment_id=a.pk)


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/self/assessment/preview"),
        ("get", "/self/assessment/scores"),
        ("get", "/self/assessment/act"),
        ("get", "/self/assessment/evidence"),
        ("get", "/self/leave"),
        ("post", "/self/ABCDE12345"),
        ("put", "/self/"),
    ],
)
def test_self_service_refuses_a_wrong_method(method: str, url: str) -> None:
    assert getattr(Client(), method)(url).status_code == 405


def test_printing_a_card_refuses_a_get(commune_officer: User) -> None:
    a = _registered()
    assert client_for(commune_officer).get(f"/assessments/{a.pk}/access").status_code == 405


@pytest.mark.parametrize(
    "url",
    [
        "/self/assessment/preview",
        "/self/assessment/scores",
        "/self/assessment/act",
        "/self/assessment/evidence",
    ],
)
def test_without_a_code_nothing_opens(url: str) -> None:
    response = Client().post(url, TENS)
    assert response.status_code == 404
    assert Client().get("/self/assessment").status_code == 404


def test_leaving_forgets_the_code_on_the_phone(commune_officer: User) -> None:
    citizen = _citizen_with(_card(commune_officer, _registered()))
    citizen.post("/self/leave")
    assert citizen.get("/self/assessment").status_code == 404


def test_a_returned_assessment_needs_a_new_card(commune_officer: User) -> None:
    a = _registered()
    old = _card(commune_officer, a)
    officer = client_for(commune_officer)
    officer.post(f"/assessments/{a.pk}/scores", {**TENS, "version": a.version})
    for action in ("self_assess", "submit"):
        a.refresh_from_db()
        officer.post(f"/assessments/{a.pk}/act", {"action": action, "version": a.version})
    a.refresh_from_db()
    officer.post(
        f"/assessments/{a.pk}/act", {"action": "return", "version": a.version, "reason": "Thiếu"}
    )
    a.refresh_from_db()
    assert a.state == State.RETURNED
    # The card printed before the submission stays dead; a new one works.
    assert Client().post("/self/", {"code": old}).status_code == 404
    _citizen_with(_card(commune_officer, a))


def test_a_code_in_a_link_never_reaches_the_log(caplog: pytest.LogCaptureFixture) -> None:
    # The settings put the filter on the handler that writes the server's log…
    configured = [h for h in logging.getLogger().handlers if not isinstance(h, LogCaptureHandler)]
    assert any(isinstance(f, RedactSecrets) for h in configured for f in h.filters)
    # …and through it a 404 on a code still says what happened, without the code.
    caplog.handler.addFilter(RedactSecrets())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert Client().get("/self/QWERT12345").status_code == 404
    assert "Not Found" in caplog.text
    assert "QWERT12345" not in caplog.text
