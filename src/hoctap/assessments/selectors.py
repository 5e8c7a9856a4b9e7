"""Reads of assessments, always through the reader's scope."""

from uuid import UUID

from django.db.models import QuerySet
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
