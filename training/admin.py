from django.contrib import admin

from .models import Attempt, Scenario


@admin.register(Scenario)
class ScenarioAdmin(admin.ModelAdmin):
    """Retire or correct a scenario; new ones are added on the Training pages, which
    check their answers against the engine."""

    list_display = ("title", "shipped", "created_by", "created_at")
    list_filter = ("shipped",)
    search_fields = ("title", "narrative")
    readonly_fields = ("facts", "created_by", "created_at")

    def has_add_permission(self, request):
        return False


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ("user", "scenario", "agency", "correct", "expected_rule_id", "created_at")
    list_filter = ("correct", "expected_rule_id")
    readonly_fields = [f.name for f in Attempt._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
