from django.contrib import admin

from signups.models import SignUp


@admin.register(SignUp)
class SignUpAdmin(admin.ModelAdmin):
    """To look at, not to change: who is on a list is decided in signups.services only
    (under the occurrence's lock), through the volunteers' and the staff's pages."""

    list_display = ["occurrence", "user", "status", "source", "requested_at", "reminded_at"]
    list_filter = ["status", "source"]
    search_fields = ["user__username", "user__member__name", "occurrence__planned_activity__title"]
    list_select_related = ["occurrence__planned_activity", "user"]
    raw_id_fields = ["occurrence", "user", "changed_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
