from django.urls import path

from hoctap.organisation import views

app_name = "units"
urlpatterns = [
    path("", views.unit_list_view, name="list"),
    path("<str:code>/", views.unit_detail_view, name="detail"),
]
