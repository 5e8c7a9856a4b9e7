from django.urls import path

from hoctap.transfer import views

app_name = "transfer"
urlpatterns = [
    path("citizens.<str:fmt>", views.citizens_export, name="citizens"),
    path("assessments.<str:fmt>", views.assessments_export, name="assessments"),
    path("jobs/<uuid:job_id>", views.job_detail, name="job"),
    path("jobs/<uuid:job_id>/status", views.job_status, name="job_status"),
    path("jobs/<uuid:job_id>/download", views.job_download, name="job_download"),
]
