from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Commune, Department, Invitation, Organisation, OutboundEmail, Profile, Region, Skill, SkillCategory, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["email", "username", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "username", "first_name", "last_name"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "metier", "organisation", "department", "status", "in_directory"]
    list_filter = ["status", "metier", "department"]
    search_fields = ["display_name", "user__email"]
    raw_id_fields = ["user", "organisation", "commune"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "siret", "commune"]
    list_filter = ["type"]
    search_fields = ["name", "siret"]
    raw_id_fields = ["commune"]
    autocomplete_fields = ["managers"]


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["to_email", "subject", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to_email", "subject"]


@admin.register(SkillCategory)
class SkillCategoryAdmin(admin.ModelAdmin):
    """The référentiel's categories, in their display order."""

    list_display = ["name", "position"]
    list_editable = ["position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    """The skills référentiel, maintained by the hub's staff; free skills typed by members are
    listed too (filter "dans le référentiel") so staff can promote or rename them."""

    list_display = ["name", "category", "in_referential"]
    list_filter = ["in_referential", "category"]
    search_fields = ["name", "aliases"]
    fields = ["name", "slug", "in_referential", "category", "description", "aliases", "needs"]


admin.site.register([Region, Department, Commune, Invitation])
