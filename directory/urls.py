"""The site's front door: ``home`` (/), the public directory of teams for visitors, and
for signed-in users the way to their work. Not namespaced: every page links ``home``."""

from django.urls import path

from directory import views

urlpatterns = [
    path("", views.home, name="home"),
]
