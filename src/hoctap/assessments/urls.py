from django.urls import path

from hoctap.assessments import citizen_views, enrol_views, queue_views, views

app_name = "assessments"
urlpatterns = [
    path("", queue_views.queue_view, name="queue"),
    path("new", enrol_views.enrol_view, name="enrol"),
    path("decide", queue_views.bulk_decide_view, name="bulk_decide"),
    path("evidence/<uuid:evidence_id>", views.evidence_file_view, name="evidence_file"),
    path("<uuid:assessment_id>/", views.detail_view, name="detail"),
    path("<uuid:assessment_id>/preview", views.preview_view, name="preview"),
    path("<uuid:assessment_id>/scores", views.scores_view, name="scores"),
    path("<uuid:assessment_id>/act", views.act_view, name="act"),
    path("<uuid:assessment_id>/evidence", views.evidence_view, name="evidence"),
    path("<uuid:assessment_id>/access", citizen_views.access_code_view, name="access_code"),
]
