from django.contrib import admin

from .models import Referral


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    list_display = ("id", "dwelling", "source", "status", "assignee", "review_due", "created_at")
    list_filter = ("status", "source")
    raw_id_fields = ("dwelling", "trigger_calls")
