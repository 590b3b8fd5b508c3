from django.contrib import admin

from volunteer_site.models import AuditEntry, PasswordChangeRequired


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only, and for superusers only: the log must not be edited."""

    list_display = ["at", "username", "ip_address", "action", "outcome", "target"]
    list_filter = ["action", "outcome"]
    search_fields = ["username", "target", "ip_address"]
    date_hierarchy = "at"

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PasswordChangeRequired)
class PasswordChangeRequiredAdmin(admin.ModelAdmin):
    """Who must choose a new password at their next login (seed_demo flags the demo logins)."""

    list_display = ["user", "reason", "created_at"]
    list_filter = ["reason"]
    search_fields = ["user__username", "user__last_name", "user__first_name"]
    raw_id_fields = ["user"]
