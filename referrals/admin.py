from django.contrib import admin

from core.admin import CaseworkAdmin

from .models import (
    DetectionRun,
    Referral,
    ReferralAction,
    ReferralEvent,
    ReferralNote,
    ReferralReview,
)


class ReadOnlyInline(admin.TabularInline):
    """History is written through the services (with its rules and the processing log)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class NoteInline(ReadOnlyInline):
    model = ReferralNote


class ActionInline(ReadOnlyInline):
    model = ReferralAction


class ReviewInline(ReadOnlyInline):
    model = ReferralReview


class EventInline(ReadOnlyInline):
    model = ReferralEvent


@admin.register(Referral)
class ReferralAdmin(CaseworkAdmin):
    list_display = ("id", "dwelling", "source", "status", "assignee", "review_due", "created_at")
    list_filter = ("status", "source")
    raw_id_fields = ("dwelling", "trigger_calls", "assignee", "created_by", "closed_by")
    readonly_fields = ("created_at", "last_activity_at", "flagged_inactive_at", "closed_at")
    inlines = [NoteInline, ActionInline, ReviewInline, EventInline]


@admin.register(DetectionRun)
class DetectionRunAdmin(admin.ModelAdmin):
    """The record of repeat-caller detection runs; written only by the runs themselves."""

    list_display = (
        "started_at",
        "trigger",
        "full_history",
        "status",
        "calls_scanned",
        "dwellings_found",
        "referrals_opened",
        "duration",
    )
    list_filter = ("status", "trigger", "full_history")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
