"""The field app's server side: the public shell and worker, and the village pack.

The pack is personal data leaving the server for a phone: it is scoped like every other
read, logged, bounded in size and time, and carries a token that ends with it.
"""

import json
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from hoctap.accounts.models import ApiToken, User
from hoctap.assessments.models import Assessment
from hoctap.audit.models import AccessLogEntry
from hoctap.field.release import release_id
from hoctap.people.models import Citizen
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

BRANCH = "03289-CH1"  # Chi hội khuyến học bản Cang, in Xã Quài Cang
PERIOD = "2021-2022"


def _pack(client: Client, unit: str = BRANCH, period: str = PERIOD) -> Any:
    return client.post("/field/pack", {"unit": unit, "period": period})


def test_the_shell_is_public_light_and_holds_no_personal_data() -> None:
    answer = Client().get("/field/")
    assert answer.status_code == 200
    html = answer.content.decode()
    assert "Tải dữ liệu bản" in html
    assert 'rel="manifest"' in html
    assert "script-src 'self'" in answer["Content-Security-Policy"]
    assert "no-cache" in answer["Cache-Control"]
    config = json.loads(re.search(r'id="field-config"[^>]*>(.*?)</script>', html).group(1))  # type: ignore[union-attr]
    assert config["release"] == release_id()
    assert not Citizen.objects.filter(full_name__in=re.findall(r">([^<>]{6,60})<", html)).exists()


def test_the_shell_speaks_english_second() -> None:
    answer = Client(headers={"accept-language": "en"}).get("/field/")
    assert "Download the village" in answer.content.decode()


def test_the_worker_names_its_release_and_the_files_it_keeps() -> None:
    answer = Client().get("/field/sw.js")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/javascript")
    body = answer.content.decode()
    assert f'var RELEASE = "{release_id()}"' in body
    files = json.loads(re.search(r"var FILES = (\[.*?\]);", body).group(1))  # type: ignore[union-attr]
    assert "/field/" in files
    assert "/static/js/rules.js" in files
    assert "/static/js/field-store.js" in files
    for path in files:
        assert Client().get(path).status_code == 200, path


def test_the_release_changes_with_the_files(settings: Any, tmp_path: Any) -> None:
    before = release_id()
    release_id.cache_clear()
    try:
        (tmp_path / "templates" / "field").mkdir(parents=True)
        for name in ("app.html", "sw.js"):
            source = settings.BASE_DIR / "templates" / "field" / name
            (tmp_path / "templates" / "field" / name).write_text(source.read_text() + "\n")
        settings.BASE_DIR = tmp_path
        assert release_id() != before
    finally:
        release_id.cache_clear()


def test_the_manifest_makes_the_app_installable() -> None:
    answer = Client().get("/field/manifest.webmanifest")
    assert answer["Content-Type"] == "application/manifest+json"
    manifest = answer.json()
    assert manifest["start_url"] == "/field/"
    assert manifest["display"] == "standalone"
    assert manifest["name"] == "Công dân học tập: làm việc tại thực địa"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert Client().get(icon["src"]).status_code == 200


def test_a_scheme_file_serves_the_rule_the_server_uses() -> None:
    answer = Client().get("/field/schemes/cdht-2020/1.json")
    assert answer.status_code == 200
    scheme = answer.json()
    assert scheme["rule"] == {"type": "sum_min", "total_at_least": 80, "each_at_least": 5}
    assert [i["code"] for c in scheme["criteria"] for i in c["indicators"]][:2] == ["CS1", "CS2"]
    assert answer["ETag"]
    assert Client().get("/field/schemes/cdht-2020/99.json").status_code == 404


@pytest.mark.parametrize("path", ["/field/", "/field/sw.js", "/field/manifest.webmanifest"])
def test_the_public_files_refuse_a_post(path: str) -> None:
    assert Client().post(path).status_code == 405


def test_the_session_says_who_and_what_may_be_downloaded(branch_officer: User) -> None:
    answer = client_for(branch_officer).get("/field/session")
    assert answer.status_code == 200
    data = answer.json()
    assert data["user"] == "chihoi.quaicang"
    assert data["csrf"]
    periods = {p["code"]: p for p in data["periods"]}
    assert [u["code"] for u in periods[PERIOD]["units"]] == [BRANCH]
    assert answer["Cache-Control"].startswith("no-store") or "no-store" in answer["Cache-Control"]


def test_the_session_asks_a_stranger_to_sign_in() -> None:
    answer = Client().get("/field/session")
    assert answer.status_code == 401
    assert answer.json()["login"] == "/accounts/login/?next=/field/"
    assert Client().post("/field/session").status_code == 405


def test_a_branch_officer_downloads_their_branch(branch_officer: User) -> None:
    answer = _pack(client_for(branch_officer))
    assert answer.status_code == 200
    assert "no-store" in answer["Cache-Control"]
    pack = answer.json()
    assert pack["unit"] == {"code": BRANCH, "name": "Chi hội khuyến học bản Cang"}
    assert pack["period"]["code"] == PERIOD
    assert pack["scheme"]["url"] == "/field/schemes/cdht-2020/1.json"
    people = Citizen.objects.filter(home_unit__path__startswith="/1/2/3/11/12/")
    assert len(pack["citizens"]) == people.count() == 44
    open_states = {"registered", "self_assessed", "returned"}
    expected = Assessment.objects.filter(
        period__code=PERIOD, unit__code=BRANCH, state__in=open_states
    )
    assert {a["id"] for a in pack["assessments"]} == {str(a.id) for a in expected}
    assert {a["state"] for a in pack["assessments"]} <= open_states
    # A CCCD never leaves whole; only its last three digits.
    for person in pack["citizens"]:
        assert re.fullmatch(r"(•{9}\d{3})?", person["national_id_masked"]), person
        assert "national_id" not in person


def test_the_pack_expires_and_its_token_with_it(branch_officer: User) -> None:
    pack = _pack(client_for(branch_officer)).json()
    expires = datetime.fromisoformat(pack["expires_at"])
    assert timedelta(days=13, hours=23) < expires - timezone.now() <= timedelta(days=14)
    headers = {"Authorization": f"Bearer {pack['token']}"}
    assert Client().get("/api/v1/assessments", headers=headers).status_code == 200
    token = ApiToken.objects.get(user=branch_officer)
    assert token.expires_at is not None
    assert abs(token.expires_at - expires) < timedelta(seconds=1)
    assert token.name == "Điện thoại thực địa: Chi hội khuyến học bản Cang"
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().get("/api/v1/assessments", headers=headers).status_code == 401


def test_downloading_a_pack_is_written_to_the_access_log(branch_officer: User) -> None:
    before = AccessLogEntry.objects.count()
    _pack(client_for(branch_officer))
    entry = AccessLogEntry.objects.order_by("-seq").first()
    assert AccessLogEntry.objects.count() == before + 1
    assert entry is not None
    assert (entry.user, entry.action, entry.object_type) == (branch_officer, "export", "field_pack")
    assert entry.detail == {"period": PERIOD, "unit": BRANCH, "people": 44}


def test_an_outsider_gets_nothing_of_another_commune(outsider: User) -> None:
    answer = _pack(client_for(outsider))
    assert answer.status_code == 404
    assert "Quài Cang" not in answer.content.decode()
    assert not ApiToken.objects.filter(user=outsider).exists()


def test_a_stranger_and_a_wrong_method_are_refused(branch_officer: User) -> None:
    assert _pack(Client()).status_code == 401
    assert client_for(branch_officer).get("/field/pack").status_code == 405
    assert client_for(branch_officer).post("/field/token").status_code == 200
    assert client_for(branch_officer).get("/field/token").status_code == 405
    assert Client().post("/field/token").status_code == 401


def test_the_pack_refuses_without_the_csrf_token(branch_officer: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(branch_officer)
    assert _pack(client).status_code == 403


def test_a_unit_too_large_for_a_phone_is_refused_in_vietnamese(district_officer: User) -> None:
    with override_settings(HOCTAP_PACK_MAX_PEOPLE=100):
        answer = _pack(client_for(district_officer), unit="099")
    assert answer.status_code == 400
    assert answer.json()["detail"] == (
        "Huyện Tuần Giáo có hơn 100 người: hãy tải một đơn vị nhỏ hơn (một bản hoặc một chi hội)."
    )


@pytest.mark.parametrize(
    ("period", "unit", "status", "detail"),
    [
        ("2099", BRANCH, 400, "Không có kỳ đánh giá nào mang mã 2099."),
        (PERIOD, "nowhere", 404, "Không tìm thấy đơn vị."),
        ("", "", 400, None),
    ],
)
def test_bad_choices_get_a_clear_message(
    branch_officer: User, period: str, unit: str, status: int, detail: str | None
) -> None:
    answer = _pack(client_for(branch_officer), unit=unit, period=period)
    assert answer.status_code == status
    if detail:
        assert answer.json()["detail"] == detail
    assert not ApiToken.objects.filter(user=branch_officer).exists()


def test_a_fresh_token_for_a_phone_whose_token_expired(branch_officer: User) -> None:
    answer = client_for(branch_officer).post("/field/token")
    token = answer.json()["token"]
    assert (
        Client()
        .get("/api/v1/assessments", headers={"Authorization": f"Bearer {token}"})
        .status_code
        == 200
    )


def test_the_commune_officer_takes_the_centres_sessions_to_record_attendance(
    commune_officer: User, branch_officer: User
) -> None:
    from hoctap.assessments.models import Period
    from hoctap.learning.models import Attendance, Session

    period = Period.objects.get(code=PERIOD)
    pack = _pack(client_for(commune_officer), unit="03289").json()
    sessions = Session.objects.filter(
        course__centre__unit__code="03289",
        date__gte=period.starts_on,
        date__lte=period.ends_on,
    )
    assert sessions.exists()
    assert [s["id"] for s in pack["sessions"]] == list(
        sessions.order_by("date", "pk").values_list("pk", flat=True)
    )
    people = {c["id"] for c in pack["citizens"]}
    for entry in pack["sessions"]:
        recorded = Attendance.objects.filter(session_id=entry["id"], citizen_id__in=people)
        assert entry["present"] == sorted(recorded.values_list("citizen_id", flat=True))
        assert entry["course"]
    # A branch officer does not run the centre: their pack carries no session.
    assert _pack(client_for(branch_officer)).json()["sessions"] == []


def test_the_pack_tells_who_is_enrolled_this_period_and_in_which_state(
    branch_officer: User,
) -> None:
    pack = _pack(client_for(branch_officer)).json()
    enrolled = {
        a.citizen_id: a
        for a in Assessment.objects.filter(period__code=PERIOD).select_related("unit")
    }
    shown = {c["id"]: c["enrolment"] for c in pack["citizens"]}
    # Those sent up the workflow are no longer open on the phone, but still enrolled.
    reviewed = [pk for pk, e in shown.items() if e and e["state"] == "branch_reviewed"]
    assert len(reviewed) == 2
    for pk, enrolment in shown.items():
        found = enrolled.get(pk)
        if found is None:
            assert enrolment is None
        elif found.unit.code == BRANCH:
            assert enrolment == {"state": found.state, "unit": BRANCH, "elsewhere": False}
        else:
            # Enrolled at an agency of the commune, outside a branch officer's area: the phone
            # learns only that the person is taken, not where or how far along.
            assert enrolment == {"state": "", "unit": "", "elsewhere": True}
    assert sum(1 for e in shown.values() if e and e["elsewhere"]) == 5


def test_the_commune_officer_sees_the_state_of_an_enrolment_at_an_agency(
    commune_officer: User,
) -> None:
    pack = _pack(client_for(commune_officer)).json()
    agency = Assessment.objects.get(
        period__code=PERIOD, unit__code="03289-CQ2", state="decided", citizen__isnull=False
    )
    person = next(c for c in pack["citizens"] if c["id"] == agency.citizen_id)
    # The agency lies outside the commune's tree but inside the officer's area: its state shows.
    assert person["enrolment"] == {"state": "decided", "unit": "03289-CQ2", "elsewhere": True}


def test_the_pack_knows_who_is_enrolled_in_few_queries(
    branch_officer: User, django_assert_max_num_queries: Any
) -> None:
    client = client_for(branch_officer)
    # One query finds everyone's enrolment, not one per person (44 here).
    with django_assert_max_num_queries(22):
        assert _pack(client).status_code == 200
