from django.urls import path

from teams import views

app_name = "teams"
urlpatterns = [
    path("", views.region_overview, name="region_overview"),
    path("<slug:slug>/", views.team_home, name="detail"),
]
