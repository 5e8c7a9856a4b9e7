from django.urls import path

from hoctap.recognition import verify_views

app_name = "verify"
urlpatterns = [
    path("<str:token>", verify_views.verify_view, name="certificate"),
]
