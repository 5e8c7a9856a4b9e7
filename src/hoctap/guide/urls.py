from django.urls import path

from hoctap.guide import views

app_name = "guide"
urlpatterns = [
    path("", views.guide_index, name="index"),
    path("huong-dan.pdf", views.guide_document, name="pdf"),
    path("<slug:role>/", views.guide_page, name="page"),
]
