from django.contrib import admin

from .models import ProcessingLog


@admin.register(ProcessingLog)
class ProcessingLogAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "role", "operation", "object_type", "object_id")
    list_filter = ("operation", "object_type", "role")
    search_fields = ("username", "object_id", "request_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
