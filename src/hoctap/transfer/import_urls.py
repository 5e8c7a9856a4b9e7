from django.urls import path

from hoctap.transfer import page_views

app_name = "imports"
urlpatterns = [
    path("", page_views.imports_view, name="index"),
    path("template.xlsx", page_views.template_view, name="template"),
    path("<uuid:job_id>/", page_views.import_detail, name="detail"),
    path("<uuid:job_id>/status", page_views.import_status, name="status"),
    path("<uuid:job_id>/confirm", page_views.import_confirm, name="confirm"),
]
