"""The user guide: its pages, the names it quotes, the printed PDF and the pages' links to it."""

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from django.utils.translation import trans_real
from pypdf import PdfReader

from hoctap.accounts.models import User
from hoctap.guide.content import INDEX, ROLES, UI_NAME, render, source, ui_names
from hoctap.guide.pages import web_page
from tests.conftest import client_for

LINK = re.compile(r'<p class="guide-link"><a href="(/guide/[a-z-]+/)#([a-z0-9-]+)">')
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")


def _catalogue_patterns() -> list[re.Pattern[str]]:
    """Every Vietnamese string of the site (Django's and ours), placeholders as wildcards."""
    texts = trans_real.translation("vi")._catalog.items()  # type: ignore[attr-defined]
    patterns = []
    for _key, text in texts:
        if not isinstance(text, str) or not text:
            continue
        words = " ".join(text.split())
        parts = re.split(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]+\}", words)
        patterns.append(re.compile(r"\S+?".join(re.escape(p) for p in parts)))
    return patterns


def _in_catalogue(name: str, patterns: list[re.Pattern[str]]) -> bool:
    return any(p.fullmatch(name) for p in patterns)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_page_opens_with_a_link_to_each_of_its_sections(role: str) -> None:
    page = web_page(role)
    response = Client().get(f"/guide/{role}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert len(page.sections) >= 4
    for section in page.sections:
        assert f'id="{section.anchor}"' in body
        assert f'href="#{section.anchor}"' in body


def test_the_index_names_every_role_and_the_printed_guide() -> None:
    body = Client().get("/guide/").content.decode()
    for role in ROLES:
        assert f'href="/guide/{role}/"' in body
    assert 'href="/guide/huong-dan.pdf"' in body


def test_an_unknown_role_has_no_page() -> None:
    assert Client().get("/guide/admin/").status_code == 404


@pytest.mark.parametrize("slug", [INDEX, *ROLES])
def test_every_name_the_guide_quotes_is_on_the_pages(slug: str) -> None:
    patterns = _catalogue_patterns()
    missing = [name for name in ui_names(slug) if not _in_catalogue(name, patterns)]
    assert missing == [], f"{slug}.md quotes names no page shows"


def test_a_renamed_button_would_be_caught() -> None:
    patterns = _catalogue_patterns()
    assert _in_catalogue("Chấp nhận điểm tự chấm và xác nhận đã xét", patterns)
    assert _in_catalogue("Lấy 8", patterns)
    assert not _in_catalogue("Chấp nhận tất cả và gửi đi", patterns)


@pytest.mark.parametrize("slug", [INDEX, *ROLES])
def test_every_screenshot_the_guide_shows_exists_and_is_served(slug: str) -> None:
    for path in IMAGE.findall(source(slug)):
        name = Path(path).name
        assert finders.find(f"guide/{name}"), f"{slug}.md shows {name}: no such screenshot"
    assert UI_NAME.search(web_page(slug).html) is None, "a quoted name was left unmarked"


def test_html_in_the_source_is_shown_as_text(settings: Any, tmp_path: Path) -> None:
    settings.HOCTAP_GUIDE_DIR = tmp_path
    (tmp_path / "thu.md").write_text(
        "# Thử {#thu}\n\n<script>alert(1)</script>\n\n[bấm](javascript:alert(1))\n",
        encoding="utf-8",
    )
    page = render("thu", image_url=str, page_url=lambda slug, anchor: "")
    assert "<script>" not in page.html
    assert "&lt;script&gt;" in page.html
    assert 'href="javascript' not in page.html
    assert 'id="thu"' in page.html


def _pdf_text(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


def test_the_printed_guide_is_a_pdf_with_every_role_in_vietnamese() -> None:
    response = Client().get("/guide/huong-dan.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    pages, text = _pdf_text(response.content)
    assert pages >= 5
    assert "Chấp nhận điểm tự chấm" in text
    for role in ROLES:
        assert web_page(role).title in text


def test_the_command_writes_the_same_guide(tmp_path: Path) -> None:
    output = tmp_path / "huong-dan.pdf"
    call_command("guide-pdf", "-o", str(output), stdout=io.StringIO())
    assert output.read_bytes().startswith(b"%PDF-")
    assert "Người dân tự đánh giá" in _pdf_text(output.read_bytes())[1]


def _section_linked(body: str) -> tuple[str, str]:
    found = LINK.search(body)
    assert found, "the page has no link to the guide"
    page_url, anchor = found.groups()
    guide = Client().get(page_url).content.decode()
    assert f'id="{anchor}"' in guide, f"{page_url} has no section #{anchor}"
    return page_url, anchor


@pytest.mark.django_db
def test_the_queue_links_to_the_branch_officers_own_section(branch_officer: User) -> None:
    body = client_for(branch_officer).get("/assessments/?period=2021-2022").content.decode()
    assert _section_linked(body) == ("/guide/chi-hoi/", "danh-sach")


@pytest.mark.django_db
def test_the_queue_links_a_commune_officer_to_the_communes_section(
    commune_officer: User,
) -> None:
    body = client_for(commune_officer).get("/assessments/?period=2021-2022").content.decode()
    assert _section_linked(body) == ("/guide/xa/", "danh-sach")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "anchor"),
    [
        ("/assessments/new?period=2021-2022", "ghi-danh"),
        ("/imports/", "nhap-excel"),
        ("/reports/summary?period=2020-2021&unit=03289", "bao-cao"),
        ("/recognition/?period=2020-2021&unit=03289", "cap-giay-chung-nhan"),
        ("/accounts/password/", "doi-mat-khau"),
        ("/periods/2021-2022/", "khoa-so"),
    ],
)
def test_each_main_page_links_to_its_section(url: str, anchor: str, commune_officer: User) -> None:
    body = client_for(commune_officer).get(url).content.decode()
    assert _section_linked(body)[1] == anchor


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "section"),
    [
        ("/accounts/login/", ("/guide/chi-hoi/", "dang-nhap")),
        ("/self/", ("/guide/cong-dan/", "mo-phieu")),
    ],
)
def test_pages_without_an_account_link_to_the_guide(url: str, section: tuple[str, str]) -> None:
    assert _section_linked(Client().get(url).content.decode()) == section


@pytest.mark.django_db
def test_the_field_app_links_to_field_work() -> None:
    body = Client().get("/field/").content.decode()
    assert 'href="/guide/chi-hoi/#thuc-dia"' in body
    assert 'id="thuc-dia"' in Client().get("/guide/chi-hoi/").content.decode()
