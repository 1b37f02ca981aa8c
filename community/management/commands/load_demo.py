from django.core.management.base import BaseCommand

from common.registry import registry
from community.demo import MEMBER_EMAIL, STAFF_EMAIL, load_community_demo


class Command(BaseCommand):
    help = "Load the demo network; each part is loaded once (running it again adds nothing)."

    def handle(self, *args, **options):
        # Each loader is idempotent: it returns at once when its own data is already there.
        self.stdout.write("Loading demo data (skipping what is already there)…")
        load_community_demo(self.stdout)
        for _key, (_order, loader) in sorted(registry.demo_loaders.items(), key=lambda kv: kv[1][0]):
            loader(self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo ready: staff {STAFF_EMAIL}, member {MEMBER_EMAIL}"))
