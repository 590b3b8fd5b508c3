"""The public application form and status page, and the secretary's queue (under /teams/)."""

from django.urls import path

from applications import views

app_name = "applications"
urlpatterns = [
    path("p/<slug:slug>/apply/", views.apply, name="apply"),
    path("p/<slug:slug>/apply/thanks/", views.thanks, name="thanks"),
    path("apply/status/<slug:token>/", views.status, name="status"),
    path("teams/<slug:slug>/applications/", views.queue, name="queue"),
    path("teams/<slug:slug>/applications/<int:pk>/approve/", views.approve, name="approve"),
    path("teams/<slug:slug>/applications/<int:pk>/reject/", views.reject, name="reject"),
]
