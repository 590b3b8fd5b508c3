"""A volunteer's own record (/me/) and a member's record exported by the team."""

from django.urls import path

from records import exports, views

app_name = "records"
urlpatterns = [
    path("me/", views.my_record, name="mine"),
    path("teams/<slug:slug>/members/record/", exports.record_find, name="find"),
    path("teams/<slug:slug>/members/<int:pk>/record.xlsx", exports.record_export, name="export"),
]
