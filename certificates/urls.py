from django.urls import path

from certificates import views

app_name = "certificates"
urlpatterns = [
    path("me/certificates/", views.mine, name="mine"),
    path("me/certificates/<int:pk>.pdf", views.my_pdf, name="my_pdf"),
    path("teams/<slug:slug>/certificates/", views.register, name="register"),
    path("teams/<slug:slug>/certificates.xlsx", views.register_export, name="export"),
    path("teams/<slug:slug>/certificates/new/", views.issue, name="issue"),
    path("teams/<slug:slug>/certificates/<int:pk>.pdf", views.register_pdf, name="pdf"),
    path("teams/<slug:slug>/certificates/<int:pk>/issue/", views.approve, name="approve"),
    path("teams/<slug:slug>/certificates/<int:pk>/refuse/", views.refuse, name="refuse"),
    path("teams/<slug:slug>/certificates/<int:pk>/revoke/", views.revoke, name="revoke"),
    path("v/", views.verify_form, name="verify_form"),
    path("v/<str:code>/", views.verify, name="verify"),
]
