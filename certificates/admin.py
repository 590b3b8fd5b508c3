from django.contrib import admin

from certificates.models import Certificate


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    """Read only: certificates are issued, refused and revoked by the team's secretary
    (certificates.services), so that numbers, figures and the audit log stay right."""

    list_display = ["number", "member_name", "team", "status", "issued_on", "total_hours"]
    list_filter = ["status", "year"]
    search_fields = ["number", "code", "member_name", "volunteer_number"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
