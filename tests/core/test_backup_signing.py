"""Signed backups: `hoctap restore` believes only an archive signed by a trusted key (ADR 0030)."""

import hashlib
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.core.archives import (
    Members,
    archive_write,
    key_id_of,
    manifest_of,
    members_of,
    signed_by,
    with_manifest,
)
from tests.core.child import USER
from tests.core.sites import Site, Sites, on_postgresql

SQLITE_DB = "database/hoctap.sqlite3"


def _made_superuser(members: Members, work: Path) -> Members:
    """Make the commune officer a superuser in the archived database; fix its hash and size."""
    database = work / "hoctap.sqlite3"
    database.write_bytes(members[SQLITE_DB])
    with closing(sqlite3.connect(database)) as db:
        changed = db.execute(
            "UPDATE accounts_user SET is_superuser = 1, is_staff = 1 WHERE username = ?", (USER,)
        ).rowcount
        db.commit()
    assert changed == 1
    forged = database.read_bytes()
    manifest = manifest_of(members)
    manifest["files"][SQLITE_DB] = {
        "sha256": hashlib.sha256(forged).hexdigest(),
        "size": len(forged),
    }
    return with_manifest({**members, SQLITE_DB: forged}, manifest)


def _signature_kept(members: Members) -> Members:
    return members


def _signature_removed(members: Members) -> Members:
    return {name: data for name, data in members.items() if name != "manifest.sig"}


def _signed_by_the_attacker(members: Members) -> Members:
    return signed_by(members, Ed25519PrivateKey.generate())


# What the attacker does with the signature once the database is forged, and what restore says.
SIGNATURE: dict[str, tuple[Callable[[Members], Members], str]] = {
    "the old signature kept": (_signature_kept, "Chữ ký của tệp sao lưu không khớp"),
    "the signature removed": (_signature_removed, "không có chữ ký"),
    "signed again with another key": (_signed_by_the_attacker, "không nằm trong các khóa"),
}


@pytest.fixture(scope="module")
def occupied(demo_site: Site, archive: Path, sites: Sites) -> Site:
    """An installation restored from the genuine backup: what the attacker wants to replace."""
    site = sites.new("attacked")
    site.run("restore", str(archive), "--public-key", str(demo_site.verify_key))
    return site


@pytest.mark.skipif(on_postgresql(), reason="the forgery edits the SQLite file of the archive")
@pytest.mark.parametrize("signature", SIGNATURE)
def test_a_backup_forged_to_make_a_superuser_is_refused_and_changes_nothing(
    demo_site: Site, archive: Path, occupied: Site, tmp_path: Path, signature: str
) -> None:
    sign, said = SIGNATURE[signature]
    forged = archive_write(
        tmp_path / "sao-luu.zip", sign(_made_superuser(members_of(archive), tmp_path))
    )
    superusers, users = occupied.superusers(), occupied.rows("accounts_user")
    media = occupied.media_hashes()

    refused = occupied.run(
        "restore", str(forged), "--force", "--public-key", str(demo_site.verify_key), check=False
    )

    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr
    assert said in refused.stderr  # said in Vietnamese
    assert occupied.superusers() == superusers
    assert occupied.rows("accounts_user") == users
    assert occupied.media_hashes() == media


def _changed_photo_rehashed(members: Members) -> Members:
    """Replace a photo, with its hash and size fixed in the manifest (any database)."""
    name = next(n for n in members if n.endswith(".png"))
    photo = members[name] + b"appended"
    manifest = manifest_of(members)
    manifest["files"][name] = {"sha256": hashlib.sha256(photo).hexdigest(), "size": len(photo)}
    return with_manifest({**members, name: photo}, manifest)


@pytest.fixture(scope="module")
def empty(sites: Sites) -> Site:
    return sites.new("unsigned")


def test_a_file_changed_with_its_hash_recomputed_is_refused(
    demo_site: Site, archive: Path, empty: Site, tmp_path: Path
) -> None:
    changed = archive_write(tmp_path / "x.zip", _changed_photo_rehashed(members_of(archive)))

    refused = empty.run(
        "restore", str(changed), "--public-key", str(demo_site.verify_key), check=False
    )

    assert refused.returncode == 1
    assert "không khớp" in refused.stderr
    assert empty.table_count() == 0
    assert empty.media_hashes() == {}


def test_a_backup_signed_by_an_untrusted_key_is_refused(
    demo_site: Site, archive: Path, empty: Site, tmp_path: Path
) -> None:
    empty.run("backup-keygen", str(tmp_path))
    other = next(tmp_path.glob("backup-verify-*.pem"))

    refused = empty.run("restore", str(archive), "--public-key", str(other), check=False)

    assert refused.returncode == 1
    # Both keys named: the one that signed, and the one trusted.
    assert key_id_of(demo_site.verify_key) in refused.stderr
    assert key_id_of(other) in refused.stderr
    assert empty.table_count() == 0
    assert empty.media_hashes() == {}


def test_a_fresh_machine_without_a_public_key_says_how_to_give_one(
    archive: Path, empty: Site
) -> None:
    refused = empty.run("restore", str(archive), check=False)

    assert refused.returncode == 1
    assert "--public-key" in refused.stderr
    assert "HOCTAP_BACKUP_VERIFY_KEYS" in refused.stderr
    assert empty.table_count() == 0


def test_an_unsigned_backup_restores_only_when_allowed_and_with_a_warning(
    demo_site: Site, demo_probe: dict[str, Any], archive: Path, sites: Sites, tmp_path: Path
) -> None:
    # What `hoctap backup` wrote before backups were signed: the same archive, no signature.
    unsigned = archive_write(tmp_path / "cu.zip", _signature_removed(members_of(archive)))
    target = sites.new("old-backup")
    trusted = ("--public-key", str(demo_site.verify_key))

    refused = target.run("restore", str(unsigned), *trusted, check=False)
    assert refused.returncode == 1
    assert "--allow-unsigned" in refused.stderr
    assert target.table_count() == 0

    allowed = target.run("restore", str(unsigned), *trusted, "--allow-unsigned")
    assert "--allow-unsigned" in allowed.stderr  # the warning
    assert target.probe() == demo_probe


def test_an_old_key_stays_trusted_until_retired(
    demo_site: Site, demo_probe: dict[str, Any], archive: Path, sites: Sites, tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    keys.mkdir()
    demo_site.run("backup-keygen", str(keys))
    new_private = next(keys.glob("backup-signing-*.pem"))
    new_public = next(keys.glob("backup-verify-*.pem"))
    assert new_private.stat().st_mode & 0o077 == 0
    rotated = tmp_path / "sao-luu-moi.zip"
    demo_site.run("backup", str(rotated), env={"HOCTAP_BACKUP_SIGNING_KEY": str(new_private)})
    both = {"HOCTAP_BACKUP_VERIFY_KEYS": f"{demo_site.verify_key},{new_public}"}
    new_only = {"HOCTAP_BACKUP_VERIFY_KEYS": str(new_public)}
    target = sites.new("rotated")

    # While both keys are listed, a backup signed by either restores.
    target.run("restore", str(archive), env=both)
    assert target.probe() == demo_probe
    target.run("restore", str(rotated), "--force", env=both)
    assert target.probe() == demo_probe

    # Once the old public key is taken off the list, its backups are refused.
    retired = target.run("restore", str(archive), "--force", check=False, env=new_only)
    assert retired.returncode == 1
    assert key_id_of(demo_site.verify_key) in retired.stderr
    target.run("restore", str(rotated), "--force", env=new_only)
