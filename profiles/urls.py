"""The public profile (/p/<slug>/) with its 纠错 form, and the secretary's pages that edit
and publish it and resolve the 纠错 reports (under /teams/<slug>/)."""

from django.urls import path

from profiles import views

app_name = "profiles"
urlpatterns = [
    path("p/<slug:slug>/", views.profile, name="profile"),
    path("p/<slug:slug>/report/", views.report, name="report"),
    path("p/<slug:slug>/report/thanks/", views.report_thanks, name="report_thanks"),
    path("teams/<slug:slug>/profile/edit/", views.profile_edit, name="edit"),
    path("teams/<slug:slug>/profile/preview/", views.profile_preview, name="preview"),
    path("teams/<slug:slug>/profile/publish/", views.profile_publish, name="publish"),
    path("teams/<slug:slug>/reports/", views.report_list, name="reports"),
    path(
        "teams/<slug:slug>/reports/<int:pk>/resolve/",
        views.report_resolve,
        name="report_resolve",
    ),
]
