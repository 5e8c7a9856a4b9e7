"""Top-level URL map."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from hoctap.accounts import views as account_views
from hoctap.api.api import api

urlpatterns = [
    path("", account_views.home, name="home"),
    path(
        "accounts/login/",
        require_http_methods(["GET", "HEAD", "POST"])(
            auth_views.LoginView.as_view(redirect_authenticated_user=True)
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("hoctap.accounts.urls")),
    path("people/", include("hoctap.people.urls")),
    path("assessments/", include("hoctap.assessments.urls")),
    path("self/", include("hoctap.assessments.self_urls")),
    path("periods/", include("hoctap.assessments.period_urls")),
    path("units/", include("hoctap.organisation.urls")),
    path("reports/", include("hoctap.reports.urls")),
    path("exports/", include("hoctap.transfer.urls")),
    path("imports/", include("hoctap.transfer.import_urls")),
    path("field/", include("hoctap.field.urls")),
    path("learning/", include("hoctap.learning.urls")),
    path("recognition/", include("hoctap.recognition.urls")),
    path("verify/", include("hoctap.recognition.verify_urls")),
    path("schemes/", include("hoctap.schemes.urls")),
    path("guide/", include("hoctap.guide.urls")),
    path("api/v1/", api.urls),
    # Django's own view also answers GET with a redirect; changing language is a POST here.
    path("i18n/setlang/", require_POST(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]
