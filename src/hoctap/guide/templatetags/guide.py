"""`{% guide_link "anchor" %}`: a page's small link to its own section of the user guide."""

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from hoctap.accounts.models import User
from hoctap.accounts.navigation import session_roles
from hoctap.guide.pages import section_url

register = template.Library()


@register.simple_tag(takes_context=True)
def guide_link(context: dict[str, Any], *anchors: str) -> SafeString:
    """Link to the first of `anchors` in the guide, on the reader's own role's page if it can."""
    request = context.get("request")
    user = getattr(request, "user", None)
    roles = (
        session_roles(request, user)
        if request is not None and isinstance(user, User) and user.is_authenticated
        else frozenset()
    )
    url = section_url(anchors, roles)
    if url is None:
        return SafeString("")
    return format_html('<p class="guide-link"><a href="{}">{}</a></p>', url, _("Guide"))
