"""The guide's pages: open to anyone, since they hold no personal data (ADR 0033)."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from hoctap.guide.content import INDEX, ROLES
from hoctap.guide.documents import guide_pdf
from hoctap.guide.pages import web_page, web_url


@require_safe
def guide_index(request: HttpRequest) -> HttpResponse:
    """Show the guide's opening page and one link per role."""
    roles = [(web_page(slug), web_url(slug)) for slug in ROLES]
    return render(request, "guide/index.html", {"page": web_page(INDEX), "roles": roles})


@require_safe
def guide_page(request: HttpRequest, role: str) -> HttpResponse:
    """Show one role's guide, a table of its sections first."""
    if role not in ROLES:
        raise Http404
    return render(request, "guide/page.html", {"page": web_page(role)})


@require_safe
def guide_document(request: HttpRequest) -> HttpResponse:
    """Send the printable guide of every role as one PDF."""
    response = HttpResponse(guide_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="huong-dan.pdf"'
    return response
