"""The release a service worker caches: a digest of every file the offline app is made of.

Any change to the app's scripts, styles, icons, shell template or translations gives a new
release, hence a new cache; the old one is dropped only once no open page uses it (the
browser keeps the old worker until then).
"""

import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

# Static files the app needs offline, relative to STATIC_URL.
STATIC_FILES = (
    "css/hoctap.css",
    "js/rules.js",
    "js/photos.js",
    "js/field-store.js",
    "js/field.js",
    "field/icon-192.png",
    "field/icon-512.png",
    "favicon.svg",
)
TEMPLATES = ("field/app.html", "field/sw.js")


@cache
def release_id() -> str:
    """Return a short digest of the offline app's files, stable while they do not change."""
    digest = hashlib.sha256()
    paths = [Path(str(finders.find(name))) for name in STATIC_FILES]
    paths += [Path(settings.BASE_DIR) / "templates" / name for name in TEMPLATES]
    paths += sorted(Path(settings.BASE_DIR).glob("locale/*/LC_MESSAGES/django.po"))
    for path in paths:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
