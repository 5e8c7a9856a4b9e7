from django.urls import path

from hoctap.transfer import views

app_name = "transfer"
urlpatterns = [
    path("citizens.<str:fmt>", views.citizens_export, name="citizens"),
    path("assessments.<str:fmt>", views.assessments_export, name="assessments"),
]
