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
