"""`hoctap backup` and `hoctap restore`: a restored installation gives the same reports."""

import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.core.archives import (
    Members,
    archive_write,
    manifest_of,
    members_of,
    private_key,
    signed_by,
    with_manifest,
)
from tests.core.sites import Site, Sites, on_postgresql


def test_a_restored_backup_gives_the_same_reports_evidence_and_rows(
    demo_site: Site, demo_probe: dict[str, Any], archive: Path, sites: Sites
) -> None:
    target = sites.new("restored")

    # A fresh machine after a disaster: only the public key the operator kept.
    restored = target.run("restore", str(archive), "--public-key", str(demo_site.verify_key))

    assert "Traceback" not in restored.stderr
    # Both years' reports, every table's row count, the rollup check, the evidence rows.
    assert target.probe() == demo_probe
    media = target.media_hashes()
    assert media == demo_site.media_hashes()
    assert len(media) == 2
    # Every evidence row finds its file, with the content it was uploaded with.
    assert demo_probe["evidence"] == media
    assert demo_probe["rollups_ok"]
    assert demo_probe["reports"]["2020-2021"]["totals"]["passed"] == 363


def test_the_archive_lists_what_it_holds(archive: Path) -> None:
    with zipfile.ZipFile(archive) as opened:
        manifest = json.loads(opened.read("manifest.json"))
        names = set(opened.namelist())
    assert manifest["format"] == "hoctap-backup"
    assert manifest["version"] == 1
    assert manifest["database"]["vendor"] == ("postgresql" if on_postgresql() else "sqlite")
    assert manifest["counts"]["people_citizen"] == 370
    assert manifest["migrations"]["assessments"].startswith("00")
    assert names == {*manifest["files"], "manifest.json", "manifest.sig"}
    assert archive.stat().st_mode & 0o077 == 0


def test_a_backup_never_overwrites_a_file(demo_site: Site, archive: Path) -> None:
    before = archive.read_bytes()
    refused = demo_site.run("backup", str(archive), check=False)
    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr
    assert archive.read_bytes() == before


def test_restoring_over_data_needs_force_and_changes_nothing_without_it(
    demo_site: Site, demo_probe: dict[str, Any], archive: Path, sites: Sites
) -> None:
    target = sites.new("occupied")
    trusted = {"HOCTAP_BACKUP_VERIFY_KEYS": str(demo_site.verify_key)}
    target.run("restore", str(archive), env=trusted)
    target.child("add-user", "nguoi-moi")
    users, media = demo_probe["counts"]["accounts_user"], target.media_hashes()

    refused = target.run("restore", str(archive), check=False, env=trusted)

    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr
    assert "--force" in refused.stderr
    assert "tài khoản" in refused.stderr  # said in Vietnamese
    assert target.rows("accounts_user") == users + 1
    assert target.media_hashes() == media

    target.run("restore", str(archive), "--force", env=trusted)
    assert target.probe() == demo_probe


def _photo_changed(members: Members) -> Members:
    name = next(n for n in members if n.endswith(".png"))
    data = bytearray(members[name])
    data[-20] ^= 0xFF
    return {**members, name: bytes(data)}


def _without_manifest(members: Members) -> Members:
    return {n: data for n, data in members.items() if n != "manifest.json"}


def _future_format(members: Members) -> Members:
    return with_manifest(members, {**manifest_of(members), "version": 2})


def _newer_hoctap(members: Members) -> Members:
    manifest = manifest_of(members)
    manifest["migrations"]["assessments"] = "9999_from_the_future"
    return with_manifest(members, manifest)


def _other_database(members: Members) -> Members:
    manifest = manifest_of(members)
    ours = manifest["database"]["vendor"]
    theirs = "sqlite" if ours == "postgresql" else "postgresql"
    old = next(n for n in members if n.startswith("database/"))
    new = "database/hoctap.pgdump" if theirs == "postgresql" else "database/hoctap.sqlite3"
    manifest["database"] = {"vendor": theirs, "file": new}
    manifest["files"][new] = manifest["files"].pop(old)
    moved = {(new if n == old else n): data for n, data in members.items()}
    return with_manifest(moved, manifest)


def _escaping_path(members: Members) -> Members:
    manifest = manifest_of(members)
    name = next(n for n in members if n.endswith(".pdf"))
    escaping = "media/../../hoctap.sqlite3"
    manifest["files"][escaping] = manifest["files"].pop(name)
    moved = {(escaping if n == name else n): data for n, data in members.items()}
    return with_manifest(moved, manifest)


def _not_a_zip(members: Members) -> Members:
    return {}


DAMAGE: dict[str, tuple[Callable[[Members], Members], str]] = {
    "a photo changed": (_photo_changed, "media/evidence/"),
    "no manifest": (_without_manifest, "bản kê"),
    "a later format": (_future_format, "2"),
    "a newer hoctap": (_newer_hoctap, "9999_from_the_future"),
    "the other database": (_other_database, "postgresql"),
    "a path out of the media folder": (_escaping_path, "bản kê"),
    "not a zip": (_not_a_zip, "sao-luu"),
}


@pytest.fixture(scope="module")
def empty_site(sites: Sites) -> Site:
    return sites.new("empty")


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_archive_is_refused_before_anything_is_written(
    archive: Path, demo_site: Site, empty_site: Site, tmp_path: Path, damage: str
) -> None:
    change, said = DAMAGE[damage]
    damaged = tmp_path / "sao-luu.zip"
    members = change(members_of(archive))
    if "manifest.json" in members:
        # Signed by the trusted key, as a hoctap that wrote such an archive would sign it: the
        # signature vouches for who made the archive, and the checks below still hold.
        members = signed_by(members, private_key(demo_site.folder / "backup_signing_key.pem"))
    if members:
        archive_write(damaged, members)
    else:
        damaged.write_bytes(b"PK\x03\x04 not really a zip")
    refused = empty_site.run(
        "restore", str(damaged), "--public-key", str(demo_site.verify_key), check=False
    )

    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr
    assert said in refused.stderr.lower()
    assert empty_site.table_count() == 0
    assert empty_site.media_hashes() == {}
