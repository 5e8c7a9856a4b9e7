from django.urls import path

from hoctap.assessments import period_views

app_name = "periods"
urlpatterns = [
    path("", period_views.period_list_view, name="list"),
    path("<str:code>/", period_views.period_detail_view, name="detail"),
    path("<str:code>/close", period_views.period_close_view, name="close"),
]
