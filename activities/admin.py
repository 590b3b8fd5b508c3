from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from activities.models import Activity, Participation


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ["member"]


@admin.register(Activity)
class ActivityAdmin(SimpleHistoryAdmin):
    list_display = [
        "title",
        "team",
        "category",
        "start_date",
        "end_date",
        "hours",
        "status",
        "is_late",
    ]
    list_filter = [
        "status",
        "is_late",
        ("team", admin.RelatedOnlyFieldListFilter),
        ("category", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["title", "place", "organiser"]
    date_hierarchy = "start_date"
    autocomplete_fields = ["team", "category", "created_by", "approved_by"]
    list_select_related = ["team", "category"]
    inlines = [ParticipationInline]


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin):
    list_display = ["member", "activity", "hours", "role"]
    list_filter = ["role", ("activity__team", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["member__name", "member__volunteer_number", "activity__title"]
    autocomplete_fields = ["activity", "member"]
    list_select_related = ["member", "activity"]
