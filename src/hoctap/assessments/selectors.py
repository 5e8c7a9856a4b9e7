"""Reads of assessments, always through the reader's scope."""

from uuid import UUID

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from hoctap.accounts.models import User
from hoctap.accounts.scoping import Scope, scope_for
from hoctap.assessments.models import Assessment
from hoctap.core.errors import NotFound


def assessment_list(*, user: User, scope: Scope | None = None) -> QuerySet[Assessment]:
    """Return the assessments made in units within `user`'s scope."""
    scope = scope or scope_for(user)
    return scope.filter(Assessment.objects.all(), "unit").select_related(
        "period", "scheme", "unit", "citizen"
    )


def assessment_get(*, user: User, assessment_id: UUID, scope: Scope | None = None) -> Assessment:
    """Return one assessment in scope; NotFound for anything else, existing or not."""
    try:
        return assessment_list(user=user, scope=scope).get(pk=assessment_id)
    except (Assessment.DoesNotExist, ValueError):
        raise NotFound(_("No such assessment.")) from None


def assessment_state_counts(
    *, user: User, period_code: str, scope: Scope | None = None
) -> dict[str, int]:
    """Count the assessments of a period in `user`'s scope by state, in one query."""
    rows = (
        assessment_list(user=user, scope=scope)
        .filter(period__code=period_code)
        .values("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["state"]: r["n"] for r in rows}
