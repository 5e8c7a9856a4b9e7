"""Signed backups: `hoctap restore` believes only an archive signed by a trusted key (ADR 0030)."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.core.archives import (
    Members,
    archive_write,
    key_id_of,
    members_of,
    signed_by,
    with_file_rehashed,
)
from tests.core.child import USER
from tests.core.sites import Site, Sites, on_postgresql


@pytest.fixture(scope="module")
def forged(
    demo_site: Site, archive: Path, sites: Sites, tmp_path_factory: pytest.TempPathFactory
) -> Members:
    """The demo's backup with the commune officer made a superuser inside its database, and the
    database's SHA-256 and size fixed in the manifest: what the attacker of issue 23 did."""
    members = members_of(archive)
    name = next(n for n in members if n.startswith("database/"))
    work = tmp_path_factory.mktemp("forgery")
    if on_postgresql():
        # A pg_dump file cannot be edited in place: restore it, change it, dump it again.
        forger = sites.new("forger")
        forger.run("restore", str(archive), "--public-key", str(demo_site.verify_key))
        assert forger.make_superuser(USER) == 1
        forger.run("backup", str(work / "forger.zip"))
        database = members_of(work / "forger.zip")[name]
    else:
        # The SQLite file of the archive, edited as it is.
        copy = Site(work, f"sqlite:///{work}/hoctap.sqlite3")
        (work / "hoctap.sqlite3").write_bytes(members[name])
        assert copy.make_superuser(USER) == 1
        database = (work / "hoctap.sqlite3").read_bytes()
    return with_file_rehashed(members, name, database)


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


@pytest.mark.parametrize("signature", SIGNATURE)
def test_a_backup_forged_to_make_a_superuser_is_refused_and_changes_nothing(
    demo_site: Site, forged: Members, occupied: Site, tmp_path: Path, signature: str
) -> None:
    sign, said = SIGNATURE[signature]
    archive = archive_write(tmp_path / "sao-luu.zip", sign(forged))
    superusers, users = occupied.superusers(), occupied.rows("accounts_user")
    media = occupied.media_hashes()

    refused = occupied.run(
        "restore", str(archive), "--force", "--public-key", str(demo_site.verify_key), check=False
    )

    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr
    assert said in refused.stderr  # said in Vietnamese
    assert occupied.superusers() == superusers
    assert occupied.rows("accounts_user") == users
    assert occupied.media_hashes() == media


def test_the_forgery_works_on_whoever_lets_an_unsigned_archive_through(
    demo_site: Site, forged: Members, sites: Sites, tmp_path: Path
) -> None:
    # Why the refusals above matter, and why --allow-unsigned warns.
    archive = archive_write(tmp_path / "sao-luu.zip", _signature_removed(forged))
    target = sites.new("careless")

    allowed = target.run("restore", str(archive), "--allow-unsigned")

    assert "--allow-unsigned" in allowed.stderr
    assert target.superusers() == demo_site.superusers() + 1


def _changed_photo_rehashed(members: Members) -> Members:
    """Replace a photo, with its hash and size fixed in the manifest."""
    name = next(n for n in members if n.endswith(".png"))
    return with_file_rehashed(members, name, members[name] + b"appended")


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
