from django.urls import path

from hoctap.learning import views

app_name = "learning"
urlpatterns = [
    path("", views.centre_list_view, name="centres"),
    path("centres/<int:pk>/", views.centre_detail_view, name="centre"),
    path("courses/<int:pk>/", views.course_detail_view, name="course"),
    path("sessions/<int:pk>/", views.sheet_view, name="sheet"),
]
