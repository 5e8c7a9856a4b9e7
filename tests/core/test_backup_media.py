"""What of the media folder a backup takes: evidence yes, exports waiting for download no."""

from pathlib import Path
from typing import Any

from hoctap.core.backup import _media_files


def test_a_backup_leaves_out_exports_but_keeps_evidence(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path
    for name in ("evidence/2024/a.jpg", "exports/0b9e", "imports/x", "nested/exports/kept"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")

    names = sorted(name for name, _path in _media_files())

    assert names == [
        "media/evidence/2024/a.jpg",
        "media/imports/x",
        "media/nested/exports/kept",
    ]
