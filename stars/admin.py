from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from stars.models import MemberStar, StarNotification, StarThresholds


@admin.register(StarThresholds)
class StarThresholdsAdmin(SimpleHistoryAdmin):
    list_display = ["region", "level_1", "level_2", "level_3", "level_4", "level_5", "updated_at"]
    raw_id_fields = ["region", "updated_by"]


@admin.register(MemberStar)
class MemberStarAdmin(admin.ModelAdmin):
    """Written only by the recompute: read here, never edited."""

    list_display = ["member", "team", "hours", "level", "next_at"]
    list_filter = ["level"]
    raw_id_fields = ["member", "team"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(StarNotification)
class StarNotificationAdmin(admin.ModelAdmin):
    list_display = ["member", "level", "reached_at", "volunteer_mailed_at", "secretary_mailed_at"]
    raw_id_fields = ["member"]
