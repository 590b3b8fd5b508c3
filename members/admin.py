from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from members.models import Member


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin):
    list_display = [
        "volunteer_number",
        "name",
        "team",
        "cadre_rank",
        "is_party_member",
        "registered_on",
        "left_on",
    ]
    list_filter = [
        "is_party_member",
        "cadre_rank",
        "gender",
        ("team", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "volunteer_number", "phone"]
    autocomplete_fields = ["team", "user"]
    date_hierarchy = "registered_on"
    list_select_related = ["team"]
