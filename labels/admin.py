"""Staff edit the referential (draft versions only) and badge classes in the Django admin;
everything else follows the workflow services and is read-only here."""

from django.contrib import admin

from .models import Application, Assertion, Axis, BadgeClass, Criterion, Referential


class _DraftOnly:
    """Published and archived versions are frozen: applications were made under them."""

    def _referential_of(self, obj):
        return obj

    def has_change_permission(self, request, obj=None):
        ref = self._referential_of(obj) if obj is not None else None
        return super().has_change_permission(request, obj) and (ref is None or ref.is_editable)

    def has_delete_permission(self, request, obj=None):
        ref = self._referential_of(obj) if obj is not None else None
        return super().has_delete_permission(request, obj) and (ref is None or ref.is_editable)


class AxisInline(admin.TabularInline):
    model = Axis
    extra = 0

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.is_editable)

    has_add_permission = has_delete_permission = has_change_permission


@admin.register(Referential)
class ReferentialAdmin(_DraftOnly, admin.ModelAdmin):
    list_display = ["version", "title", "status", "published_at"]
    readonly_fields = ["status", "published_at"]
    inlines = [AxisInline]


@admin.register(Criterion)
class CriterionAdmin(_DraftOnly, admin.ModelAdmin):
    list_display = ["code", "title", "axis", "required", "scale_max"]
    list_filter = ["axis__referential"]
    list_select_related = ["axis__referential"]

    def _referential_of(self, obj):
        return obj.axis.referential

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "axis":
            kwargs["queryset"] = Axis.objects.filter(referential__status=Referential.Status.DRAFT).select_related("referential")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(BadgeClass)
class BadgeClassAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Application)
class ApplicationAdmin(admin.ModelAdmin):
    list_display = ["pk", "place", "state", "state_changed_at"]
    list_filter = ["state"]
    list_select_related = ["place"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Assertion)
class AssertionAdmin(admin.ModelAdmin):
    list_display = ["badge_class", "recipient_name", "issued_on", "revoked"]
    list_select_related = ["badge_class"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
