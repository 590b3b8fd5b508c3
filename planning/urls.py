"""Planned activities, under /teams/<slug>/planned/."""

from django.urls import path

from planning import views

app_name = "planning"
prefix = "teams/<slug:slug>/planned/"
urlpatterns = [
    path(prefix, views.planned_list, name="list"),
    path(prefix + "new/", views.planned_create, name="create"),
    path(prefix + "<int:pk>/edit/", views.planned_edit, name="edit"),
    path(prefix + "<int:pk>/stop/", views.planned_stop, name="stop"),
    path(prefix + "<int:pk>/publish/", views.planned_republish, name="republish"),
    path(prefix + "occurrences/<int:pk>/cancel/", views.occurrence_cancel, name="cancel"),
]
