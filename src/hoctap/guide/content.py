"""The user guide's Markdown files (docs/guide/vi) turned into safe HTML, one page per role.

The source may hold no HTML: markdown-it-py escapes any it finds (`html: False`), and links go
through its own check of the scheme (no `javascript:`). A heading ends with `{#anchor}` to fix
the anchor that pages of the app link to; «Button name» marks the name of a button or link as
the page shows it (tests check each against the catalogue).
"""

import functools
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils.text import slugify
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from hoctap.core.text import fold

# The role pages, in the order the index and the PDF show them.
ROLES = ("chi-hoi", "xa", "huyen-tinh", "cong-dan")
INDEX = "index"

_ANCHOR = re.compile(r"\s*\{#([a-z0-9-]+)\}\s*$")
UI_NAME = re.compile(r"«([^»<]+)»")


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    html: str
    sections: tuple[Section, ...]
    # The page without its title, for a page of the app that puts its table of contents between.
    body: str


def source_dir() -> Path:
    return Path(settings.HOCTAP_GUIDE_DIR)


def screenshots_dir() -> Path:
    return Path(settings.HOCTAP_GUIDE_SCREENSHOTS_DIR)


def source(slug: str) -> str:
    """Return the Markdown text of one page of the guide."""
    return (source_dir() / f"{slug}.md").read_text(encoding="utf-8")


def _anchors(state: Any) -> None:
    """Give every heading an id: the `{#anchor}` written after it, else a slug of its words."""
    tokens: list[Token] = state.tokens
    for opening, inline in itertools.pairwise(tokens):
        if opening.type != "heading_open" or inline.type != "inline":
            continue
        found = _ANCHOR.search(inline.content)
        if found:
            inline.content = inline.content[: found.start()]
            last = inline.children[-1] if inline.children else None
            if last is not None and last.type == "text":
                last.content = _ANCHOR.sub("", last.content)
            anchor = found.group(1)
        else:
            anchor = slugify(fold(inline.content))
        opening.attrSet("id", f"{state.env.get('prefix', '')}{anchor}")


def _html(content: str) -> Token:
    token = Token("html_block", "", 0)
    token.content = content
    return token


def _sections(state: Any) -> None:
    """Wrap each h2 and what follows it in a <section>, so print keeps a task on one page."""
    tokens: list[Token] = []
    open_section = False
    for token in state.tokens:
        if token.type == "heading_open" and token.tag == "h2":
            tokens.append(_html("</section>\n" if open_section else ""))
            tokens.append(_html('<section class="task">\n'))
            open_section = True
        tokens.append(token)
    if open_section:
        tokens.append(_html("</section>\n"))
    state.tokens = [t for t in tokens if t.type != "html_block" or t.content]


def _image(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Point an image at a screenshot wherever it is served; drop one that does not exist."""
    token = tokens[idx]
    name = Path(str(token.attrGet("src") or "")).name
    if not (screenshots_dir() / name).is_file():
        return ""
    token.attrSet("src", env["image_url"](name))
    token.attrSet("loading", "lazy")
    return RendererHTML.image(self, tokens, idx, options, env)


def _link(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """Turn a link within the guide (`xa.md#anchor`, `#anchor`) into where that section is."""
    token = tokens[idx]
    href = str(token.attrGet("href") or "")
    page, _, anchor = href.partition("#")
    if page.endswith(".md") and "/" not in page:
        token.attrSet("href", env["page_url"](page.removesuffix(".md"), anchor))
    elif not page and anchor:
        token.attrSet("href", env["page_url"](env["slug"], anchor))
    return self.renderToken(tokens, idx, options, env)


@functools.cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
    md.core.ruler.push("guide_anchors", _anchors)
    # Our own markup, added after parsing: the `html: False` option keeps the source's out.
    md.core.ruler.push("guide_sections", _sections)
    md.add_render_rule("image", _image)
    md.add_render_rule("link_open", _link)
    return md


def _mark_ui_names(html: str) -> str:
    # The rendered text is escaped already and the pattern takes no "<": the wrap stays safe.
    return UI_NAME.sub(r'<b class="ui">\1</b>', html)


def render(
    slug: str,
    *,
    image_url: Callable[[str], str],
    page_url: Callable[[str, str], str],
    prefix: str = "",
) -> Page:
    """Render one page of the guide; `prefix` goes before every anchor (the PDF holds all)."""
    md = _parser()
    env: dict[str, Any] = {
        "slug": slug,
        "image_url": image_url,
        "page_url": page_url,
        "prefix": prefix,
    }
    tokens = md.parse(source(slug), env)
    title = ""
    sections: list[Section] = []
    for opening, inline in itertools.pairwise(tokens):
        if opening.type != "heading_open":
            continue
        text = " ".join(UI_NAME.sub(r"\1", inline.content).split())
        if opening.tag == "h1" and not title:
            title = text
        elif opening.tag == "h2":
            sections.append(Section(str(opening.attrGet("id")), text))
    html = md.renderer.render(tokens, md.options, env)
    first = next(
        (n for n, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h1"), -1
    )
    rest = tokens[:first] + tokens[first + 3 :] if first >= 0 else tokens
    body = md.renderer.render(rest, md.options, env)
    return Page(slug, title, _mark_ui_names(html), tuple(sections), _mark_ui_names(body))


def ui_names(slug: str) -> list[str]:
    """Return every «button name» a page of the guide quotes."""
    return [" ".join(name.split()) for name in UI_NAME.findall(source(slug))]
