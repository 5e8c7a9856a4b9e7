"""Ed25519 keys that sign a backup's manifest on the server and check it at a restore.

The manifest lists the SHA-256 of every file of the archive, so its signature covers them all.
The private key never leaves the server; its public half is also kept off the server, so that a
restore on a fresh machine can tell a backup made here from one altered on its way back.
"""

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.utils.translation import gettext as _

from hoctap.core.dumps import BackupError

ALGORITHM = "ed25519"
SIGNATURE_MAX_BYTES = 4096
_KEY_MAX_BYTES = 64 << 10


def key_id(public: Ed25519PublicKey) -> str:
    """Return the short name of a public key that messages and file names show."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def signing_key_path() -> Path:
    """Return the private key `hoctap backup` signs with: the configured one or var/'s."""
    configured: Path | None = settings.HOCTAP_BACKUP_SIGNING_KEY
    return configured or Path(settings.VAR_DIR) / "backup_signing_key.pem"


def signing_key_ensure() -> Path | None:
    """Create var/'s key pair unless a key is configured or exists; return the new public key."""
    if settings.HOCTAP_BACKUP_SIGNING_KEY is not None:
        return None
    private = signing_key_path()
    if private.exists():
        return None
    private.parent.mkdir(parents=True, exist_ok=True)
    public = private.with_name("backup_verify_key.pem")
    _pair_write(Ed25519PrivateKey.generate(), private=private, public=public)
    return public


def signing_key_pair_create(*, folder: Path) -> tuple[str, Path, Path]:
    """Write a new key pair into `folder`, named after the key; return its id and the files."""
    key = Ed25519PrivateKey.generate()
    name = key_id(key.public_key())
    private, public = folder / f"backup-signing-{name}.pem", folder / f"backup-verify-{name}.pem"
    _pair_write(key, private=private, public=public)
    return name, private, public


def _pair_write(key: Ed25519PrivateKey, *, private: Path, public: Path) -> None:
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    # Owner-only from the first byte: whoever reads the private key can forge backups.
    _write_new(private, private_pem, 0o600)
    try:
        _write_new(public, public_pem, 0o644)
    except BaseException:
        # No private key without its public half: the next backup would sign with a key
        # whose public half nobody was given.
        private.unlink()
        raise


def _write_new(path: Path, data: bytes, mode: int) -> None:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise BackupError(
            _("%(path)s already exists; a key file is never overwritten.") % {"path": path}
        ) from None
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def signing_key_load() -> Ed25519PrivateKey:
    """Read the private key `hoctap backup` signs with; refuse a missing or foreign one."""
    path = signing_key_path()
    try:
        key = serialization.load_pem_private_key(_read_key(path), password=None)
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PrivateKey):
        raise BackupError(
            _("%(path)s is not an Ed25519 private key in PEM format (HOCTAP_BACKUP_SIGNING_KEY).")
            % {"path": path}
        )
    return key


def verify_keys_load(explicit: list[Path]) -> dict[str, Ed25519PublicKey]:
    """Return the public keys a restore trusts, by id.

    Keys named on the command line, if any, are the only ones; otherwise those of
    HOCTAP_BACKUP_VERIFY_KEYS and the public half of this server's signing key, if it has one.
    """
    if explicit:
        return _by_id(_public_key(path) for path in explicit)
    keys = [_public_key(path) for path in settings.HOCTAP_BACKUP_VERIFY_KEYS]
    if signing_key_path().is_file():
        keys.append(signing_key_load().public_key())
    return _by_id(keys)


def _by_id(keys: Iterable[Ed25519PublicKey]) -> dict[str, Ed25519PublicKey]:
    return {key_id(key): key for key in keys}


def _public_key(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(_read_key(path))
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, Ed25519PublicKey):
        raise BackupError(
            _("%(path)s is not an Ed25519 public key in PEM format.") % {"path": path}
        )
    return key


def _read_key(path: Path) -> bytes:
    if not path.is_file():
        raise BackupError(_("Key file not found: %(path)s") % {"path": path})
    with path.open("rb") as source:
        return source.read(_KEY_MAX_BYTES)


def signature_of(data: bytes, key: Ed25519PrivateKey) -> bytes:
    """Return the signature document of `data`: the algorithm, the key's id, the signature."""
    signature = base64.b64encode(key.sign(data)).decode()
    document = {"algorithm": ALGORITHM, "key": key_id(key.public_key()), "signature": signature}
    return json.dumps(document, indent=2).encode()


def signature_check(data: bytes, document: bytes, trusted: dict[str, Ed25519PublicKey]) -> str:
    """Check `document` signs `data` with a trusted key; return the key's id."""
    key, signature = _parsed_signature(document)
    if key not in trusted:
        raise BackupError(_untrusted(key, trusted))
    try:
        trusted[key].verify(signature, data)
    except InvalidSignature:
        raise BackupError(
            _(
                "The signature of the archive does not match its manifest: the archive was "
                "altered after the backup. Nothing was changed."
            )
        ) from None
    return key


def _parsed_signature(document: bytes) -> tuple[str, bytes]:
    try:
        if len(document) > SIGNATURE_MAX_BYTES:
            raise ValueError("too long")
        data = json.loads(document)
        if data["algorithm"] != ALGORITHM:
            raise ValueError(data["algorithm"])
        return str(data["key"]), base64.b64decode(data["signature"], validate=True)
    except (ValueError, TypeError, KeyError, binascii.Error):
        raise signature_damaged() from None


def signature_damaged() -> BackupError:
    """Return the error for a signature that cannot be read."""
    return BackupError(_("The signature of the archive is damaged. Nothing was changed."))


def _untrusted(key: str, trusted: dict[str, Ed25519PublicKey]) -> str:
    if not trusted:
        return _(
            "The archive is signed by key %(key)s, but no public key is trusted here: give "
            "the backup's public key with --public-key FILE, or list it in "
            "HOCTAP_BACKUP_VERIFY_KEYS. Nothing was changed."
        ) % {"key": key}
    return _(
        "The archive is signed by key %(key)s, which is not among the trusted keys "
        "(%(trusted)s). Nothing was changed."
    ) % {"key": key, "trusted": ", ".join(sorted(trusted))}
