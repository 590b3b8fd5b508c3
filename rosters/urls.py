"""Duty groups and swaps under /teams/<slug>/, a planned activity's weekly roster under
/teams/<slug>/planned/<pk>/roster/, and the volunteer's roster under /me/roster/."""

from django.urls import path

from rosters import views

app_name = "rosters"
team = "teams/<slug:slug>/"
roster = team + "planned/<int:pk>/roster/"
urlpatterns = [
    path(team + "groups/", views.groups, name="groups"),
    path(team + "groups/<int:pk>/", views.group_edit, name="group_edit"),
    path(team + "groups/<int:pk>/delete/", views.group_delete, name="group_delete"),
    path(roster, views.week, name="week"),
    path(roster + "group/", views.put_group_on_duty, name="put_group"),
    path(roster + "member/", views.put_member_on_duty, name="put_member"),
    path(roster + "off/", views.take_off_duty, name="take_off"),
    path(roster + "rotate/", views.rotate, name="rotate"),
    path(team + "swaps/", views.swaps, name="swaps"),
    path(team + "swaps/<int:pk>/approve/", views.swap_approve, name="swap_approve"),
    path(team + "swaps/<int:pk>/reject/", views.swap_reject, name="swap_reject"),
    path("me/roster/", views.mine, name="mine"),
    path("me/roster/<int:pk>/swap/", views.swap_create, name="swap_create"),
    path("me/roster/swaps/<int:pk>/agree/", views.swap_agree, name="swap_agree"),
]
