from django.contrib import admin

from .models import ConsolidationRun


@admin.register(ConsolidationRun)
class ConsolidationRunAdmin(admin.ModelAdmin):
    """Runs of the nightly consolidation, read here. Merges and pairs are decided on the
    team's pages (their services keep the log and the moved rows), never edited here."""

    list_display = ("started_at", "trigger", "status", "dwellings_considered", "merged", "queued")
    list_filter = ("status", "trigger")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
