from django.contrib import admin

from core.admin import CaseworkAdmin

from .models import Call, Decision, RuleSet


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin):
    list_display = ("version", "name", "status", "created_at", "published_at")
    list_filter = ("status",)
    readonly_fields = ("document",)


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in Decision._meta.fields]


@admin.register(Call)
class CallAdmin(CaseworkAdmin):
    list_display = ("id", "received_at", "channel", "concern_type", "rule_id", "final_agency")
    list_filter = ("channel", "concern_type", "overridden")
    date_hierarchy = "received_at"
    raw_id_fields = ("dwelling", "handler")
    inlines = [DecisionInline]
