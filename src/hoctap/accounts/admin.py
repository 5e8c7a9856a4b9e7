from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from hoctap.accounts.models import RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline[RoleAssignment, User]):
    model = RoleAssignment
    raw_id_fields = ["unit"]
    extra = 0


@admin.register(User)
class HoctapUserAdmin(UserAdmin[User]):
    inlines = [RoleAssignmentInline]
