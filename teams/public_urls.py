"""Public addresses, mounted at /p/: a team's profile and its 纠错 form."""

from django.urls import path

from teams import profile_views

app_name = "public"
urlpatterns = [
    path("<slug:slug>/", profile_views.profile, name="profile"),
    path("<slug:slug>/report/", profile_views.report, name="report"),
    path("<slug:slug>/report/thanks/", profile_views.report_thanks, name="report_thanks"),
]
