"""What the scheduler and the task workers remember between runs."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeriodicRun(models.Model):
    """When each periodic job last ran, so several schedulers never run one twice; the task
    result of the last run and how many runs failed in a row, for retries with backoff and for
    the staff status page (Django admin)."""

    key = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField(_("dernier lancement"), null=True, blank=True)
    last_result_id = models.CharField(_("dernière tâche"), max_length=64, blank=True)
    last_status = models.CharField(_("dernier état"), max_length=16, blank=True)
    failures = models.PositiveIntegerField(_("échecs consécutifs"), default=0)

    class Meta:
        verbose_name = _("tâche périodique")
        verbose_name_plural = _("tâches périodiques")

    def __str__(self) -> str:
        return self.key


class WorkerHeartbeat(models.Model):
    """A task worker's proof of life, written every few seconds by ``manage.py task_worker``. A
    task RUNNING on a worker whose heartbeat is older than the lease is given back to the queue
    (or failed) by the reaper; ``/readyz`` wants at least one recent heartbeat."""

    worker_id = models.CharField(_("identifiant"), max_length=64, unique=True)
    hostname = models.CharField(_("machine"), max_length=255, blank=True)
    pid = models.PositiveIntegerField(_("processus"), default=0)
    started_at = models.DateTimeField(_("démarré le"))
    seen_at = models.DateTimeField(_("vu le"), db_index=True)

    class Meta:
        verbose_name = _("worker de tâches")
        verbose_name_plural = _("workers de tâches")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.hostname}:{self.pid})"
