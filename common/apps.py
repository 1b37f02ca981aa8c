from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = "Commun"

    def ready(self):
        from common import i18n, lookups

        i18n.install()
        lookups.install()
