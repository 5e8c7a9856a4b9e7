"""Evidence files: what is kept of an upload, what is refused, who may add and open them."""

import hashlib
import io
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pillow_heif
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from PIL import Image, ImageFile
from pytest_django import Settings

from hoctap.accounts.models import User
from hoctap.assessments.evidence import evidence_add, evidence_open
from hoctap.assessments.models import Assessment, AssessmentEvent, Evidence, State
from hoctap.audit.models import AccessLogEntry
from hoctap.core.errors import Conflict, Forbidden, NotFound
from hoctap.organisation.models import Unit

pytestmark = pytest.mark.django_db

GPS_IFD = 0x8825
ORIENTATION = 0x0112
# Bản Cang, Xã Quài Cang: where a phone would have stamped the photo.
GPS = {1: "N", 2: (21.0, 39.0, 12.0), 3: "E", 4: (103.0, 25.0, 48.0)}


@pytest.fixture
def media(settings: Settings, tmp_path: Path) -> Path:
    """Store uploads in a folder of this test only."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def _quai_cang(*, decided: bool = False) -> Assessment:
    commune = Unit.objects.get(code="03289")
    found = Assessment.objects.filter(
        period__code="2021-2022", unit__path__startswith=commune.path
    ).order_by("created_at", "id")
    found = found.filter(state=State.DECIDED) if decided else found.exclude(state=State.DECIDED)
    assessment = found.first()
    assert assessment is not None
    return assessment


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _jpeg(size: tuple[int, int] = (64, 48), **save: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="JPEG", **save)
    return out.getvalue()


def _png(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (30, 200, 30, 128)).save(out, format="PNG")
    return out.getvalue()


def _heic(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", size, (30, 30, 200))).save(out, quality=60)
    return out.getvalue()


def _gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[GPS_IFD] = GPS
    return exif


PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
    b"3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\n"
    b"trailer << /Root 1 0 R >>\n"
    b"%%EOF\n"
)


def _add(user: User, assessment: Assessment, name: str, data: bytes, **kw: Any) -> Evidence:
    indicators: list[str] = kw.pop("indicators", ["CS3"])
    return evidence_add(
        user=user,
        assessment_id=assessment.id,
        upload=SimpleUploadedFile(name, data),
        indicators=indicators,
        **kw,
    )


def _stored(evidence: Evidence) -> bytes:
    with evidence.file.open("rb") as handle:
        data: bytes = handle.read()
    return data


def test_a_phone_photo_is_kept_without_its_gps_position(commune_officer: User, media: Path) -> None:
    assessment = _quai_cang()
    uploaded = _jpeg(exif=_gps_exif())
    assert Image.open(io.BytesIO(uploaded)).getexif().get_ifd(GPS_IFD)

    evidence = _add(
        commune_officer,
        assessment,
        "ảnh họp chi hội.jpg",
        uploaded,
        indicators=["CS5", " CS3", "CS5", ""],
    )

    data = _stored(evidence)
    photo = Image.open(io.BytesIO(data))
    assert photo.format == "JPEG"
    assert photo.size == (64, 48)
    assert not photo.getexif().get_ifd(GPS_IFD)
    assert b"Exif" not in data
    assert evidence.content_type == "image/jpeg"
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    assert evidence.size == len(data)
    assert evidence.indicators == ["CS3", "CS5"]
    assert evidence.original_name == "ảnh họp chi hội.jpg"
    assert evidence.captured_by == commune_officer
    assert "họp" not in evidence.file.name
    assert evidence.file.name.startswith(f"evidence/{assessment.id}/")
    assert _files(media) == [media / evidence.file.name]
    event = AssessmentEvent.objects.get(assessment=assessment, action="evidence_added")
    assert event.actor == commune_officer
    assert event.changes == {"evidence": str(evidence.id), "indicators": ["CS3", "CS5"]}
    assert event.from_state == event.to_state == assessment.state


def test_a_photo_taken_sideways_is_stored_upright(commune_officer: User, media: Path) -> None:
    exif = Image.Exif()
    exif[ORIENTATION] = 6  # the camera was turned a quarter: viewers rotate it on display
    evidence = _add(commune_officer, _quai_cang(), "doc.jpg", _jpeg((64, 32), exif=exif))

    photo = Image.open(io.BytesIO(_stored(evidence)))
    assert photo.size == (32, 64)
    assert ORIENTATION not in photo.getexif()


def test_a_png_stays_a_png(commune_officer: User, media: Path) -> None:
    evidence = _add(commune_officer, _quai_cang(), "so-do.png", _png())

    data = _stored(evidence)
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.mode, image.size) == ("PNG", "RGBA", (64, 48))
    assert evidence.content_type == "image/png"
    assert evidence.file.name.endswith(".png")
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()
    assert evidence.size == len(data)


def test_an_iphone_heic_photo_is_stored_as_jpeg(commune_officer: User, media: Path) -> None:
    uploaded = _heic()
    assert uploaded[4:12] == b"ftypheic"

    evidence = _add(commune_officer, _quai_cang(), "IMG_0042.HEIC", uploaded)

    data = _stored(evidence)
    image = Image.open(io.BytesIO(data))
    assert (image.format, image.size) == ("JPEG", (64, 48))
    assert evidence.content_type == "image/jpeg"
    assert evidence.file.name.endswith(".jpg")
    assert evidence.original_name == "IMG_0042.HEIC"
    assert evidence.sha256 == hashlib.sha256(data).hexdigest()


def test_a_pdf_is_kept_byte_for_byte(commune_officer: User, media: Path) -> None:
    evidence = _add(commune_officer, _quai_cang(), "bien-ban.pdf", PDF, indicators=["CS10"])

    assert _stored(evidence) == PDF
    assert evidence.content_type == "application/pdf"
    assert evidence.size == len(PDF)
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert evidence.indicators == ["CS10"]
    assert evidence.file.name.endswith(".pdf")


def test_bytes_hidden_after_a_photo_are_not_kept(commune_officer: User, media: Path) -> None:
    payload = b"PK\x03\x04" + b"hidden archive" * 50
    evidence = _add(commune_officer, _quai_cang(), "anh.jpg", _jpeg() + payload)

    data = _stored(evidence)
    assert b"hidden archive" not in data
    assert Image.open(io.BytesIO(data)).format == "JPEG"


def test_a_path_in_the_upload_name_never_reaches_the_disk(
    commune_officer: User, media: Path
) -> None:
    assessment = _quai_cang()
    for name in ("../../etc/passwd.jpg", "..\\..\\Windows\\passwd.jpg"):
        evidence = _add(commune_officer, assessment, name, _jpeg())

        assert evidence.original_name == "passwd.jpg"
        stored = Path(evidence.file.path).resolve()
        assert stored.is_relative_to((media / "evidence").resolve())
        assert "passwd" not in evidence.file.name
        assert ".." not in evidence.file.name
    assert not (media.parent / "etc").exists()
    assert len(_files(media)) == 2


WRONG_TYPE = "Chỉ nhận ảnh JPEG, PNG, HEIC hoặc tài liệu PDF."
DAMAGED_IMAGE = "Ảnh bị hỏng hoặc quá lớn, không mở được."
BAD_UPLOADS = [
    pytest.param("photo.jpg", b"MZ\x90\x00\x03\x00" + b"\x00" * 200, WRONG_TYPE, id="windows-exe"),
    pytest.param(
        "photo.jpg", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200, WRONG_TYPE, id="linux-elf"
    ),
    pytest.param("../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n", WRONG_TYPE, id="passwd"),
    pytest.param(
        "index.html.jpg", b"<html><script>alert(1)</script></html>", WRONG_TYPE, id="html"
    ),
    pytest.param("empty.jpg", b"", WRONG_TYPE, id="empty"),
    pytest.param("bien-ban.pdf", PDF[: len(PDF) // 2], "Tệp PDF không đầy đủ", id="truncated-pdf"),
    pytest.param("anh.jpg", b"\xff\xd8\xff" + b"A" * 300, DAMAGED_IMAGE, id="jpeg-header-only"),
    pytest.param("anh.jpg", _jpeg()[:300], DAMAGED_IMAGE, id="truncated-jpeg"),
    pytest.param("anh.png", _png()[:60], DAMAGED_IMAGE, id="truncated-png"),
    pytest.param("anh.heic", _heic()[:100], DAMAGED_IMAGE, id="truncated-heic"),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD_UPLOADS)
def test_a_file_that_is_not_a_whole_photo_or_pdf_is_refused_and_nothing_is_kept(
    commune_officer: User, media: Path, vietnamese: None, name: str, data: bytes, message: str
) -> None:
    assessment = _quai_cang()
    with pytest.raises(ValidationError) as error:
        _add(commune_officer, assessment, name, data)
    assert message in error.value.messages[0]
    assert not Evidence.objects.filter(assessment=assessment).exists()
    assert not AssessmentEvent.objects.filter(action="evidence_added").exists()
    assert _files(media) == []


@pytest.mark.parametrize(
    "data",
    [_jpeg((640, 480))[:2000], _png((640, 480))[:300]],
    ids=["jpeg", "png"],
)
def test_a_half_uploaded_photo_is_refused_even_after_report_pdfs_loosened_pillow(
    commune_officer: User,
    media: Path,
    monkeypatch: pytest.MonkeyPatch,
    vietnamese: None,
    data: bytes,
) -> None:
    # What importing WeasyPrint does to the whole process.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(ValidationError) as error:
        _add(commune_officer, _quai_cang(), "anh.jpg", data)
    assert error.value.messages[0] == DAMAGED_IMAGE
    assert _files(media) == []
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True


def test_a_file_over_the_size_limit_is_refused_and_nothing_is_kept(
    commune_officer: User, media: Path, settings: Settings, vietnamese: None
) -> None:
    settings.HOCTAP_EVIDENCE_MAX_BYTES = 2048
    big = PDF[:-7] + b"%" + b" " * 4096 + b"\n%%EOF\n"
    with pytest.raises(ValidationError) as error:
        _add(commune_officer, _quai_cang(), "big.pdf", big)
    assert "Tệp lớn hơn" in error.value.messages[0]
    assert not Evidence.objects.exists()
    assert _files(media) == []

    small = _add(commune_officer, _quai_cang(), "small.pdf", PDF)
    assert small.size == len(PDF)


@pytest.mark.parametrize("make", [_jpeg, _png, _heic], ids=["jpeg", "png", "heic"])
@pytest.mark.parametrize("limit", [3000, 1000], ids=["over-the-limit", "twice-the-limit"])
def test_a_photo_with_too_many_pixels_is_refused_before_it_is_decoded(
    commune_officer: User,
    media: Path,
    monkeypatch: pytest.MonkeyPatch,
    vietnamese: None,
    make: Callable[[tuple[int, int]], bytes],
    limit: int,
) -> None:
    # 64 × 64 = 4,096 pixels: a warning above the limit, an error above twice the limit.
    data = make((64, 64))
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", limit)
    with pytest.raises(ValidationError) as error:
        _add(commune_officer, _quai_cang(), "bomb.png", data)
    assert error.value.messages[0] == DAMAGED_IMAGE
    assert not Evidence.objects.exists()
    assert _files(media) == []


@pytest.mark.parametrize(
    "indicators",
    [[], [""], ["  "], ["CS99"], ["CS1", "CS99"], ["cs1"]],
    ids=["none", "blank", "spaces", "unknown", "one-unknown", "lower-case"],
)
def test_evidence_must_name_indicators_of_the_scheme(
    commune_officer: User, media: Path, vietnamese: None, indicators: list[str]
) -> None:
    with pytest.raises(ValidationError) as error:
        _add(commune_officer, _quai_cang(), "anh.jpg", _jpeg(), indicators=indicators)
    assert "Hãy chọn một hoặc nhiều chỉ số" in error.value.messages[0]
    assert "CS1, CS2" in error.value.messages[0]
    assert not Evidence.objects.exists()
    assert _files(media) == []


def test_another_commune_cannot_add_evidence_or_learn_the_assessment_exists(
    outsider: User, media: Path
) -> None:
    with pytest.raises(NotFound):
        _add(outsider, _quai_cang(), "anh.jpg", _jpeg())
    assert not Evidence.objects.exists()
    assert not AssessmentEvent.objects.filter(action="evidence_added").exists()
    assert _files(media) == []


def test_a_district_officer_sees_the_assessment_but_may_not_add_evidence(
    district_officer: User, media: Path
) -> None:
    with pytest.raises(Forbidden):
        _add(district_officer, _quai_cang(), "anh.jpg", _jpeg())
    assert not Evidence.objects.exists()
    assert _files(media) == []


def test_a_decided_assessment_takes_no_more_evidence(
    commune_officer: User, media: Path, vietnamese: None
) -> None:
    decided = _quai_cang(decided=True)
    with pytest.raises(Conflict) as error:
        _add(commune_officer, decided, "anh.jpg", _jpeg())
    assert error.value.message == "Phiếu đã có quyết định công nhận nên bị khóa."
    assert not Evidence.objects.exists()
    assert _files(media) == []


@pytest.mark.parametrize("failing", ["event", "evidence"])
def test_a_failed_database_write_leaves_no_file_behind(
    commune_officer: User, media: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise DatabaseError("disk full")

    if failing == "event":
        monkeypatch.setattr(AssessmentEvent, "save", fail)
    else:
        monkeypatch.setattr(Evidence, "save", fail)
    assessment = _quai_cang()
    with pytest.raises(DatabaseError):
        _add(commune_officer, assessment, "anh.jpg", _jpeg())
    assert not Evidence.objects.filter(assessment=assessment).exists()
    assert _files(media) == []


def test_opening_evidence_is_logged_for_the_commune(commune_officer: User, media: Path) -> None:
    evidence = _add(commune_officer, _quai_cang(), "bien-ban.pdf", PDF)

    opened = evidence_open(user=commune_officer, evidence_id=evidence.id)

    assert opened == evidence
    assert _stored(opened) == PDF
    entry = AccessLogEntry.objects.get(object_type="evidence", object_id=str(evidence.id))
    assert (entry.user, entry.action) == (commune_officer, "view")


def test_another_commune_cannot_open_evidence_and_leaves_no_trace(
    commune_officer: User, outsider: User, media: Path
) -> None:
    evidence = _add(commune_officer, _quai_cang(), "bien-ban.pdf", PDF)

    with pytest.raises(NotFound):
        evidence_open(user=outsider, evidence_id=evidence.id)
    assert not AccessLogEntry.objects.filter(object_type="evidence").exists()


def test_a_clients_id_names_the_evidence_and_a_resend_returns_it(
    commune_officer: User, media: Path
) -> None:
    assessment = _quai_cang()
    client_id = uuid.uuid4()
    photo = _heic()

    first = _add(commune_officer, assessment, "anh.heic", photo, evidence_id=client_id)
    again = _add(commune_officer, assessment, "anh.heic", photo, evidence_id=client_id)

    assert first.id == again.id == client_id
    assert again.sha256 == first.sha256
    assert Evidence.objects.filter(assessment=assessment).count() == 1
    assert len(_files(media)) == 1
    events = AssessmentEvent.objects.filter(assessment=assessment, action="evidence_added")
    assert events.count() == 1
    with pytest.raises(Conflict):
        _add(commune_officer, assessment, "khac.pdf", PDF, evidence_id=client_id)
