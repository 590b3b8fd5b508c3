"""The civilization office's pages, mounted at /regions/ (read-only, region admins only)."""

from django.urls import path

from teams import region_views

app_name = "regions"
urlpatterns = [
    path("", region_views.overview_page, name="overview"),
    path("export.xlsx", region_views.overview_export, name="export"),
    path("teams/<slug:slug>/", region_views.team_page, name="team"),
    path("compare/", region_views.compare_page, name="compare"),
    path("ranking/", region_views.ranking_page, name="ranking"),
]
