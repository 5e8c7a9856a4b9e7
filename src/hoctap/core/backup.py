"""Backups: one zip with the database, every media file, and a signed manifest that checks them.

A restore checks the manifest's signature with a trusted public key, checks the archive against
this installation and every file against its SHA-256, and only then writes: media files first
(new names only add), then the database in one step.
"""

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _

from hoctap.core.dumps import (
    VENDORS,
    BackupError,
    Facts,
    database_dump,
    database_has_data,
    database_load,
    facts_of,
)
from hoctap.core.signing import (
    SIGNATURE_MAX_BYTES,
    key_id,
    signature_check,
    signature_damaged,
    signature_of,
    signing_key_load,
    verify_keys_load,
)

FORMAT = "hoctap-backup"
VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
DATABASE = {"sqlite": "database/hoctap.sqlite3", "postgresql": "database/hoctap.pgdump"}
MEDIA = "media/"
BLOCK = 1 << 20
_MANIFEST_MAX_BYTES = 64 << 20
_TABLE = re.compile(r"[a-z0-9_]{1,63}")


@dataclass(frozen=True)
class Member:
    """One file of the archive as the manifest lists it."""

    sha256: str
    size: int


@dataclass(frozen=True)
class Manifest:
    created_at: str
    vendor: str
    facts: Facts
    files: dict[str, Member]
    # The id of the key that signed the manifest; None for an unsigned archive let through.
    signed_by: str | None = None

    @property
    def database(self) -> str:
        return DATABASE[self.vendor]

    @property
    def media(self) -> list[str]:
        return sorted(name for name in self.files if name != self.database)

    def as_json(self) -> dict[str, Any]:
        try:
            release = version("hoctap")
        except PackageNotFoundError:
            release = "unknown"
        return {
            "format": FORMAT,
            "version": VERSION,
            "created_at": self.created_at,
            "hoctap": release,
            "database": {"vendor": self.vendor, "file": self.database},
            "migrations": self.facts.migrations,
            "counts": self.facts.counts,
            "files": {n: {"sha256": m.sha256, "size": m.size} for n, m in self.files.items()},
        }


def backup_create(*, target: Path) -> Manifest:
    """Write the database and every media file to the zip `target`, which must not exist."""
    if target.exists():
        raise BackupError(
            _("%(path)s already exists; choose another file name.") % {"path": target}
        )
    if not target.parent.is_dir():
        raise BackupError(_("The folder %(path)s does not exist.") % {"path": target.parent})
    # Before the long copy: a backup that cannot be signed is not written at all.
    key = signing_key_load()
    partial = target.with_name(f".{target.name}.partial")
    try:
        with tempfile.TemporaryDirectory(prefix="hoctap-backup-") as work:
            # The database first: every evidence row it holds has its file on disk already.
            dump = Path(work) / "database"
            facts = database_dump(dump)
            manifest = _write(partial, dump, facts, key)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def _write(partial: Path, dump: Path, facts: Facts, key: Ed25519PrivateKey) -> Manifest:
    # Owner-only from the first byte: the archive holds personal data.
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as raw:
        with zipfile.ZipFile(raw, "w") as archive:
            name = DATABASE[connection.vendor]
            with dump.open("rb") as source:
                files = {name: _add(archive, name, source, compress=True)}
            for name, path in _media_files():
                try:
                    source = path.open("rb")
                except FileNotFoundError:
                    continue  # a rolled-back upload removed meanwhile
                with source:
                    files[name] = _add(archive, name, source, compress=False)
            manifest = Manifest(
                created_at=datetime.now(UTC).isoformat(timespec="seconds"),
                vendor=connection.vendor,
                facts=facts,
                files=files,
                signed_by=key_id(key.public_key()),
            )
            text = json.dumps(manifest.as_json(), ensure_ascii=False, indent=2).encode()
            archive.writestr(MANIFEST, text, compress_type=zipfile.ZIP_DEFLATED)
            archive.writestr(SIGNATURE, signature_of(text, key))
        raw.flush()
        os.fsync(raw.fileno())
    return manifest


def _add(archive: zipfile.ZipFile, name: str, source: Any, *, compress: bool) -> Member:
    info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
    # Photos and PDFs are compressed already; the database shrinks several times.
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = 0o600 << 16
    digest, size = hashlib.sha256(), 0
    with archive.open(info, "w", force_zip64=True) as out:
        while block := source.read(BLOCK):
            digest.update(block)
            out.write(block)
            size += len(block)
    return Member(sha256=digest.hexdigest(), size=size)


# Files that are copies of the database's own rows, kept for days at most: an export waiting
# to be downloaded. A backup would only spread more copies of personal data.
TRANSIENT = ("exports",)


def _media_files() -> Iterator[tuple[str, Path]]:
    root = Path(settings.MEDIA_ROOT)
    for folder, dirs, names in os.walk(root):
        if Path(folder) == root:
            dirs[:] = [d for d in dirs if d not in TRANSIENT]
        dirs.sort()
        for file_name in sorted(names):
            path = Path(folder, file_name)
            if path.is_file() and not path.is_symlink():
                yield MEDIA + path.relative_to(root).as_posix(), path


def backup_restore(
    *,
    source: Path,
    force: bool,
    public_keys: list[Path] | None = None,
    allow_unsigned: bool = False,
) -> Manifest:
    """Check the archive `source` whole, then replace the database and add its media files.

    The manifest must be signed by one of `public_keys`, or, when none is given, by a key
    trusted by the settings; an unsigned archive is refused unless `allow_unsigned`.
    """
    trusted = verify_keys_load(public_keys or [])
    with _opened(source) as archive, tempfile.TemporaryDirectory(prefix="hoctap-") as work:
        manifest = _manifest(archive, trusted, allow_unsigned)
        _check_compatible(manifest)
        extracted = _extract(archive, manifest, Path(work))
        # The archive is sound; only now is the database opened.
        if not force and database_has_data():
            raise BackupError(
                _(
                    "The database already holds accounts or assessments; restoring would "
                    "replace them. Nothing was changed. Use --force to replace them anyway."
                )
            )
        _restore_media(manifest, extracted)
        database_load(extracted[manifest.database])
    with connection.cursor() as cursor:
        restored = facts_of(cursor, manifest.facts.counts)
    if restored != manifest.facts:
        raise BackupError(
            _("The restored database does not hold what the manifest lists; restore again.")
        )
    return manifest


@contextmanager
def _opened(source: Path) -> Iterator[zipfile.ZipFile]:
    if not source.is_file():
        raise BackupError(_("File not found: %(path)s") % {"path": source})
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError, EOFError):
        raise BackupError(_("%(path)s is not a hoctap backup.") % {"path": source}) from None
    with archive:
        yield archive


def _manifest(
    archive: zipfile.ZipFile, trusted: dict[str, Ed25519PublicKey], allow_unsigned: bool
) -> Manifest:
    damaged = BackupError(_("The manifest of the archive is damaged."))
    raw = _member(archive, MANIFEST, _MANIFEST_MAX_BYTES, damaged)
    if raw is None:
        raise BackupError(
            _("The archive has no manifest: it is not a hoctap backup, or it is incomplete.")
        )
    # Nothing the manifest says is believed before its signature is checked.
    signed_by = _signer(archive, raw, trusted, allow_unsigned)
    try:
        data = json.loads(raw)
    except ValueError:
        raise damaged from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(_("The archive is not a hoctap backup."))
    if data.get("version") != VERSION:
        raise BackupError(
            _(
                "The archive is in backup format %(found)s; "
                "this version of hoctap reads format %(v)d."
            )
            % {"found": data.get("version"), "v": VERSION}
        )
    try:
        return replace(_parsed(data), signed_by=signed_by)
    except (ValueError, TypeError, KeyError, AttributeError):
        raise damaged from None


def _member(archive: zipfile.ZipFile, name: str, limit: int, damaged: BackupError) -> bytes | None:
    """Return the bytes of the member `name`, None if there is none."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > limit:
        raise damaged
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError):
        raise damaged from None


def _signer(
    archive: zipfile.ZipFile,
    manifest: bytes,
    trusted: dict[str, Ed25519PublicKey],
    allow_unsigned: bool,
) -> str | None:
    signature = _member(archive, SIGNATURE, SIGNATURE_MAX_BYTES, signature_damaged())
    if signature is not None:
        return signature_check(manifest, signature, trusted)
    if not allow_unsigned:
        raise BackupError(
            _(
                "The archive is not signed, so nothing shows it was made by this hoctap and "
                "not altered since. Nothing was changed. Restore it with --allow-unsigned only "
                "if you know where it comes from (a backup from before signed backups)."
            )
        )
    return None


def _parsed(data: dict[str, Any]) -> Manifest:
    vendor = str(data["database"]["vendor"])
    files = {
        str(name): Member(sha256=str(m["sha256"]), size=int(m["size"]))
        for name, m in data["files"].items()
    }
    counts = {str(table): int(n) for table, n in data["counts"].items()}
    migrations = {str(app): str(name) for app, name in data["migrations"].items()}
    if vendor not in DATABASE or DATABASE[vendor] not in files:
        raise ValueError(vendor)
    if not all(_TABLE.fullmatch(table) for table in counts):
        raise ValueError("table name")
    if not all(name == DATABASE[vendor] or _safe_media_name(name) for name in files):
        raise ValueError("file name")
    return Manifest(
        created_at=str(data["created_at"]),
        vendor=vendor,
        facts=Facts(counts=counts, migrations=migrations),
        files=files,
    )


def _safe_media_name(name: str) -> bool:
    """Accept `media/a/b.jpg`; refuse absolute paths, `..`, empty parts and odd characters."""
    if not name.startswith(MEDIA) or "\\" in name or "\x00" in name:
        return False
    return all(part not in {"", ".", ".."} for part in name[len(MEDIA) :].split("/"))


def _check_compatible(manifest: Manifest) -> None:
    if manifest.vendor != connection.vendor:
        theirs, ours = VENDORS[manifest.vendor], VENDORS.get(connection.vendor, connection.vendor)
        raise BackupError(
            _(
                "This backup holds a %(theirs)s database; this installation uses %(ours)s. "
                "Restore it into a %(theirs)s database (DATABASE_URL)."
            )
            % {"theirs": theirs, "ours": ours}
        )
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    unknown = [f"{a}.{n}" for a, n in manifest.facts.migrations.items() if (a, n) not in known]
    if unknown:
        raise BackupError(
            _("This backup comes from a newer hoctap (migrations %(names)s); upgrade first.")
            % {"names": ", ".join(sorted(unknown))}
        )


def _extract(archive: zipfile.ZipFile, manifest: Manifest, work: Path) -> dict[str, Path]:
    """Copy every file out of the archive, checking its size and SHA-256 on the way."""
    names = archive.namelist()
    expected = {*manifest.files, MANIFEST, *([SIGNATURE] if manifest.signed_by else [])}
    if len(names) != len(set(names)) or set(names) != expected:
        raise BackupError(
            _("The files in the archive differ from its manifest: it is damaged or was altered.")
        )
    extracted = {}
    for index, (name, member) in enumerate(sorted(manifest.files.items())):
        path = work / f"{index:06d}"
        digest, size = hashlib.sha256(), 0
        try:
            with archive.open(name) as source, path.open("wb") as out:
                while (block := source.read(BLOCK)) and size <= member.size:
                    size += len(block)
                    digest.update(block)
                    out.write(block)
        except (zipfile.BadZipFile, zlib.error, EOFError, RuntimeError, NotImplementedError):
            size = -1
        if size != member.size or digest.hexdigest() != member.sha256:
            raise BackupError(
                _("%(name)s does not match the manifest: the archive is damaged or was altered.")
                % {"name": name}
            )
        extracted[name] = path
    return extracted


def _restore_media(manifest: Manifest, extracted: dict[str, Path]) -> None:
    root = Path(settings.MEDIA_ROOT)
    for name in manifest.media:
        target = root.joinpath(*name[len(MEDIA) :].split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.restoring")
        shutil.move(extracted[name], partial)
        os.replace(partial, target)
