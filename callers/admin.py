from django.contrib import admin

from core.admin import CaseworkAdmin

from .models import Dwelling, GazetteerAddress, ResponsePlan


@admin.register(Dwelling)
class DwellingAdmin(CaseworkAdmin):
    list_display = ("key", "address", "postcode", "uprn", "match_method", "created_at")
    search_fields = ("key", "address", "postcode", "uprn")
    list_filter = ("match_method",)


@admin.register(ResponsePlan)
class ResponsePlanAdmin(CaseworkAdmin):
    list_display = ("dwelling", "version", "author", "review_by", "created_at")
    raw_id_fields = ("dwelling",)
    readonly_fields = ("version",)


@admin.register(GazetteerAddress)
class GazetteerAddressAdmin(admin.ModelAdmin):
    """Loaded by ``manage.py import_gazetteer``; read here, not edited."""

    list_display = ("uprn", "address", "key", "updated_at")
    search_fields = ("uprn", "key", "street", "postcode")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
