from django.urls import path

from teams import profile_views, rules_views, views

app_name = "teams"
urlpatterns = [
    path("<slug:slug>/", views.team_home, name="detail"),
    path("<slug:slug>/rules/", rules_views.team_rules, name="rules"),
    path("<slug:slug>/profile/edit/", profile_views.profile_edit, name="profile_edit"),
    path("<slug:slug>/profile/publish/", profile_views.profile_publish, name="profile_publish"),
    path("<slug:slug>/reports/", profile_views.report_list, name="reports"),
    path(
        "<slug:slug>/reports/<int:pk>/resolve/",
        profile_views.report_resolve,
        name="report_resolve",
    ),
]
