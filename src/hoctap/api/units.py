"""GET /api/v1/units/{code}: a unit valid on a date, with its direct children."""

from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router

from hoctap.accounts.scoping import scope_for
from hoctap.api.api import api_user
from hoctap.api.schemas import Message, UnitBrief, UnitOut
from hoctap.core.errors import NotFound
from hoctap.organisation.models import Unit
from hoctap.organisation.selectors import unit_children

router = Router(tags=["units"])


@router.get("/units/{code}", response={200: UnitOut, 404: Message})
def unit_detail(request: HttpRequest, code: str, date: date | None = None) -> UnitOut:
    """Return the unit carrying `code` on `date` (today by default) if it lies in scope."""
    day = date or timezone.localdate()
    unit = Unit.objects.valid_on(day).filter(code=code).select_related("parent").first()
    if unit is None or not scope_for(api_user(request)).covers_path(unit.path):
        raise NotFound(_("No such unit."))
    return UnitOut(
        code=unit.code,
        name=unit.name,
        kind=unit.kind,
        valid_from=unit.valid_from,
        valid_to=unit.valid_to,
        parent=unit.parent.code if unit.parent else None,
        children=[
            UnitBrief(code=c.code, name=c.name, kind=c.kind)
            for c in unit_children(unit=unit, on=day)
        ],
    )
