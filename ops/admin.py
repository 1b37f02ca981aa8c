"""The staff status page of background work: periodic jobs and task workers (Django admin, read-only)."""

from django.contrib import admin

from .models import PeriodicRun, WorkerHeartbeat


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PeriodicRun)
class PeriodicRunAdmin(ReadOnlyAdmin):
    list_display = ["key", "last_run_at", "last_status", "failures", "last_result_id"]
    list_filter = ["last_status"]
    ordering = ["-failures", "key"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(ReadOnlyAdmin):
    list_display = ["worker_id", "hostname", "pid", "started_at", "seen_at"]
    ordering = ["-seen_at"]
