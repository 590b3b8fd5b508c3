"""The team's home page (its dashboard), for its staff, secretary and region admins."""

from django.urls import path

from dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("teams/<slug:slug>/", views.team_home, name="team"),
]
