"""The civilization office's pages, mounted at /regions/ (read-only, region admins only)."""

from django.urls import path

from regions import compare, ranking, views
from stars import views as stars_views

app_name = "regions"
urlpatterns = [
    path("", views.overview_page, name="overview"),
    path("export.xlsx", views.overview_export, name="export"),
    path("teams/<slug:slug>/", views.team_page, name="team"),
    path("compare/", compare.compare_page, name="compare"),
    path("compare/export.xlsx", compare.compare_export, name="compare_export"),
    path("ranking/", ranking.ranking_page, name="ranking"),
    path("ranking/export.xlsx", ranking.ranking_export, name="ranking_export"),
    # Star volunteers' thresholds (星级志愿者), per region of the admin's subtrees.
    path("stars/", stars_views.thresholds_list, name="stars"),
    path("stars/<int:pk>/", stars_views.thresholds_edit, name="stars_edit"),
]
