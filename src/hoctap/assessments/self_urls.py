"""Citizen self-service: no account, an access code instead."""

from django.urls import path

from hoctap.assessments import citizen_views as views

app_name = "self_service"
urlpatterns = [
    path("", views.enter_view, name="enter"),
    path("assessment", views.assessment_view, name="assessment"),
    path("assessment/preview", views.preview_view, name="preview"),
    path("assessment/scores", views.scores_view, name="scores"),
    path("assessment/act", views.act_view, name="act"),
    path("assessment/evidence", views.evidence_view, name="evidence"),
    path("leave", views.leave_view, name="leave"),
    path("<str:code>", views.open_view, name="open"),
]
