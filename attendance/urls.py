"""Checking in by code (/me/check-in/) and each occurrence's sheet under the team's
planned activities."""

from django.urls import path

from attendance import views

app_name = "attendance"
prefix = "teams/<slug:slug>/planned/occurrences/<int:pk>/attendance/"
urlpatterns = [
    path("me/check-in/", views.check_in, name="check_in"),
    path(prefix, views.sheet, name="sheet"),
    path(prefix + "print/", views.sheet_print, name="print"),
    path(prefix + "new-code/", views.new_code, name="new_code"),
    path(prefix + "mark/", views.mark, name="mark"),
    path(prefix + "unmark/", views.unmark, name="unmark"),
    path(prefix + "draft/", views.make_draft, name="draft"),
]
