"""The printable guide: every role in one A4 PDF (WeasyPrint), built from the pages' source."""

from django.template.loader import render_to_string
from django.utils import translation

from hoctap.guide.pages import print_pages

DOCUMENT_LANGUAGE = "vi"


def guide_pdf() -> bytes:
    """Render the whole guide as an A4 PDF, one role per chapter, with its screenshots."""
    from weasyprint import HTML

    with translation.override(DOCUMENT_LANGUAGE):
        html = render_to_string("guide/print.html", {"pages": print_pages()})
    pdf: bytes = HTML(string=html, base_url=".").write_pdf()
    return pdf
