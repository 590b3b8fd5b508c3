from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from teams.models import (
    ErrorReport,
    Region,
    RegionAdmin,
    ServiceCategory,
    Team,
    TeamCategory,
    TeamRole,
)


@admin.register(Region)
class RegionAdminPage(admin.ModelAdmin):
    list_display = ["name", "parent"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]
    autocomplete_fields = ["parent"]


class TeamCategoryInline(admin.TabularInline):
    model = TeamCategory
    extra = 0
    autocomplete_fields = ["category"]


class TeamRoleInline(admin.TabularInline):
    model = TeamRole
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "region", "host_unit", "founded_on", "is_published"]
    list_filter = ["is_published", ("region", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "host_unit", "slug"]
    autocomplete_fields = ["region", "lead_member"]
    inlines = [TeamCategoryInline, TeamRoleInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "region", "host_unit", "founded_on"]}),
        (
            _("Project lead"),
            {"fields": ["lead_member", "lead_name", "lead_title", "lead_consents_to_publication"]},
        ),
        (
            _("Public profile"),
            {
                "fields": [
                    "recommending_unit",
                    "main_deeds",
                    "is_published",
                    "published_on",
                    "publication_source",
                    "responsible_editor",
                ]
            },
        ),
        (
            _("Rules"),
            {"fields": ["min_activities_per_month", "min_participations_per_member_year"]},
        ),
    ]


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "team"]
    list_filter = [("team", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name"]


@admin.register(TeamRole)
class TeamRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "role"]
    list_filter = ["role", ("team", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username", "user__first_name", "user__last_name", "team__name"]
    autocomplete_fields = ["user", "team"]


@admin.register(RegionAdmin)
class RegionAdminRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "region"]
    list_filter = [("region", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username", "region__name"]
    autocomplete_fields = ["user", "region"]


@admin.register(ErrorReport)
class ErrorReportAdmin(admin.ModelAdmin):
    list_display = ["team", "created_at", "field", "contact", "resolved_at", "resolved_by"]
    list_filter = [
        ("resolved_at", admin.EmptyFieldListFilter),
        ("team", admin.RelatedOnlyFieldListFilter),
        "field",
    ]
    search_fields = ["description", "contact", "team__name"]
    date_hierarchy = "created_at"
    autocomplete_fields = ["team", "resolved_by"]
    # The hash only lets the rate limit count; it is of no use to a person.
    readonly_fields = ["created_at", "ip_hash"]
