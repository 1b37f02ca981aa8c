"""What the scheduler remembers between runs."""

from django.db import models


class PeriodicRun(models.Model):
    """When each periodic job last ran, so several schedulers never run one twice."""

    key = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.key
