from django.urls import path

from members import views

app_name = "members"
urlpatterns = [
    # The roster (花名册) of one team.
    path("teams/<slug:slug>/members/", views.member_list, name="list"),
    path("teams/<slug:slug>/members/add/", views.member_create, name="create"),
    path("teams/<slug:slug>/members/<int:pk>/edit/", views.member_update, name="update"),
    path("teams/<slug:slug>/members/<int:pk>/leave/", views.member_leave, name="leave"),
    path("teams/<slug:slug>/members/<int:pk>/rejoin/", views.member_rejoin, name="rejoin"),
]
