"""The guide as the app serves it (web addresses) and as it prints (one document, file paths)."""

import functools
from collections.abc import Sequence

from django.templatetags.static import static
from django.urls import reverse

from hoctap.accounts.models import Role
from hoctap.guide.content import INDEX, ROLES, Page, render, screenshots_dir, source_dir

# Whose page of the guide a signed-in user reads first; the others stay one click away.
PAGE_OF_ROLE = {
    Role.BRANCH_OFFICER: "chi-hoi",
    Role.COMMUNE_OFFICER: "xa",
    Role.AGENCY_HEAD: "xa",
    Role.DISTRICT_OFFICER: "huyen-tinh",
    Role.PROVINCE_OFFICER: "huyen-tinh",
    Role.ADMINISTRATOR: "huyen-tinh",
}
STATIC_PREFIX = "guide"


def _web_image(name: str) -> str:
    return static(f"{STATIC_PREFIX}/{name}")


def web_url(slug: str, anchor: str = "") -> str:
    """Return the address of a page of the guide, or of one of its sections."""
    url = reverse("guide:index") if slug == INDEX else reverse("guide:page", args=[slug])
    return f"{url}#{anchor}" if anchor else url


def web_page(slug: str) -> Page:
    """Render a page of the guide for the app (again only when its file has changed)."""
    return _web_page(slug, (source_dir() / f"{slug}.md").stat().st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _web_page(slug: str, changed: int) -> Page:
    return render(slug, image_url=_web_image, page_url=web_url)


def print_pages() -> list[Page]:
    """Render the index and every role's page for one printed document, anchors kept apart."""

    def image(name: str) -> str:
        return (screenshots_dir() / name).resolve().as_uri()

    def link(slug: str, anchor: str) -> str:
        return f"#{slug}-{anchor}" if anchor else f"#{slug}"

    return [
        render(slug, image_url=image, page_url=link, prefix=f"{slug}-") for slug in (INDEX, *ROLES)
    ]


def section_url(anchors: Sequence[str], roles: frozenset[str]) -> str | None:
    """Return the first of `anchors` found, on the page of one of `roles` before any other."""
    preferred = [PAGE_OF_ROLE[r] for r in PAGE_OF_ROLE if r in roles]
    for slug in dict.fromkeys([*preferred, *ROLES]):
        held = {s.anchor for s in web_page(slug).sections}
        for anchor in anchors:
            if anchor in held:
                return web_url(slug, anchor)
    return None
