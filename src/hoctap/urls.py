"""Top-level URL map."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from hoctap.accounts import views as account_views
from hoctap.api.api import api

urlpatterns = [
    path("", account_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("people/", include("hoctap.people.urls")),
    path("assessments/", include("hoctap.assessments.urls")),
    path("self/", include("hoctap.assessments.self_urls")),
    path("periods/", include("hoctap.assessments.period_urls")),
    path("units/", include("hoctap.organisation.urls")),
    path("reports/", include("hoctap.reports.urls")),
    path("exports/", include("hoctap.transfer.urls")),
    path("imports/", include("hoctap.transfer.import_urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
