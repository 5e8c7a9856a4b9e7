from django.urls import path

from hoctap.people import views

app_name = "people"
urlpatterns = [
    path("", views.citizen_list_view, name="list"),
    path("<int:pk>/", views.citizen_detail_view, name="detail"),
    path("households/", views.household_list_view, name="households"),
    path("households/<int:pk>/", views.household_detail_view, name="household"),
]
