"""Send funding alerts from cron: ``manage.py funding_alerts instant|daily|weekly``."""

from django.core.management.base import BaseCommand

from funding import services


class Command(BaseCommand):
    help = "Envoie les alertes de financement (instant, daily ou weekly) et les rappels d'échéance."

    def add_arguments(self, parser):
        parser.add_argument("frequency", choices=["instant", "daily", "weekly", "reminders"])

    def handle(self, *args, frequency, **options):
        if frequency == "reminders":
            services.calls_close_expired()
            self.stdout.write(f"{services.reminders_send()} rappel(s) envoyé(s)")
            return
        run = services.alerts_run(frequencies=[frequency])
        self.stdout.write(f"{run.watches} alerte(s) examinée(s), {run.alerts} envoi(s), dont {run.emails} e-mail(s)")
