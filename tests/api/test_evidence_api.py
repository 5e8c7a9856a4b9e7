"""POST /api/v1/assessments/{id}/evidence with a client's id: stored once, re-sent safely."""

import io
import uuid
from pathlib import Path
from typing import Any

import pillow_heif
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pytest_django import Settings

from hoctap.assessments import evidence as evidence_module
from hoctap.assessments.models import Assessment, AssessmentEvent, Evidence, State
from hoctap.organisation.models import Unit
from tests.apiclient import ApiClient

pytestmark = pytest.mark.django_db

OTHER_FILE = "Mã này đã dùng cho một tệp khác hoặc cho các chỉ số khác."
OTHER_ASSESSMENT = "Mã này đã dùng cho minh chứng của một phiếu đánh giá khác."


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> Path:
    """Store uploads in a folder of this test only."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _quai_cang(index: int = 0) -> Assessment:
    commune = Unit.objects.get(code="03289")
    found = (
        Assessment.objects.filter(period__code="2021-2022", unit__path__startswith=commune.path)
        .exclude(state=State.DECIDED)
        .order_by("created_at", "id")
    )
    return found[index]


def _photo(colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A phone photo, with an EXIF orientation the server turns and drops when re-encoding."""
    exif = Image.Exif()
    exif[0x0112] = 6
    picture = Image.new("RGB", (96, 64), colour)
    picture.paste((250, 250, 250), (8, 8, 40, 24))
    out = io.BytesIO()
    picture.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _heic() -> bytes:
    picture = Image.new("RGB", (64, 48), (30, 30, 200))
    picture.paste((250, 250, 250), (8, 8, 40, 24))
    out = io.BytesIO()
    pillow_heif.from_pillow(picture).save(out, quality=60)
    return out.getvalue()


def _upload(
    api: ApiClient,
    assessment: Assessment,
    data: bytes,
    *,
    evidence_id: uuid.UUID | None = None,
    indicators: str = "CS1, CS3",
) -> Any:
    form: dict[str, Any] = {
        "file": SimpleUploadedFile("anh.jpg", data, content_type="image/jpeg"),
        "indicators": indicators,
    }
    if evidence_id is not None:
        form["id"] = str(evidence_id)
    return api.client.post(
        f"/api/v1/assessments/{assessment.pk}/evidence",
        form,
        headers={**api.headers, "Accept-Language": "vi"},
    )


def _events(assessment: Assessment) -> int:
    return AssessmentEvent.objects.filter(assessment=assessment, action="evidence_added").count()


@pytest.mark.parametrize("kind", ["jpeg", "heic"])
def test_a_resent_upload_answers_200_with_the_same_record_and_stores_nothing(
    api_commune: ApiClient, media: Path, kind: str
) -> None:
    assessment = _quai_cang()
    data = _photo() if kind == "jpeg" else _heic()
    evidence_id = uuid.uuid4()

    first = _upload(api_commune, assessment, data, evidence_id=evidence_id)
    again = _upload(api_commune, assessment, data, evidence_id=evidence_id, indicators="CS3;CS1")

    assert first.status_code == 201, first.content
    assert again.status_code == 200, again.content
    assert first.json() == again.json()
    assert again.json()["id"] == str(evidence_id)
    assert again.json()["sha256"] == Evidence.objects.get().sha256
    assert Evidence.objects.filter(assessment=assessment).count() == 1
    assert len(_files(media)) == 1
    assert _events(assessment) == 1


def test_the_same_id_with_another_file_is_a_conflict(api_commune: ApiClient, media: Path) -> None:
    assessment = _quai_cang()
    evidence_id = uuid.uuid4()
    assert _upload(api_commune, assessment, _photo(), evidence_id=evidence_id).status_code == 201
    stored = Evidence.objects.get(pk=evidence_id).sha256

    response = _upload(api_commune, assessment, _photo((0, 0, 250)), evidence_id=evidence_id)

    assert response.status_code == 409
    assert response.json()["detail"] == OTHER_FILE
    assert Evidence.objects.get(pk=evidence_id).sha256 == stored
    assert len(_files(media)) == 1
    assert _events(assessment) == 1


def test_the_same_id_and_file_for_other_indicators_is_a_conflict(
    api_commune: ApiClient, media: Path
) -> None:
    assessment = _quai_cang()
    data, evidence_id = _photo(), uuid.uuid4()
    assert _upload(api_commune, assessment, data, evidence_id=evidence_id).status_code == 201

    response = _upload(api_commune, assessment, data, evidence_id=evidence_id, indicators="CS2")

    assert response.status_code == 409
    assert response.json()["detail"] == OTHER_FILE
    assert Evidence.objects.get(pk=evidence_id).indicators == ["CS1", "CS3"]


def test_the_same_id_on_another_assessment_is_a_conflict(
    api_commune: ApiClient, media: Path
) -> None:
    first, second = _quai_cang(0), _quai_cang(1)
    data, evidence_id = _photo(), uuid.uuid4()
    assert _upload(api_commune, first, data, evidence_id=evidence_id).status_code == 201

    response = _upload(api_commune, second, data, evidence_id=evidence_id)

    assert response.status_code == 409
    assert response.json()["detail"] == OTHER_ASSESSMENT
    assert not Evidence.objects.filter(assessment=second).exists()
    assert len(_files(media)) == 1
    assert _events(second) == 0


def test_a_resend_after_the_decision_still_answers_with_the_record(
    api_commune: ApiClient, media: Path
) -> None:
    assessment = _quai_cang()
    data, evidence_id = _photo(), uuid.uuid4()
    assert _upload(api_commune, assessment, data, evidence_id=evidence_id).status_code == 201
    Assessment.objects.filter(pk=assessment.pk).update(state=State.DECIDED)

    again = _upload(api_commune, assessment, data, evidence_id=evidence_id)
    fresh = _upload(api_commune, assessment, data, evidence_id=uuid.uuid4())

    assert again.status_code == 200
    assert again.json()["id"] == str(evidence_id)
    assert fresh.status_code == 409
    assert Evidence.objects.filter(assessment=assessment).count() == 1


def test_without_an_id_every_upload_is_a_new_record(api_commune: ApiClient, media: Path) -> None:
    assessment = _quai_cang()
    data = _photo()

    first = _upload(api_commune, assessment, data)
    second = _upload(api_commune, assessment, data)

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["id"] != second.json()["id"]
    assert first.json()["sha256"] == second.json()["sha256"]
    assert Evidence.objects.filter(assessment=assessment).count() == 2
    assert len(_files(media)) == 2


def test_a_concurrent_identical_upload_is_answered_as_a_replay_without_a_stray_file(
    api_commune: ApiClient, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assessment = _quai_cang()
    data, evidence_id = _photo(), uuid.uuid4()
    assert _upload(api_commune, assessment, data, evidence_id=evidence_id).status_code == 201
    # The other request commits between this one's look-up and its insert.
    real = evidence_module._earlier
    looked: list[uuid.UUID | None] = []

    def not_yet_visible(wanted: uuid.UUID | None) -> Evidence | None:
        looked.append(wanted)
        return None if len(looked) == 1 else real(wanted)

    monkeypatch.setattr(evidence_module, "_earlier", not_yet_visible)

    response = _upload(api_commune, assessment, data, evidence_id=evidence_id)

    assert len(looked) == 2
    assert response.status_code == 200, response.content
    assert response.json()["id"] == str(evidence_id)
    assert Evidence.objects.filter(assessment=assessment).count() == 1
    assert len(_files(media)) == 1
    assert _events(assessment) == 1


def test_another_commune_cannot_upload_or_replay(
    api_commune: ApiClient, api_outsider: ApiClient, media: Path
) -> None:
    assessment = _quai_cang()
    data, evidence_id = _photo(), uuid.uuid4()
    assert _upload(api_commune, assessment, data, evidence_id=evidence_id).status_code == 201

    replay = _upload(api_outsider, assessment, data, evidence_id=evidence_id)
    fresh = _upload(api_outsider, assessment, data, evidence_id=uuid.uuid4())

    assert (replay.status_code, fresh.status_code) == (404, 404)
    assert str(evidence_id) not in replay.content.decode()
    assert Evidence.objects.filter(assessment=assessment).count() == 1
    assert len(_files(media)) == 1


@pytest.mark.parametrize("method", ["put", "patch", "delete", "get"])
def test_the_upload_refuses_other_methods(api_commune: ApiClient, method: str) -> None:
    response = api_commune.call(method, f"/assessments/{_quai_cang().pk}/evidence", {})
    assert response.status_code == 405


def test_an_id_that_is_not_a_uuid_is_refused(api_commune: ApiClient, media: Path) -> None:
    assessment = _quai_cang()
    response = api_commune.client.post(
        f"/api/v1/assessments/{assessment.pk}/evidence",
        {"file": SimpleUploadedFile("a.jpg", _photo()), "indicators": "CS1", "id": "abc"},
        headers=api_commune.headers,
    )
    assert response.status_code == 422
    assert not Evidence.objects.filter(assessment=assessment).exists()
    assert _files(media) == []


def test_the_schema_documents_created_replayed_and_conflict(api_commune: ApiClient) -> None:
    schema = api_commune.client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/assessments/{assessment_id}/evidence"]["post"]
    form = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert {"200", "201", "409"} <= set(operation["responses"])
    assert "id" in form["properties"]
    assert "id" not in form["required"]
