"""Taking a backup archive apart and putting it back together, as an attacker or a test would."""

import hashlib
import json
import zipfile
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key

from hoctap.core.signing import key_id, signature_of

Members = dict[str, bytes]


def members_of(path: Path) -> Members:
    """Return every file of the archive at `path`, by name."""
    with zipfile.ZipFile(path) as opened:
        return {name: opened.read(name) for name in opened.namelist()}


def archive_write(path: Path, members: Members) -> Path:
    """Write `members` as a zip at `path`."""
    with zipfile.ZipFile(path, "w") as out:
        for name, data in members.items():
            out.writestr(name, data)
    return path


def manifest_of(members: Members) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(members["manifest.json"])
    return manifest


def with_manifest(members: Members, manifest: dict[str, Any]) -> Members:
    return {**members, "manifest.json": json.dumps(manifest).encode()}


def with_file_rehashed(members: Members, name: str, data: bytes) -> Members:
    """Put `data` in place of the file `name`, with its SHA-256 and size fixed in the manifest."""
    manifest = manifest_of(members)
    manifest["files"][name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    return with_manifest({**members, name: data}, manifest)


def private_key(path: Path) -> Ed25519PrivateKey:
    key = load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(key, Ed25519PrivateKey)
    return key


def signed_by(members: Members, key: Ed25519PrivateKey) -> Members:
    """Sign the manifest of `members` again with `key`."""
    return {**members, "manifest.sig": signature_of(members["manifest.json"], key)}


def key_id_of(public: Path) -> str:
    """Return the id hoctap shows for the public key in the file `public`."""
    key = load_pem_public_key(public.read_bytes())
    assert isinstance(key, Ed25519PublicKey)
    return key_id(key)
