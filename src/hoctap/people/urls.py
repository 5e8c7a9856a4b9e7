from django.urls import path

from hoctap.people import privacy_views, views

app_name = "people"
urlpatterns = [
    path("", views.citizen_list_view, name="list"),
    path("<int:pk>/", views.citizen_detail_view, name="detail"),
    path("households/", views.household_list_view, name="households"),
    path("households/<int:pk>/", views.household_detail_view, name="household"),
    path("<int:pk>/consents", privacy_views.consent_give_view, name="consent_give"),
    path(
        "consents/<int:consent_id>/withdraw",
        privacy_views.consent_withdraw_view,
        name="consent_withdraw",
    ),
    path("<int:pk>/requests", privacy_views.request_record_view, name="request_record"),
    path("requests/", privacy_views.request_list_view, name="requests"),
    path(
        "requests/<int:request_id>/export",
        privacy_views.request_export_view,
        name="request_export",
    ),
    path("requests/<int:request_id>/erase", privacy_views.request_erase_view, name="request_erase"),
]
