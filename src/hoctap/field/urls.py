from django.urls import path

from hoctap.field import views

app_name = "field"
urlpatterns = [
    path("", views.app, name="app"),
    path("sw.js", views.worker, name="worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("schemes/<slug:code>/<int:version>.json", views.scheme, name="scheme"),
    path("session", views.session, name="session"),
    path("pack", views.pack, name="pack"),
    path("token", views.token, name="token"),
]
