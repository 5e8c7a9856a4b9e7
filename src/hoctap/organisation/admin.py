from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from hoctap.organisation.models import Unit, UnitKind, UnitSuccession
from hoctap.organisation.services import unit_create


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin[Unit]):
    list_display = ["code", "name", "kind", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    readonly_fields = ["path", "depth"]

    def get_readonly_fields(self, request: HttpRequest, obj: Unit | None = None) -> Any:
        # A unit never moves: its path is fixed at creation and scoping relies on it.
        if obj is not None:
            return [*self.readonly_fields, "parent", "valid_from"]
        return self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Unit, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = unit_create(
            kind=UnitKind(obj.kind),
            code=obj.code,
            name=obj.name,
            parent=obj.parent,
            valid_from=obj.valid_from,
            valid_to=obj.valid_to,
            official_code=obj.official_code,
        )
        obj.pk, obj.path, obj.depth = created.pk, created.path, created.depth


admin.site.register(UnitSuccession)
