"""Backup signing keys: made owner-only, never overwritten, trusted only as configured."""

from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError

from hoctap.core.dumps import BackupError
from hoctap.core.signing import (
    key_id,
    signature_check,
    signature_of,
    signing_key_ensure,
    signing_key_load,
    signing_key_pair_create,
    verify_keys_load,
)


@pytest.fixture
def var(settings: Any, tmp_path: Path) -> Path:
    settings.VAR_DIR = tmp_path
    settings.HOCTAP_BACKUP_SIGNING_KEY = None
    settings.HOCTAP_BACKUP_VERIFY_KEYS = []
    return tmp_path


def test_the_first_backup_makes_an_owner_only_key_once(var: Path) -> None:
    public = signing_key_ensure()

    assert public == var / "backup_verify_key.pem"
    private = var / "backup_signing_key.pem"
    assert private.stat().st_mode & 0o077 == 0
    assert signing_key_ensure() is None  # kept, not replaced
    assert set(verify_keys_load([])) == {key_id(signing_key_load().public_key())}


def test_a_key_file_is_never_overwritten(var: Path) -> None:
    stale = var / "backup_verify_key.pem"
    stale.write_text("a public key kept from before")

    with pytest.raises(BackupError, match="backup_verify_key"):
        signing_key_ensure()

    assert stale.read_text() == "a public key kept from before"
    assert not (var / "backup_signing_key.pem").exists()


def test_a_configured_key_that_is_missing_is_an_error_not_a_new_key(
    var: Path, settings: Any
) -> None:
    settings.HOCTAP_BACKUP_SIGNING_KEY = var / "typo.pem"

    assert signing_key_ensure() is None
    with pytest.raises(BackupError, match=r"typo\.pem"):
        signing_key_load()
    assert list(var.iterdir()) == []


def test_keys_named_on_the_command_line_are_the_only_ones_trusted(var: Path, settings: Any) -> None:
    signing_key_ensure()
    listed, _private, listed_public = signing_key_pair_create(folder=var)
    named, _private, named_public = signing_key_pair_create(folder=var)
    settings.HOCTAP_BACKUP_VERIFY_KEYS = [listed_public]

    assert set(verify_keys_load([])) == {listed, key_id(signing_key_load().public_key())}
    assert set(verify_keys_load([named_public])) == {named}


def test_a_file_that_is_no_public_key_is_named(var: Path) -> None:
    junk = var / "key.pem"
    junk.write_text("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")

    with pytest.raises(BackupError, match=r"key\.pem"):
        verify_keys_load([junk])
    with pytest.raises(BackupError, match=r"missing\.pem"):
        verify_keys_load([var / "missing.pem"])


def test_a_signature_holds_only_for_the_bytes_and_key_it_was_made_with() -> None:
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    trusted = {key_id(key.public_key()): key.public_key()}
    document = signature_of(b'{"counts": 1}', key)

    assert signature_check(b'{"counts": 1}', document, trusted) == key_id(key.public_key())
    with pytest.raises(BackupError, match="không khớp"):
        signature_check(b'{"counts": 2}', document, trusted)
    with pytest.raises(BackupError, match=key_id(other.public_key())):
        signature_check(b'{"counts": 1}', signature_of(b'{"counts": 1}', other), trusted)
    with pytest.raises(BackupError, match="bị hỏng"):
        signature_check(b'{"counts": 1}', b"not json", trusted)


def test_keygen_writes_a_new_pair_each_time(tmp_path: Path) -> None:
    call_command("backup-keygen", str(tmp_path))
    call_command("backup-keygen", str(tmp_path))

    private = sorted(tmp_path.glob("backup-signing-*.pem"))
    public = sorted(tmp_path.glob("backup-verify-*.pem"))
    assert len(private) == len(public) == 2
    assert all(path.stat().st_mode & 0o077 == 0 for path in private)
    with pytest.raises(CommandError):
        call_command("backup-keygen", str(tmp_path / "missing"))
