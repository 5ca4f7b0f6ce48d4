from django.contrib import admin, messages

from .models import ApiToken, ProcessingLog
from .services import api_token_revoke, log_shown


class CaseworkAdmin(admin.ModelAdmin):
    """Calls, dwellings, referrals and plans in the admin: read, never written (the services
    write them, with their rules, the dashboards' counters and the processing log), and
    every record shown, in a list or on its own page, logged as consulted."""

    def get_actions(self, request):
        return {}

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None:
            self._log_read(request, changelist.result_list)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        original = (getattr(response, "context_data", None) or {}).get("original")
        if original is not None:
            self._log_read(request, [original])
        return response

    def _log_read(self, request, objects) -> None:
        log_shown(
            user=request.user,
            objects=objects,
            object_type=self.model._meta.model_name,
            justification="admin",
        )


@admin.register(ProcessingLog)
class ProcessingLogAdmin(admin.ModelAdmin):
    """Read-only: nobody adds, changes or deletes log entries, superusers included."""

    list_display = ("at", "username", "role", "operation", "object_type", "object_id", "recipient")
    list_filter = ("operation", "object_type", "at")
    search_fields = ("username", "object_id", "request_id")
    date_hierarchy = "at"
    readonly_fields = [f.name for f in ProcessingLog._meta.fields]

    def get_actions(self, request):
        return {}

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created with ``manage.py create_api_token`` (the key is shown once) and
    revoked here; rows are kept for the audit trail."""

    list_display = ("prefix", "name", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "name", "user__username")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    exclude = ("key_hash",)
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke selected tokens", permissions=["change"])
    def revoke(self, request, queryset):
        for token in queryset:
            api_token_revoke(token=token)
        self.message_user(request, f"{queryset.count()} token(s) revoked.", messages.SUCCESS)
