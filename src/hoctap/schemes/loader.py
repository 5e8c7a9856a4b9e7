"""Reading scheme files and storing them as versions."""

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from hoctap.schemes.definition import definition_problems
from hoctap.schemes.models import Scheme


class _LineDict(dict[str, Any]):
    """A mapping that remembers where it and each of its keys stood in the file."""

    line: int
    key_lines: dict[str, int]


class _LineLoader(yaml.SafeLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _LineDict:
    mapping = _LineDict({str(k): v for k, v in loader.construct_mapping(node, deep=True).items()})
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {str(k.value): k.start_mark.line + 1 for k, _v in node.value}
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


@dataclass(frozen=True)
class LoadResult:
    scheme: Scheme
    outcome: str  # "created", "updated", "unchanged" or "new_version"


def scheme_parse(text: str, *, name: str) -> dict[str, Any]:
    """Parse and check a scheme file; raise ValidationError listing every problem with its line."""
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else "?"
        raise ValidationError(
            _("%(name)s, line %(line)s: not valid YAML (%(reason)s)")
            % {"name": name, "line": line, "reason": getattr(exc, "problem", exc)}
        ) from None
    problems = definition_problems(data)
    if problems:
        raise ValidationError(
            [
                _("%(name)s, line %(line)s: %(reason)s")
                % {"name": name, "line": p.line or "?", "reason": p.message}
                for p in problems
            ]
        )
    # A JSON round trip drops the line bookkeeping and normalises numbers for hashing; a
    # YAML date in a free field (`issued: 2022-07-28`) is kept as it was written.
    plain: dict[str, Any] = json.loads(json.dumps(data, ensure_ascii=False, default=str))
    return plain


def _content_hash(definition: dict[str, Any]) -> str:
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def scheme_store(*, definition: dict[str, Any]) -> LoadResult:
    """Store a checked definition: unchanged, updated while unused, or as a new version."""
    digest = _content_hash(definition)
    fields = {
        "title": definition["title"],
        "status": definition["status"],
        "subject_type": definition["subject"],
        "definition": definition,
        "content_hash": digest,
    }
    code = definition["code"]
    latest = Scheme.objects.select_for_update().filter(code=code).order_by("-version").first()
    if latest is None:
        return LoadResult(Scheme.objects.create(code=code, version=1, **fields), "created")
    if latest.content_hash == digest:
        return LoadResult(latest, "unchanged")
    # A version anything was decided under stays as it was: citizens' assessments, and the
    # sibling titles' entries (hoctap.recognition), which point at their scheme the same way.
    if not latest.assessments.exists() and not latest.title_entries.exists():
        Scheme.objects.filter(pk=latest.pk).update(**fields)
        latest.refresh_from_db()
        return LoadResult(latest, "updated")
    created = Scheme.objects.create(code=code, version=latest.version + 1, **fields)
    return LoadResult(created, "new_version")


def scheme_load_file(path: Path) -> LoadResult:
    """Parse, check and store one scheme file."""
    return scheme_store(definition=scheme_parse(path.read_text(encoding="utf-8"), name=path.name))


def shipped_scheme_files() -> list[Path]:
    return sorted(Path(settings.HOCTAP_SCHEMES_DIR).glob("*.yaml"))


def schemes_load_shipped(**_kwargs: Any) -> list[LoadResult]:
    """Load every shipped scheme file (run after every migrate)."""
    return [scheme_load_file(path) for path in shipped_scheme_files()]


def scheme_latest(code: str) -> Scheme:
    """Return the newest version of a scheme, or raise ValidationError in Vietnamese."""
    scheme = Scheme.objects.filter(code=code).order_by("-version").first()
    if scheme is None:
        known = ", ".join(sorted(set(Scheme.objects.values_list("code", flat=True))))
        raise ValidationError(
            _("No scheme has code %(code)s. Known schemes: %(known)s")
            % {"code": code, "known": known or "—"}
        )
    return scheme
