from django.urls import path

from hoctap.schemes import views

app_name = "schemes"
urlpatterns = [
    path("candidates/<str:period>/<str:code>/", views.candidates_view, name="candidates"),
]
