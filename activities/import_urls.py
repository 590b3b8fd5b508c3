"""Spreadsheet import of past activities and export of the activity list (Issue 7)."""

from django.urls import path

from activities import import_views, list_export

app_name = "activity_io"
prefix = "teams/<slug:slug>/activities/"
urlpatterns = [
    path(f"{prefix}import/", import_views.activity_import, name="import"),
    path(f"{prefix}import/template.xlsx", import_views.activity_template, name="template"),
    path(f"{prefix}import/preview/", import_views.activity_preview, name="preview"),
    path(f"{prefix}import/confirm/", import_views.activity_confirm, name="confirm"),
    path(f"{prefix}export.xlsx", list_export.activity_list_export, name="export"),
]
