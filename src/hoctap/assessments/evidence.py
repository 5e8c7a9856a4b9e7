"""Evidence files: checked by content, re-encoded when images, hashed, linked to indicators."""

import hashlib
import io
import re
import threading
import unicodedata
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import NamedTuple
from uuid import UUID, uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError
from pillow_heif import register_heif_opener

from hoctap.accounts.models import User
from hoctap.accounts.scoping import scope_for
from hoctap.assessments.access import CitizenAccess
from hoctap.assessments.events import event_append
from hoctap.assessments.models import Assessment, Evidence, State
from hoctap.assessments.services import Actor, assessment_locked
from hoctap.assessments.workflow import LAYER_ROLES
from hoctap.audit.models import AccessAction
from hoctap.audit.services import access_log_record
from hoctap.core.errors import Conflict, Forbidden, NotFound

register_heif_opener()

_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1"}
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")
# Pillow's truncation switch and Python's warning filters are process-wide; uploads decode
# one at a time so that another thread cannot loosen them mid-decode.
_DECODING = threading.Lock()


def sniff(head: bytes) -> str | None:
    """Tell the type from the first bytes, whatever the file is called."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS:
        return "image/heic"
    return None


def safe_display_name(name: str) -> str:
    """Keep only the last part of a file name, without path or control characters."""
    last = re.split(r"[/\\]", name)[-1]
    cleaned = _UNSAFE_NAME.sub("", unicodedata.normalize("NFC", last)).strip(" .")
    return cleaned[:200]


@contextmanager
def _strict_decoding() -> Iterator[None]:
    """Refuse truncated images and pixel bombs, whatever other code set process-wide."""
    with _DECODING, warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        # WeasyPrint (report PDFs) sets LOAD_TRUNCATED_IMAGES on import, which would let a
        # half-uploaded photo through with its missing part painted grey.
        allowed = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = allowed


def _reencode(data: bytes, kind: str) -> tuple[bytes, str]:
    """Decode and re-encode an image: proves it is one and drops metadata such as GPS."""
    try:
        with _strict_decoding():
            opened = Image.open(io.BytesIO(data))
            opened.load()
            # Re-encoding drops the EXIF orientation, so turn the pixels upright first.
            image = ImageOps.exif_transpose(opened)
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ):
        raise ValidationError(_("The image is damaged or too large to open.")) from None
    out = io.BytesIO()
    if kind == "image/png":
        image.save(out, format="PNG", optimize=True)
        return out.getvalue(), "image/png"
    image.convert("RGB").save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue(), "image/jpeg"


def _checked_content(upload: UploadedFile) -> tuple[bytes, str]:
    limit: int = settings.HOCTAP_EVIDENCE_MAX_BYTES
    if (upload.size or 0) > limit:
        raise ValidationError(
            _("The file is larger than %(mb)s MB.") % {"mb": round(limit / 1_048_576, 1)}
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            _("The file is larger than %(mb)s MB.") % {"mb": round(limit / 1_048_576, 1)}
        )
    kind = sniff(data[:16])
    if kind is None:
        raise ValidationError(_("Only JPEG, PNG or HEIC photos and PDF documents are accepted."))
    if kind == "application/pdf":
        if b"%%EOF" not in data[-2048:]:
            raise ValidationError(_("The PDF file is incomplete or damaged."))
        return data, kind
    return _reencode(data, kind)


class EvidenceAdded(NamedTuple):
    """The evidence, and whether this call stored it (False: a re-sent earlier upload)."""

    evidence: Evidence
    created: bool


def evidence_add(
    *,
    user: Actor,
    assessment_id: UUID,
    upload: UploadedFile,
    indicators: list[str],
    captured_at: datetime | None = None,
    evidence_id: UUID | None = None,
) -> Evidence:
    """Attach a checked file to an assessment as evidence for some of its indicators."""
    return evidence_add_once(
        user=user,
        assessment_id=assessment_id,
        upload=upload,
        indicators=indicators,
        captured_at=captured_at,
        evidence_id=evidence_id,
    ).evidence


@transaction.atomic
def evidence_add_once(
    *,
    user: Actor,
    assessment_id: UUID,
    upload: UploadedFile,
    indicators: list[str],
    captured_at: datetime | None = None,
    evidence_id: UUID | None = None,
) -> EvidenceAdded:
    """Attach evidence under `evidence_id` (a client's UUID), once: a re-send writes nothing.

    The same id with the same stored content and indicators on the same assessment returns the
    stored record; with anything else it is a conflict. Without an id, a new one is drawn.
    """
    assessment, roles = assessment_locked(user, assessment_id)
    if not roles & LAYER_ROLES["self"]:
        raise Forbidden(_("Your role may not add evidence."))
    earlier = _earlier(evidence_id)
    # A re-send of an upload made before the decision is answered, not refused.
    if earlier is None and assessment.state == State.DECIDED:
        raise Conflict(_("A decided assessment is locked."))
    codes = _indicator_codes(assessment, indicators)
    content, kind = _checked_content(upload)
    sha256 = hashlib.sha256(content).hexdigest()
    if earlier is not None:
        return EvidenceAdded(_replayed(earlier, assessment, sha256, codes), created=False)
    evidence = Evidence(
        id=evidence_id or uuid4(),
        assessment=assessment,
        content_type=kind,
        size=len(content),
        sha256=sha256,
        original_name=safe_display_name(upload.name or ""),
        indicators=codes,
        captured_at=captured_at,
        captured_by=user if isinstance(user, User) else None,
    )
    earlier = _store(evidence, content, user)
    if earlier is not None:
        return EvidenceAdded(_replayed(earlier, assessment, sha256, codes), created=False)
    return EvidenceAdded(evidence, created=True)


def _store(evidence: Evidence, content: bytes, actor: Actor) -> Evidence | None:
    """Write file, row and event; if a concurrent request took the id, drop the file, return its."""
    evidence.file.save("upload", ContentFile(content), save=False)
    try:
        earlier = _insert_or_find(evidence)
        if earlier is None:
            assessment = evidence.assessment
            event_append(
                assessment,
                actor_id=actor.pk if isinstance(actor, User) else None,
                access_code_id=actor.code_id if isinstance(actor, CitizenAccess) else None,
                action="evidence_added",
                from_state=assessment.state,
                to_state=assessment.state,
                changes={"evidence": str(evidence.id), "indicators": evidence.indicators},
            )
    except BaseException:
        # The rows roll back with the transaction; the file is outside it and must go too.
        evidence.file.delete(save=False)
        raise
    if earlier is not None:
        evidence.file.delete(save=False)
    return earlier


def _indicator_codes(assessment: Assessment, indicators: list[str]) -> list[str]:
    """Return the named indicator codes, sorted and unique; refuse any the scheme lacks."""
    known = assessment.scheme.parsed.indicator_codes
    codes = sorted({code.strip() for code in indicators if code.strip()})
    if not codes or not set(codes) <= set(known):
        raise ValidationError(
            _("Name one or more indicators of this scheme (%(codes)s).")
            % {"codes": ", ".join(known)}
        )
    return codes


def _earlier(evidence_id: UUID | None) -> Evidence | None:
    """Return the evidence already stored under a client's id, wherever it lies."""
    if evidence_id is None:
        return None
    return Evidence.objects.filter(pk=evidence_id).first()


def _insert_or_find(evidence: Evidence) -> Evidence | None:
    """Insert the row, or return the one a concurrent request stored under the same id."""
    try:
        # A savepoint: a refused insert must not spoil the transaction around it.
        with transaction.atomic():
            evidence.save(force_insert=True)
    except IntegrityError:
        earlier = _earlier(evidence.id)
        if earlier is None:
            raise
        return earlier
    return None


def _replayed(earlier: Evidence, assessment: Assessment, sha256: str, codes: list[str]) -> Evidence:
    """Return the stored evidence if this upload repeats it; otherwise refuse the id."""
    if earlier.assessment_id != assessment.pk:
        raise Conflict(_("This id was already used for evidence of another assessment."))
    if earlier.sha256 != sha256 or earlier.indicators != codes:
        raise Conflict(_("This id was already used for another file or other indicators."))
    return earlier


def evidence_open(*, user: User, evidence_id: UUID) -> Evidence:
    """Return an evidence record in scope for viewing, and log the view (personal data)."""
    scope = scope_for(user)
    try:
        evidence = scope.filter(
            Evidence.objects.select_related("assessment__unit"), "assessment__unit"
        ).get(pk=evidence_id)
    except (Evidence.DoesNotExist, ValueError):
        raise NotFound(_("No such evidence.")) from None
    access_log_record(
        user=user, action=AccessAction.VIEW, object_type="evidence", object_id=evidence.pk
    )
    return evidence


THUMBNAIL_SIDE = 320


def evidence_thumbnail(evidence: Evidence) -> bytes | None:
    """Return a small JPEG of an image evidence for galleries, or None for a document."""
    if not evidence.content_type.startswith("image/") or not evidence.file:
        return None
    with evidence.file.open("rb") as handle, Image.open(handle) as image:
        image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
        out = io.BytesIO()
        image.convert("RGB").save(out, format="JPEG", quality=75, optimize=True)
    return out.getvalue()
