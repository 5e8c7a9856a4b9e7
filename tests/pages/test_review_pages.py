"""The officer's journey: the queue, enrolment that guides, review that sees, decide many."""

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from hoctap.accounts.models import User
from hoctap.accounts.navigation import PRIMARY_LIMIT, menu_for
from hoctap.assessments.models import Assessment, AssessmentEvent, State
from hoctap.people.models import Citizen, Consent
from tests.apiclient import ApiClient
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _ids_on_every_page(client: Client, query: dict[str, str]) -> set[str]:
    ids: set[str] = set()
    page = 1
    while True:
        body = client.get("/assessments/", {**query, "page": str(page)}).content.decode()
        ids |= set(re.findall(r'href="/assessments/([0-9a-f-]{36})/', body))
        if f"page={page + 1}" not in body:
            return ids
        page += 1


def test_the_district_queue_lists_its_whole_subtree_as_the_api_does(
    district_officer: User, api_district: ApiClient
) -> None:
    query = {"period": "2021-2022", "unit": "099"}
    on_page = _ids_on_every_page(client_for(district_officer), query)
    expected = set(
        Assessment.objects.filter(
            period__code="2021-2022", unit__path__startswith=_unit_path("099")
        ).values_list("id", flat=True)
    )
    over_api: set[str] = set()
    page = 1
    while True:
        body = api_district.get("/assessments", page=page, **query).json()
        over_api |= {item["id"] for item in body["items"]}
        if page * body["page_size"] >= body["count"]:
            break
        page += 1
    assert len(expected) == 72
    assert on_page == over_api == {str(pk) for pk in expected}


def _unit_path(code: str) -> str:
    from hoctap.organisation.models import Unit

    unit = Unit.objects.filter(code=code).order_by("-valid_from").first()
    assert unit is not None
    return unit.path


def test_a_unit_picked_by_name_from_the_list_narrows_the_queue(commune_officer: User) -> None:
    client = client_for(commune_officer)
    body = client.get(
        "/assessments/", {"period": "2021-2022", "unit": "Chi hội khuyến học bản Kép (03289-CH2)"}
    ).content.decode()
    count = Assessment.objects.filter(period__code="2021-2022", unit__code="03289-CH2").count()
    assert f"{count} phiếu đánh giá" in body
    assert '<option value="Chi hội khuyến học bản Kép (03289-CH2)">' in body


def test_another_communes_unit_in_the_queue_is_not_found(outsider: User) -> None:
    response = client_for(outsider).get("/assessments/", {"unit": "03289-CH2"})
    assert response.status_code == 404


# Enrolment


def _enrol(client: Client, **fields: str) -> Any:
    data = {
        "period": "2021-2022",
        "unit": "03289-CH2",
        "full_name": "Lò Văn Mới",
        "birth_year": "1985",
        "sex": "male",
        "ethnicity": "Thái",
        "group": "G1",
        "consent": "on",
        "consent_how": "verbal",
        **fields,
    }
    return client.post("/assessments/new?period=2021-2022", data)


def test_enrolment_offers_units_and_groups_by_name(commune_officer: User) -> None:
    page = client_for(commune_officer).get("/assessments/new?period=2021-2022").content.decode()
    assert "Chi hội khuyến học bản Kép" in page
    assert "Nông dân và người lao động (G1)" in page
    assert "Quài Nưa" not in page
    assert 'name="consent"' in page
    assert "checked" not in page.split('name="consent"')[1].split(">")[0]


def test_enrolment_shows_every_error_at_once_next_to_its_field(commune_officer: User) -> None:
    people = Citizen.objects.count()
    response = _enrol(
        client_for(commune_officer),
        unit="bản Cang",
        birth_year="85",
        group="",
        consent="",
    )
    body = response.content.decode()
    assert response.status_code == 200
    for field in ("unit", "birth_year", "group", "consent"):
        block = body.split(f'id="field-{field}"')[1].split('<div class="field')[0]
        assert 'class="error"' in block, field
    assert "Chọn đơn vị trong danh sách" in body
    assert Citizen.objects.count() == people


def test_enrolment_records_consent_with_how_it_was_given(commune_officer: User) -> None:
    response = _enrol(client_for(commune_officer))
    assert response.status_code == 302
    consent = Consent.objects.get(citizen__full_name="Lò Văn Mới")
    assert (consent.method, consent.recorded_by) == ("verbal", commune_officer)


def test_a_cccd_of_another_commune_is_refused_next_to_the_cccd_field(
    commune_officer: User,
) -> None:
    elsewhere = Citizen.objects.filter(home_unit__code__startswith="03274").first()
    assert elsewhere is not None
    elsewhere.national_id = "011088000111"
    elsewhere.save()
    body = _enrol(client_for(commune_officer), national_id="011088000111").content.decode()
    block = body.split('id="field-national_id"')[1].split('<div class="field')[0]
    assert "đơn vị khác" in block
    assert elsewhere.full_name not in body


def test_enrolment_refuses_a_wrong_method(commune_officer: User) -> None:
    response = client_for(commune_officer).delete("/assessments/new?period=2021-2022")
    assert response.status_code == 405


# Review and decision


def _submitted() -> Assessment:
    found = Assessment.objects.filter(
        period__code="2021-2022", state=State.SUBMITTED, unit__code="03289-CH1"
    ).first()
    assert found is not None
    return found


def test_the_review_page_shows_every_self_score_and_what_accepting_takes(
    branch_officer: User,
) -> None:
    a = _submitted()
    body = client_for(branch_officer).get(f"/assessments/{a.pk}/").content.decode()
    for code, value in a.self_scores.items():
        block = body.split(f'id="indicator-{code}"')[1]
        assert f'<dd data-layer="self">{value}</dd>' in block
    assert body.index("Chấp nhận điểm tự chấm và xác nhận đã xét") < body.index(
        'id="indicator-CS1"'
    )


def test_a_review_without_acceptance_copies_nothing(branch_officer: User) -> None:
    a = _submitted()
    response = client_for(branch_officer).post(
        f"/assessments/{a.pk}/act", {"action": "review", "version": a.version}, follow=True
    )
    a.refresh_from_db()
    assert (a.state, a.reviewer_scores) == (State.SUBMITTED, {})
    assert "chấp nhận điểm lớp self" in response.content.decode()


def test_accepting_one_indicator_records_it_as_accepted(branch_officer: User) -> None:
    a = _submitted()
    client_for(branch_officer).post(
        f"/assessments/{a.pk}/scores", {"version": a.version, "CS2": "7", "accept": "CS1"}
    )
    a.refresh_from_db()
    assert a.reviewer_scores == {"CS1": a.self_scores["CS1"], "CS2": "7"}
    event = a.events.get(action="scores_reviewer")
    assert event.changes["accepted"] == ["CS1"]


def test_a_score_out_of_range_is_told_in_vietnamese_next_to_its_field(
    branch_officer: User,
) -> None:
    a = _submitted()
    response = client_for(branch_officer).post(
        f"/assessments/{a.pk}/scores", {"version": a.version, "CS4": "11", "CS5": "7,5"}
    )
    body = response.content.decode()
    assert response.status_code == 400
    block = body.split('id="indicator-CS4"')[1].split('id="indicator-CS5"')[0]
    assert "CS4 chấm từ 0 đến 10 điểm." in block
    assert "CS5 chấm theo bước 1 điểm." in body


def test_a_review_from_the_queue_goes_on_to_the_next_person_with_a_clear_message(
    commune_officer: User,
) -> None:
    queue = "period=2021-2022&state=submitted&unit=03289"
    client = client_for(commune_officer)
    listed = client.get(f"/assessments/?{queue}").content.decode()
    first, second = re.findall(r'href="/assessments/([0-9a-f-]{36})/\?q=', listed)[:2]
    a = Assessment.objects.get(pk=first)
    response = client.post(
        f"/assessments/{first}/act",
        {"action": "review", "version": a.version, "accept": "self", "q": queue},
    )
    a.refresh_from_db()
    assert a.state == State.BRANCH_REVIEWED
    target = urlsplit(response["Location"])
    assert target.path == f"/assessments/{second}/"
    assert parse_qs(parse_qs(target.query)["q"][0]) == parse_qs(queue)
    shown = client.get(response["Location"]).content.decode()
    assert f"Đã chuyển {a.citizen} sang „Chi hội đã xét”" in shown


def test_save_finish_and_submit_in_one_step(commune_officer: User) -> None:
    a = Assessment.objects.filter(
        period__code="2021-2022", state=State.REGISTERED, unit__code__startswith="03289"
    ).first()
    assert a is not None
    tens = {f"CS{i}": "10" for i in range(1, 11)}
    client_for(commune_officer).post(
        f"/assessments/{a.pk}/scores", {**tens, "version": a.version, "then": "submit"}
    )
    a.refresh_from_db()
    assert a.state == State.SUBMITTED
    actions = list(a.events.values_list("action", flat=True))
    assert actions[-3:] == ["scores_self", "self_assess", "submit"]


def test_save_and_submit_with_blanks_saves_but_does_not_submit(commune_officer: User) -> None:
    a = Assessment.objects.filter(
        period__code="2021-2022", state=State.REGISTERED, unit__code__startswith="03289"
    ).first()
    assert a is not None
    client_for(commune_officer).post(
        f"/assessments/{a.pk}/scores", {"CS1": "9", "version": a.version, "then": "submit"}
    )
    a.refresh_from_db()
    assert (a.state, a.self_scores) == (State.REGISTERED, {"CS1": "9"})


def test_the_history_speaks_vietnamese(commune_officer: User) -> None:
    a = Assessment.objects.filter(
        period__code="2021-2022", state=State.DECIDED, unit__code__startswith="03289"
    ).first()
    assert a is not None
    body = client_for(commune_officer).get(f"/assessments/{a.pk}/").content.decode()
    history = body.split('id="history"')[1].split("</ol>")[0]
    for words in ("ghi danh", "nhập điểm tự đánh giá", "nộp để xét", "đã công nhận"):
        assert words in history
    for code in ("register", "scores_self", "decide"):
        assert f"· {code}" not in history


# Deciding many at once


def _reviewed_ids() -> list[str]:
    return [
        str(pk)
        for pk in Assessment.objects.filter(
            period__code="2021-2022", state=State.BRANCH_REVIEWED, unit__code__startswith="03289"
        ).values_list("pk", flat=True)
    ]


def test_bulk_decide_starts_unticked_and_shows_what_each_would_take(
    commune_officer: User,
) -> None:
    body = (
        client_for(commune_officer)
        .get("/assessments/", {"period": "2021-2022", "state": "branch_reviewed"})
        .content.decode()
    )
    boxes = re.findall(r'<input type="checkbox" name="ids"[^>]*>', body)
    assert boxes
    assert not any("checked" in box for box in boxes)
    assert body.count("Tổng cộng <strong>") == len(boxes)


def test_bulk_decide_is_all_or_nothing(commune_officer: User) -> None:
    ids = _reviewed_ids()
    assert len(ids) >= 2
    blocked = Assessment.objects.get(pk=ids[-1])
    Consent.objects.filter(citizen=blocked.citizen).delete()
    response = client_for(commune_officer).post(
        "/assessments/decide",
        {"ids": ids, "decision_number": "41/QĐ-HKH", "decision_date": "30/05/2022"},
        follow=True,
    )
    assert "Chưa công nhận phiếu nào" in response.content.decode()
    states = set(Assessment.objects.filter(pk__in=ids).values_list("state", flat=True))
    assert states == {State.BRANCH_REVIEWED}
    assert not AssessmentEvent.objects.filter(assessment_id__in=ids, action="decide").exists()


def test_bulk_decide_records_that_the_branch_scores_were_accepted(commune_officer: User) -> None:
    ids = _reviewed_ids()
    client_for(commune_officer).post(
        "/assessments/decide",
        {"ids": ids, "decision_number": "42/QĐ-HKH", "decision_date": "30/05/2022"},
    )
    events = AssessmentEvent.objects.filter(assessment_id__in=ids, action="decide")
    assert events.count() == len(ids)
    assert {e.changes["accepted"] for e in events} == {"reviewer"}


# The menu


# Each role's first places: the work it does most, in that order (issue 17, point 5).
FIRST_PLACES = {
    "branch_officer": ["/assessments/", "/field/", "/people/", "/learning/", "/reports/summary"],
    "commune_officer": [
        "/assessments/",
        "/people/",
        "/reports/summary",
        "/recognition/",
        "/imports/",
    ],
    "district_officer": [
        "/reports/summary",
        "/assessments/",
        "/periods/",
        "/recognition/",
        "/units/",
    ],
}


@pytest.mark.parametrize("role", sorted(FIRST_PLACES))
def test_each_role_sees_its_own_work_first_and_the_rest_under_more(role: str) -> None:
    menu = menu_for(frozenset({role}))
    assert [p.url for p in menu.primary] == FIRST_PLACES[role]
    assert not set(menu.primary) & set(menu.more)


def test_a_user_with_two_roles_gets_each_place_once_and_still_five_first() -> None:
    menu = menu_for(frozenset({"commune_officer", "branch_officer"}))
    places = [p.url for p in (*menu.primary, *menu.more)]
    assert len(places) == len(set(places))
    assert len(menu.primary) == PRIMARY_LIMIT
    assert "/field/" in places


def test_a_branch_officer_is_not_offered_the_tools_it_cannot_use(branch_officer: User) -> None:
    body = client_for(branch_officer).get("/").content.decode()
    header = body.split('<header class="top">')[1].split("</header>")[0]
    assert "/imports/" not in header
    assert "/recognition/" not in header
    assert "/field/" in header
    assert "Đăng xuất" in header.split('class="account"')[1]
