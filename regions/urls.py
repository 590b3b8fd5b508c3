"""The civilization office's pages, mounted at /regions/ (read-only, region admins only)."""

from django.urls import path

from regions import views

app_name = "regions"
urlpatterns = [
    path("", views.overview_page, name="overview"),
    path("export.xlsx", views.overview_export, name="export"),
    path("teams/<slug:slug>/", views.team_page, name="team"),
    path("compare/", views.compare_page, name="compare"),
    path("ranking/", views.ranking_page, name="ranking"),
]
