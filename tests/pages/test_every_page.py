"""Every page and HTMX endpoint, swept: the right user, an outsider and a wrong method.

The table below names each URL pattern of the site (the API has its own sweep). A new page
that is not added here fails `test_every_page_is_in_the_table`, so none escapes the checks.
Objects belong to Xã Quài Cang (03289); the outsider is the officer of Xã Quài Nưa.
"""

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from PIL import Image

from hoctap.accounts.models import User
from hoctap.accounts.tokens import api_token_issue
from hoctap.assessments.evidence import evidence_add
from hoctap.assessments.models import Assessment, Evidence, State
from hoctap.learning.models import Session
from hoctap.organisation.models import Unit
from hoctap.people.models import (
    Citizen,
    Consent,
    ConsentMethod,
    DataRequest,
    Household,
    RequestKind,
)
from hoctap.people.privacy import consent_give, data_request_record
from hoctap.recognition.models import Certificate, TitleEntry
from hoctap.recognition.services import certificate_issue
from hoctap.transfer.models import ExportJob, ExportKind, ExportStatus, ImportJob, JobStatus
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

# Shown only to someone who may see Quài Cang's records.
MARKER = "Quài Cang"


@dataclass(frozen=True)
class Objects:
    assessment: Assessment
    citizen: Citizen
    household: Household
    job: ImportJob
    data_request: DataRequest
    erasure: DataRequest
    consent: Consent
    evidence: Evidence
    export: ExportJob


@dataclass(frozen=True)
class Route:
    """How to call one page, what its owner gets and what an outsider must get."""

    url: Callable[[Objects], str]
    method: str = "get"
    data: dict[str, str] = field(default_factory=dict)
    ok: int = 200
    # "404": the outsider is told nothing exists; "hidden": the page opens but shows nothing
    # of Quài Cang; "public": the page is for anyone (no outsider to speak of).
    outsider: str = "404"
    wrong: str = "post"
    # How someone not signed in is turned away: sent to the login page, or (for what the field
    # app's script fetches) told 401 with the login page's address.
    stranger: str = "redirect"
    # For a body that names objects made by the demo (their ids differ from run to run).
    data_for: Callable[[Objects], dict[str, str]] | None = None


def _quai_cang_token() -> int:
    """Return the id of a new API token of Quài Cang's officer."""
    api_token_issue(user=User.objects.get(username="quaicang"), name="sweep")
    return User.objects.get(username="quaicang").api_tokens.latest("pk").pk


def _quai_cang_branch_officer() -> int:
    """Return the id of the branch officer below Quài Cang's officer."""
    return User.objects.get(username="chihoi.quaicang").pk


def _quai_cang_session() -> Session:
    """Return a session of a course of Quài Cang's learning centre (from the demo)."""
    session = Session.objects.filter(course__centre__unit__code="03289").first()
    assert session
    return session


def _quai_cang_certificate() -> Certificate:
    """Issue (or return) the certificate of a recognised person of Quài Cang."""
    recognised = Assessment.objects.filter(
        period__code="2020-2021", unit__code__startswith="03289", passed=True
    ).first()
    assert recognised
    user = User.objects.get(username="quaicang")
    return certificate_issue(user=user, assessment_id=recognised.pk)


def _quai_cang_entry() -> TitleEntry:
    """Return a learning-family entry of Quài Cang (the demo decides the pilot's families)."""
    entry = TitleEntry.objects.filter(unit__path__startswith=_quai_cang().path).first()
    assert entry
    return entry


def _quai_cang() -> Unit:
    return Unit.objects.get(code="03289", kind="commune")


RECOGNITION = "period=2020-2021&unit=03289"


def _body(route: "Route", objects: Objects) -> dict[str, str]:
    return route.data_for(objects) if route.data_for else route.data


ROUTES: dict[str, Route] = {
    "home": Route(lambda o: "/", outsider="hidden"),
    "login": Route(lambda o: "/accounts/login/", ok=302, outsider="public", wrong="delete"),
    "logout": Route(lambda o: "/accounts/logout/", "post", ok=302, outsider="public", wrong="get"),
    "accounts:two_factor_setup": Route(lambda o: "/accounts/2fa/", outsider="hidden", wrong="put"),
    "accounts:two_factor_verify": Route(
        lambda o: "/accounts/2fa/verify/", ok=302, outsider="hidden", wrong="put"
    ),
    "accounts:tokens": Route(lambda o: "/accounts/tokens/", outsider="hidden", wrong="put"),
    "accounts:token_revoke": Route(
        lambda o: f"/accounts/tokens/{_quai_cang_token()}/revoke", "post", ok=302, wrong="get"
    ),
    "accounts:password_change": Route(
        lambda o: "/accounts/password/", outsider="hidden", wrong="put"
    ),
    "accounts:users": Route(lambda o: "/accounts/users/", outsider="hidden"),
    "accounts:password_reset": Route(
        lambda o: f"/accounts/users/{_quai_cang_branch_officer()}/password", "post", wrong="get"
    ),
    "set_language": Route(
        lambda o: "/i18n/setlang/", "post", {"language": "en"}, 302, "public", "put"
    ),
    "people:list": Route(lambda o: "/people/", outsider="hidden"),
    "people:detail": Route(lambda o: f"/people/{o.citizen.pk}/"),
    "people:households": Route(lambda o: "/people/households/", outsider="hidden"),
    "people:requests": Route(lambda o: "/people/requests/", outsider="hidden"),
    "people:request_record": Route(
        lambda o: f"/people/{o.citizen.pk}/requests",
        "post",
        {"kind": "export", "received_how": "paper"},
        302,
        wrong="get",
    ),
    "people:request_export": Route(
        lambda o: f"/people/requests/{o.data_request.pk}/export", "post", wrong="get"
    ),
    "people:request_erase": Route(
        lambda o: f"/people/requests/{o.erasure.pk}/erase", "post", ok=302, wrong="get"
    ),
    "people:consent_give": Route(
        lambda o: f"/people/{o.citizen.pk}/consents",
        "post",
        {"method": "paper", "given": "on"},
        302,
        wrong="get",
    ),
    "people:consent_withdraw": Route(
        lambda o: f"/people/consents/{o.consent.pk}/withdraw", "post", ok=302, wrong="get"
    ),
    "people:household": Route(lambda o: f"/people/households/{o.household.pk}/"),
    "assessments:queue": Route(lambda o: "/assessments/?period=2021-2022", outsider="hidden"),
    "assessments:enrol": Route(
        lambda o: "/assessments/new?period=2021-2022", outsider="hidden", wrong="put"
    ),
    "assessments:bulk_decide": Route(
        lambda o: "/assessments/decide",
        "post",
        {"ids": "", "decision_number": "1/QĐ", "decision_date": "01/06/2022"},
        302,
        "hidden",
        "get",
    ),
    "assessments:detail": Route(lambda o: f"/assessments/{o.assessment.pk}/"),
    "assessments:preview": Route(
        lambda o: f"/assessments/{o.assessment.pk}/preview", "post", wrong="get"
    ),
    "assessments:scores": Route(
        lambda o: f"/assessments/{o.assessment.pk}/scores", "post", ok=400, wrong="get"
    ),
    "assessments:act": Route(
        lambda o: f"/assessments/{o.assessment.pk}/act", "post", ok=302, wrong="get"
    ),
    "assessments:evidence": Route(
        lambda o: f"/assessments/{o.assessment.pk}/evidence", "post", ok=302, wrong="get"
    ),
    "assessments:evidence_file": Route(lambda o: f"/assessments/evidence/{o.evidence.pk}"),
    "assessments:access_code": Route(
        lambda o: f"/assessments/{o.assessment.pk}/access", "post", wrong="get"
    ),
    "self_service:enter": Route(lambda o: "/self/", outsider="public", wrong="put"),
    "self_service:open": Route(lambda o: "/self/ABCDE12345", ok=404, outsider="public"),
    "self_service:assessment": Route(lambda o: "/self/assessment", ok=404, outsider="public"),
    "self_service:preview": Route(
        lambda o: "/self/assessment/preview", "post", ok=404, outsider="public", wrong="get"
    ),
    "self_service:scores": Route(
        lambda o: "/self/assessment/scores", "post", ok=404, outsider="public", wrong="get"
    ),
    "self_service:act": Route(
        lambda o: "/self/assessment/act", "post", ok=404, outsider="public", wrong="get"
    ),
    "self_service:evidence": Route(
        lambda o: "/self/assessment/evidence", "post", ok=404, outsider="public", wrong="get"
    ),
    "self_service:leave": Route(
        lambda o: "/self/leave", "post", ok=302, outsider="public", wrong="get"
    ),
    "periods:list": Route(lambda o: "/periods/", outsider="public"),
    "periods:detail": Route(lambda o: "/periods/2021-2022/", outsider="hidden"),
    "periods:close": Route(
        lambda o: "/periods/2021-2022/close", "post", {"unit": "03289"}, 302, wrong="get"
    ),
    "units:list": Route(lambda o: "/units/?on=01/06/2021", outsider="hidden"),
    "units:detail": Route(lambda o: "/units/03289/?on=01/06/2021"),
    "reports:summary": Route(lambda o: "/reports/summary?period=2020-2021&unit=03289"),
    "transfer:citizens": Route(lambda o: "/exports/citizens.csv", outsider="hidden"),
    "transfer:assessments": Route(
        lambda o: "/exports/assessments.csv?period=2020-2021", outsider="hidden"
    ),
    "field:app": Route(lambda o: "/field/", outsider="public"),
    "field:worker": Route(lambda o: "/field/sw.js", outsider="public"),
    "field:manifest": Route(lambda o: "/field/manifest.webmanifest", outsider="public"),
    "field:scheme": Route(lambda o: "/field/schemes/cdht-2020/1.json", outsider="public"),
    "field:session": Route(lambda o: "/field/session", outsider="hidden", stranger="401"),
    "field:pack": Route(
        lambda o: "/field/pack",
        "post",
        data={"period": "2021-2022", "unit": "03289"},
        wrong="get",
        stranger="401",
    ),
    "field:token": Route(
        lambda o: "/field/token", "post", outsider="hidden", wrong="get", stranger="401"
    ),
    "transfer:job": Route(lambda o: f"/exports/jobs/{o.export.pk}"),
    "transfer:job_status": Route(lambda o: f"/exports/jobs/{o.export.pk}/status"),
    "transfer:job_download": Route(lambda o: f"/exports/jobs/{o.export.pk}/download"),
    "imports:index": Route(lambda o: "/imports/", outsider="hidden", wrong="put"),
    "imports:detail": Route(lambda o: f"/imports/{o.job.pk}/"),
    "imports:status": Route(lambda o: f"/imports/{o.job.pk}/status"),
    "imports:template": Route(lambda o: "/imports/template.xlsx?period=2021-2022&unit=03289"),
    "imports:confirm": Route(
        lambda o: f"/imports/{o.job.pk}/confirm", "post", {"consent": "on"}, 302, wrong="get"
    ),
    "learning:centres": Route(lambda o: "/learning/", outsider="hidden"),
    "learning:centre": Route(
        lambda o: f"/learning/centres/{_quai_cang_session().course.centre_id}/"
    ),
    "learning:course": Route(lambda o: f"/learning/courses/{_quai_cang_session().course_id}/"),
    "learning:sheet": Route(
        lambda o: f"/learning/sessions/{_quai_cang_session().pk}/", wrong="put"
    ),
    "learning:centre_new": Route(
        lambda o: "/learning/centres/new/", outsider="hidden", wrong="put"
    ),
    "learning:centre_edit": Route(
        lambda o: f"/learning/centres/{_quai_cang_session().course.centre_id}/edit/", wrong="put"
    ),
    "learning:course_new": Route(
        lambda o: f"/learning/centres/{_quai_cang_session().course.centre_id}/courses/new/",
        wrong="put",
    ),
    "learning:course_edit": Route(
        lambda o: f"/learning/courses/{_quai_cang_session().course_id}/edit/", wrong="put"
    ),
    "learning:session_new": Route(
        lambda o: f"/learning/courses/{_quai_cang_session().course_id}/sessions/new/",
        wrong="put",
    ),
    "schemes:candidates": Route(lambda o: "/schemes/candidates/2020-2021/03289/"),
    "recognition:titles": Route(lambda o: f"/recognition/titles/?{RECOGNITION}"),
    "recognition:title_register": Route(
        lambda o: "/recognition/titles/register",
        "post",
        ok=302,
        wrong="get",
        data_for=lambda o: {
            "period": "2020-2021",
            "unit": "03289",
            "household": str(_quai_cang_entry().household_id),
        },
    ),
    "recognition:title_decide": Route(
        lambda o: f"/recognition/titles/{_quai_cang_entry().pk}/decide", wrong="put"
    ),
    "recognition:index": Route(lambda o: f"/recognition/?{RECOGNITION}", wrong="post"),
    "recognition:issue_all": Route(
        lambda o: "/recognition/issue",
        "post",
        {"period": "2020-2021", "unit": "03289"},
        302,
        wrong="get",
    ),
    "recognition:issue": Route(
        lambda o: f"/recognition/assessments/{_quai_cang_certificate().assessment_id}/issue",
        "post",
        ok=302,
        wrong="get",
    ),
    "recognition:certificate_pdf": Route(
        lambda o: f"/recognition/certificates/{_quai_cang_certificate().pk}.pdf", wrong="post"
    ),
    "recognition:certificates_pdf": Route(
        lambda o: f"/recognition/certificates.pdf?{RECOGNITION}&c={_quai_cang_certificate().pk}",
        wrong="post",
    ),
    "recognition:decision_pdf": Route(
        lambda o: f"/recognition/decision.pdf?{RECOGNITION}&number=12/QĐ-HKH", wrong="post"
    ),
    "recognition:revoke": Route(
        lambda o: f"/recognition/certificates/{_quai_cang_certificate().pk}/revoke",
        "post",
        {"reason": "sweep"},
        302,
        wrong="get",
    ),
    "guide:index": Route(lambda o: "/guide/", outsider="public"),
    "guide:page": Route(lambda o: "/guide/xa/", outsider="public"),
    "guide:pdf": Route(lambda o: "/guide/huong-dan.pdf", outsider="public"),
    "verify:certificate": Route(
        lambda o: f"/verify/{_quai_cang_certificate().token}", outsider="public", wrong="post"
    ),
}


def _names(patterns: list[URLPattern | URLResolver], namespace: str = "") -> Iterator[str]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in ("admin", "api"):
                continue  # Django's admin is its own; the API is swept in tests/api.
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _names(pattern.url_patterns, inner)
        else:
            yield f"{namespace}{pattern.name}"


@pytest.fixture
def objects(commune_officer: User, settings: Any, tmp_path: Path) -> Objects:
    settings.MEDIA_ROOT = tmp_path
    assessment = Assessment.objects.filter(
        period__code="2021-2022", state=State.REGISTERED, unit__code__startswith="03289"
    ).first()
    citizen = Citizen.objects.filter(home_unit__code__startswith="03289").first()
    household = Household.objects.filter(unit__code__startswith="03289").first()
    assert assessment
    assert citizen
    assert household
    job = ImportJob.objects.create(
        user=commune_officer,
        period=assessment.period,
        target_state=State.SUBMITTED,
        status=JobStatus.FAILED,
        original_name="danh-sach.csv",
    )
    # The erasure route is swept without its confirmation box: it must change nothing.
    data_request = data_request_record(
        user=commune_officer,
        citizen_id=citizen.pk,
        kind=RequestKind.EXPORT,
        received_how=ConsentMethod.PAPER,
    )
    erasure = data_request_record(
        user=commune_officer,
        citizen_id=citizen.pk,
        kind=RequestKind.ERASURE,
        received_how=ConsentMethod.PAPER,
    )
    consent = consent_give(user=commune_officer, citizen_id=citizen.pk, method=ConsentMethod.PAPER)
    upload = SimpleUploadedFile("anh.png", _png(), content_type="image/png")
    evidence = evidence_add(
        user=commune_officer, assessment_id=assessment.pk, upload=upload, indicators=["CS1"]
    )
    return Objects(
        assessment,
        citizen,
        household,
        job,
        data_request,
        erasure,
        consent,
        evidence,
        _written_export(commune_officer),
    )


def _written_export(user: User) -> ExportJob:
    """Return a background export of Quài Cang's people, written and ready to download."""
    export = ExportJob.objects.create(
        user=user,
        kind=ExportKind.CITIZEN,
        fmt="csv",
        filename="cong-dan.csv",
        status=ExportStatus.DONE,
        rows_total=1,
        rows_written=1,
    )
    export.file.save("x", ContentFile(f"\ufeffHọ và tên\n{MARKER}\n".encode()))
    return export


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (0, 90, 40)).save(out, format="PNG")
    return out.getvalue()


def test_every_page_is_in_the_table() -> None:
    names = set(_names(get_resolver().url_patterns))
    assert names - set(ROUTES) == set(), "pages without a row in ROUTES"
    assert set(ROUTES) - names == set(), "rows in ROUTES for pages that no longer exist"


def _call(client: Client, route: Route, objects: Objects, method: str | None = None) -> int:
    response = getattr(client, method or route.method)(route.url(objects), _body(route, objects))
    return int(response.status_code)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_the_right_user_gets_the_page(name: str, commune_officer: User, objects: Objects) -> None:
    route = ROUTES[name]
    assert _call(client_for(commune_officer), route, objects) == route.ok


@pytest.mark.parametrize("name", sorted(n for n, r in ROUTES.items() if r.outsider != "public"))
def test_an_outsider_learns_nothing(name: str, outsider: User, objects: Objects) -> None:
    route = ROUTES[name]
    response = getattr(client_for(outsider), route.method)(
        route.url(objects), _body(route, objects)
    )
    if route.outsider == "404":
        assert response.status_code == 404
    else:
        assert response.status_code in (200, 302)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert MARKER not in body.decode(errors="replace")


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_a_wrong_method_is_refused(name: str, commune_officer: User, objects: Objects) -> None:
    route = ROUTES[name]
    assert _call(client_for(commune_officer), route, objects, method=route.wrong) == 405


@pytest.mark.parametrize(
    "name", sorted(n for n, r in ROUTES.items() if r.outsider != "public" and n != "home")
)
def test_an_anonymous_visitor_is_sent_to_log_in(name: str, objects: Objects) -> None:
    route = ROUTES[name]
    response = getattr(Client(), route.method)(route.url(objects), _body(route, objects))
    if route.stranger == "401":
        assert response.status_code == 401
        assert response.json()["login"].startswith("/accounts/login/")
        return
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
