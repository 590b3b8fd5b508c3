"""The real URLs, plus a trivial view (the baseline) and the profile computed on the fly."""

from django.urls import include, path

from bench import views

urlpatterns = [
    path("bench/ping/", views.ping, name="bench-ping"),
    path("bench/empty-page/", views.empty_page, name="bench-empty-page"),
    path("bench/profile-live/<slug:slug>/", views.profile_live, name="bench-profile-live"),
    path("", include("volunteer_site.urls")),
]
