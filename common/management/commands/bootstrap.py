"""Everything ``make run`` needs before starting, in one process (fast on the second run)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile translations, apply migrations and load the demo data (each step skips what is done)."

    def add_arguments(self, parser):
        parser.add_argument("--no-demo", action="store_true", help="do not load demo data")

    def handle(self, *args, no_demo=False, **options):
        call_command("compile_translations")
        call_command("migrate", interactive=False, verbosity=0)
        if not no_demo:
            call_command("load_demo")
