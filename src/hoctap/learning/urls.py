from django.urls import path

from hoctap.learning import manage_views, views

app_name = "learning"
urlpatterns = [
    path("", views.centre_list_view, name="centres"),
    path("centres/<int:pk>/", views.centre_detail_view, name="centre"),
    path("courses/<int:pk>/", views.course_detail_view, name="course"),
    path("sessions/<int:pk>/", views.sheet_view, name="sheet"),
    path("centres/new/", manage_views.centre_new_view, name="centre_new"),
    path("centres/<int:pk>/edit/", manage_views.centre_edit_view, name="centre_edit"),
    path("centres/<int:pk>/courses/new/", manage_views.course_new_view, name="course_new"),
    path("courses/<int:pk>/edit/", manage_views.course_edit_view, name="course_edit"),
    path("courses/<int:pk>/sessions/new/", manage_views.session_new_view, name="session_new"),
]
