from django.contrib import admin

from hoctap.people.models import Citizen, Consent, Ethnicity, Household


@admin.register(Citizen)
class CitizenAdmin(admin.ModelAdmin[Citizen]):
    list_display = ["full_name", "birth_year", "sex", "ethnicity", "home_unit"]
    search_fields = ["search_name"]
    raw_id_fields = ["household", "home_unit", "workplace"]


admin.site.register(Ethnicity)
admin.site.register(Household)
admin.site.register(Consent)
