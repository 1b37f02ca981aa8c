"""Poll funding sources from cron: ``manage.py funding_poll [--source ID]``."""

from django.core.management.base import BaseCommand

from funding import services
from funding.models import Source


class Command(BaseCommand):
    help = "Collecte les sources d'appels à financement (toutes, ou --source ID)."

    def add_arguments(self, parser):
        parser.add_argument("--source", type=int, action="append", help="identifiant d'une source (répétable)")

    def handle(self, *args, **options):
        sources = Source.objects.filter(is_active=True).exclude(kind="manual")
        if options["source"]:
            sources = sources.filter(pk__in=options["source"])
        failed = 0
        for source in sources:
            result = services.source_poll(source=source)
            ok = source.last_polled_at == source.last_success_at
            failed += not ok
            line = f"{source.name}: {result.created} nouveau(x), {result.duplicates} déjà connu(s)"
            if not ok:
                self.stdout.write(self.style.ERROR(f"{line} — ÉCHEC : {source.last_error}"))
            elif result.errors:
                self.stdout.write(self.style.WARNING(f"{line}, {len(result.errors)} ignoré(s)"))
            else:
                self.stdout.write(self.style.SUCCESS(line))
        if failed:
            self.stderr.write(f"{failed} source(s) en échec")
