from django.contrib import admin

from .models import Dwelling, ResponsePlan


@admin.register(Dwelling)
class DwellingAdmin(admin.ModelAdmin):
    list_display = ("key", "address", "postcode", "uprn", "match_method", "created_at")
    search_fields = ("key", "address", "postcode", "uprn")
    list_filter = ("match_method",)


@admin.register(ResponsePlan)
class ResponsePlanAdmin(admin.ModelAdmin):
    list_display = ("dwelling", "version", "author", "review_by", "created_at")
    raw_id_fields = ("dwelling",)
    readonly_fields = ("version",)
