"""Spreadsheet import and export of the roster (Issue 7)."""

from django.urls import path

from members import exports, import_views

app_name = "member_io"
prefix = "teams/<slug:slug>/members/"
urlpatterns = [
    path(f"{prefix}import/", import_views.member_import, name="import"),
    path(f"{prefix}import/template.xlsx", import_views.member_template, name="template"),
    path(f"{prefix}import/preview/", import_views.member_preview, name="preview"),
    path(f"{prefix}import/confirm/", import_views.member_confirm, name="confirm"),
    path(f"{prefix}export.xlsx", exports.roster_export, name="export"),
]
