from django.contrib import admin

from .models import AlertDelivery, CallInterest, FundingCall, PartnerSearch, Source, Watch


@admin.register(FundingCall)
class FundingCallAdmin(admin.ModelAdmin):
    list_display = ["title", "funders", "state", "deadline", "published_at"]
    list_filter = ["state", "kind", "scope"]
    search_fields = ["title", "funders"]
    raw_id_fields = ["commune", "created_by"]


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "auto_publish", "is_active", "last_success_at", "last_error_at"]


@admin.register(Watch)
class WatchAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "frequency", "email_confirmed_at", "cursor"]
    raw_id_fields = ["user"]


admin.site.register(AlertDelivery)
admin.site.register(CallInterest)
admin.site.register(PartnerSearch)
