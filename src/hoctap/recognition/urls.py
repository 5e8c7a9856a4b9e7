from django.urls import path

from hoctap.recognition import title_views, views

app_name = "recognition"
urlpatterns = [
    path("", views.index_view, name="index"),
    path("issue", views.issue_all_view, name="issue_all"),
    path("certificates.pdf", views.certificates_pdf_view, name="certificates_pdf"),
    path("decision.pdf", views.decision_pdf_view, name="decision_pdf"),
    path("assessments/<uuid:assessment_id>/issue", views.issue_view, name="issue"),
    path(
        "certificates/<int:certificate_id>.pdf", views.certificate_pdf_view, name="certificate_pdf"
    ),
    path("certificates/<int:certificate_id>/revoke", views.revoke_view, name="revoke"),
    path("titles/", title_views.titles_view, name="titles"),
    path("titles/register", title_views.title_register_view, name="title_register"),
    path("titles/<int:pk>/decide", title_views.title_decide_view, name="title_decide"),
]
