"""Every operation of /api/v1, read from the OpenAPI document: who may reach what.

The operations are not listed here: they come from the schema, so a new one is swept as soon
as it exists. What the sweep needs to call one is a value for each parameter (by name) and,
for writes, a body; an operation needing something unknown fails loudly until it is added.
Objects belong to Xã Quài Cang (03289); the outsider is Xã Quài Nưa's officer and `nobody`
holds no role (so its token is refused). Neither may read or write anything of Quài Cang's, nor
learn it exists.
"""

import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from hoctap.accounts.models import ApiToken, User
from hoctap.accounts.tokens import api_token_issue
from hoctap.api.api import api
from hoctap.assessments.evidence import evidence_add
from hoctap.assessments.models import Assessment, AssessmentEvent, Evidence, State
from hoctap.learning.models import Attendance
from hoctap.people.models import Citizen
from tests.apiclient import ApiClient
from tests.learning.helpers import QUAI_CANG, session_of

pytestmark = pytest.mark.django_db

PUBLIC = {("post", "/api/v1/token")}
# Operations on the caller's own things: anyone may call them, and reaches only their own.
OWN = {("get", "/api/v1/tokens"): 200, ("delete", "/api/v1/token"): 204}


@dataclass(frozen=True)
class Theirs:
    """Objects of Quài Cang the sweep points at."""

    assessment: Assessment
    evidence: Evidence
    token_id: int


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 90, 40)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def theirs(commune_officer: User) -> Theirs:
    a = Assessment.objects.filter(
        period__code="2021-2022", state=State.REGISTERED, unit__code__startswith="03289"
    ).first()
    assert a is not None
    # Complete self-assessment scores, so that the owner's transition can go through.
    a.self_scores = {f"CS{i}": "9" for i in range(1, 11)}
    a.save(update_fields=["self_scores"])
    upload = SimpleUploadedFile("a.png", _png(), content_type="image/png")
    e = evidence_add(user=commune_officer, assessment_id=a.pk, upload=upload, indicators=["CS1"])
    api_token_issue(user=commune_officer, name="Quài Cang tablet")
    token = ApiToken.objects.filter(user=commune_officer, name="Quài Cang tablet").get()
    return Theirs(a, e, token.pk)


# A value for each parameter name, pointing at Quài Cang.
PARAMETERS: dict[str, Callable[[Theirs], str]] = {
    "code": lambda t: "03289",
    "date": lambda t: "2021-06-01",
    "period": lambda t: "2021-2022",
    "unit": lambda t: "03289",
    "state": lambda t: "registered",
    "page": lambda t: "1",
    "tree": lambda t: "historical",
    "assessment_id": lambda t: str(t.assessment.pk),
    "evidence_id": lambda t: str(t.evidence.pk),
    "token_id": lambda t: str(t.token_id),
    "session_id": lambda t: str(session_of(QUAI_CANG).pk),
}


def _absent_from_session() -> list[int]:
    """Return a person of Quài Cang not yet recorded at the session the sweep points at."""
    session = session_of(QUAI_CANG)
    people = Citizen.objects.filter(home_unit__path__startswith=session.course.centre.unit.path)
    absent = people.exclude(attendances__session=session).order_by("pk")
    return [absent.values_list("pk", flat=True)[0]]


# A body for each write, aimed at Quài Cang.
BODIES: dict[tuple[str, str], Callable[[Theirs], dict[str, Any]]] = {
    ("post", "/api/v1/assessments"): lambda t: {
        "id": str(uuid.uuid4()),
        "period": "2021-2022",
        "unit": "03289-CH1",
        "group": "G1",
        "citizen": {"full_name": "Lò Văn Sweep", "birth_year": 1980, "sex": "male"},
        "consent": {"given": True, "how": "paper"},
    },
    ("put", "/api/v1/assessments/{assessment_id}/scores"): lambda t: {
        "layer": "self",
        "version": t.assessment.version,
        "scores": {"CS1": "9"},
    },
    ("post", "/api/v1/assessments/{assessment_id}/transitions"): lambda t: {
        "action": "self_assess",
        "version": t.assessment.version,
    },
    ("delete", "/api/v1/tokens/{token_id}"): lambda t: {},
    ("delete", "/api/v1/token"): lambda t: {},
    ("post", "/api/v1/assessments/{assessment_id}/evidence"): lambda t: {
        "file": SimpleUploadedFile("b.png", _png(), content_type="image/png"),
        "indicators": "CS2",
    },
    ("post", "/api/v1/sessions/{session_id}/attendance"): lambda t: {
        "citizens": _absent_from_session()
    },
}


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    parameters: tuple[str, ...]
    multipart: bool

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.template}"


def _operations() -> list[Operation]:
    schema = api.get_openapi_schema()
    found = []
    for template, methods in schema["paths"].items():
        for method, op in methods.items():
            content = op.get("requestBody", {}).get("content", {})
            found.append(
                Operation(
                    method,
                    template,
                    tuple(p["name"] for p in op.get("parameters", [])),
                    "multipart/form-data" in content,
                )
            )
    return found


OPERATIONS = _operations()
GUARDED = [o for o in OPERATIONS if (o.method, o.template) not in PUBLIC]


def _call(client: Client, headers: dict[str, str], op: Operation, t: Theirs) -> Any:
    path = op.template
    query = {}
    for name in op.parameters:
        assert name in PARAMETERS, f"{op}: add a value for parameter {name!r} to the sweep"
        value = PARAMETERS[name](t)
        if "{" + name + "}" in path:
            path = path.replace("{" + name + "}", value)
        else:
            query[name] = value
    if op.method == "get":
        return client.get(path, query, headers=headers)
    assert (op.method, op.template) in BODIES, f"{op}: add a body to the sweep"
    body = BODIES[(op.method, op.template)](t)
    if op.multipart:
        return client.post(path, body, headers=headers)
    return getattr(client, op.method)(
        path, body, content_type="application/json", headers=headers, QUERY_STRING=""
    )


def _headers(user: User | None) -> dict[str, str]:
    return ApiClient(user).headers


def _footprint(t: Theirs) -> tuple[Any, ...]:
    """What a write would change: the assessment, its events and evidence, people, attendance."""
    t.assessment.refresh_from_db()
    return (
        t.assessment.version,
        t.assessment.state,
        t.assessment.self_scores,
        ApiToken.objects.filter(pk=t.token_id, revoked_at__isnull=True).count(),
        AssessmentEvent.objects.filter(assessment=t.assessment).count(),
        Evidence.objects.filter(assessment=t.assessment).count(),
        Assessment.objects.filter(unit__code__startswith="03289").count(),
        Attendance.objects.filter(session__course__centre__unit__code=QUAI_CANG).count(),
    )


def test_the_sweep_sees_the_operations() -> None:
    assert len(OPERATIONS) >= 10
    assert any(op.multipart for op in OPERATIONS)


@pytest.mark.parametrize("op", GUARDED, ids=str)
def test_anonymous_callers_are_refused(op: Operation, theirs: Theirs) -> None:
    response = _call(Client(), {}, op, theirs)
    assert response.status_code == 401, f"{op}: {response.content[:200]!r}"


def test_the_public_operations_are_only_the_sign_in(commune_officer: User) -> None:
    assert {(o.method, o.template) for o in OPERATIONS} >= PUBLIC
    wrong = {"username": commune_officer.username, "password": "not-the-password"}
    response = Client().post("/api/v1/token", wrong, content_type="application/json")
    assert response.status_code == 401


@pytest.mark.parametrize("persona", ["outsider", "nobody"])
@pytest.mark.parametrize("op", GUARDED, ids=str)
def test_nothing_of_another_commune_is_readable_or_writable(
    op: Operation, persona: str, theirs: Theirs, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(persona)
    before = _footprint(theirs)
    response = _call(Client(), _headers(user), op, theirs)
    # A user without a role in force has no scope, so their token opens nothing (ADR 0031).
    expected = 401 if persona == "nobody" else OWN.get((op.method, op.template), 404)
    assert response.status_code == expected, f"{op} as {persona}: {response.status_code}"
    body = response.content.decode(errors="replace")
    assert "Quài Cang tablet" not in body
    assert theirs.assessment.citizen is not None
    assert theirs.assessment.citizen.full_name not in body
    assert _footprint(theirs) == before, f"{op} as {persona} changed something"


@pytest.mark.parametrize("op", GUARDED, ids=str)
def test_the_commune_itself_reaches_every_operation(
    op: Operation, commune_officer: User, theirs: Theirs
) -> None:
    response = _call(Client(), _headers(commune_officer), op, theirs)
    assert response.status_code in (200, 201, 204), f"{op}: {response.content[:300]!r}"
