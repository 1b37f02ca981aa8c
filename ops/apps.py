from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operations: the periodic-job scheduler and its record. Every domain app registers its
    jobs here; ``ops`` knows none of them (it sits just above ``common``)."""

    name = "ops"
    verbose_name = _("Exploitation")

    def ready(self):
        # Importing the module registers its system checks (Django finds checks only this way).
        from . import checks  # noqa: F401
        from .scheduler import periodic
        from .tasks import task_results_prune_task

        periodic("ops.task_results_prune", task_results_prune_task, timedelta(hours=6))
