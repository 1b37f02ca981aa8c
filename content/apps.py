from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from common.registry import registry


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = _("Contenus du site")

    def ready(self) -> None:
        # Imported here, not at module level: these modules import models, which Django only
        # allows once the app registry is ready.
        from .demo import load_content_demo
        from .personal_data import erase_content, export_content

        registry.notification_kind("content.resource", _("Ressourcerie : ressources proposées, publiées, signalées"), "instant")
        registry.data_exporter("content", export_content)
        registry.account_eraser("content", erase_content)
        registry.demo_loader("content", load_content_demo, order=500)
