"""Certificates and recognition decisions as A4 PDFs (WeasyPrint, fonts that carry Vietnamese).

Both are documents of the association in Vietnamese, whatever the officer's page language.
"""

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import segno
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from hoctap.assessments.models import Period
from hoctap.organisation.models import Unit
from hoctap.recognition.models import Certificate
from hoctap.recognition.public import title_of
from hoctap.recognition.selectors import Decision
from hoctap.reports.figures import vi_number

DOCUMENT_LANGUAGE = "vi"


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML

    with translation.override(DOCUMENT_LANGUAGE):
        html = render_to_string(template, context)
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def qr_data_uri(link: str) -> str:
    """Return the QR code of a link as an SVG data URI, for an <img> in a document."""
    return str(segno.make(link, error="m").svg_data_uri(scale=4))


def certificates_pdf(
    certificates: Iterable[Certificate], verify_url: Callable[[Certificate], str]
) -> bytes:
    """Render certificates one per A4 page, each with the QR of its public verification link."""
    pages = []
    with translation.override(DOCUMENT_LANGUAGE):
        for c in certificates:
            a = c.assessment
            link = verify_url(c)
            pages.append(
                {
                    "certificate": c,
                    "name": a.citizen.full_name if a.citizen else "",
                    "birth_year": a.citizen.birth_year if a.citizen else "",
                    "title": title_of(c),
                    "body": a.decision_body or c.issuer.name,
                    "link": link,
                    "qr": qr_data_uri(link),
                }
            )
    return _pdf("recognition/certificates_print.html", {"pages": pages})


def _day_words(day: date | None) -> str:
    if day is None:
        return _("date … month … year …")
    return _("date %(d)02d month %(m)02d year %(y)d") % {
        "d": day.day,
        "m": day.month,
        "y": day.year,
    }


def decision_pdf(decision: Decision, *, period: Period, unit: Unit) -> bytes:
    """Render a recognition decision with its annexed list of the people recognised."""
    with translation.override(DOCUMENT_LANGUAGE):
        rows = []
        for n, a in enumerate(decision.assessments, start=1):
            group = a.scheme.parsed.group_for(a.group)
            rows.append(
                {
                    "n": n,
                    "name": a.citizen.full_name if a.citizen else "",
                    "birth_year": a.citizen.birth_year if a.citizen else "",
                    "unit": a.unit.name,
                    "group": group.label if group else a.group,
                    "total": vi_number(a.final_total) if a.final_total is not None else "",
                    "result": a.scheme.parsed.result_label(a.result),
                }
            )
        body = decision.body or _("Association for Promoting Education of %(u)s") % {"u": unit.name}
        context = {
            "decision": decision,
            "body": body,
            "period": period,
            "unit": unit,
            "year": decision.date.year if decision.date else period.code,
            "dated": _day_words(decision.date),
            "rows": rows,
        }
    return _pdf("recognition/decision_print.html", context)
