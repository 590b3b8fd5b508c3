from django.contrib import admin

from applications.models import Application


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["team", "name", "status", "created_at", "decided_at", "erased_at"]
    list_filter = ["status", "team"]
    search_fields = ["name", "phone"]
    # Decisions go through the secretary's queue (with their checks and audit).
    readonly_fields = [
        "status",
        "reject_reason",
        "decided_by",
        "decided_at",
        "member",
        "created_at",
        "erased_at",
    ]
