from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ops.templatelines import LIMIT, wrap_text, wrappable_lines


class Command(BaseCommand):
    help = f"Wrap template lines longer than {LIMIT} characters where whitespace allows it; --check only reports."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="report the lines that could be wrapped; write nothing")

    def handle(self, *args, check=False, **options):
        root = Path(settings.BASE_DIR) / "templates"
        changed, left = [], 0
        for path in sorted(root.rglob("*.html")):
            if check:
                changed += [f"{path.relative_to(root)}:{n}" for n in wrappable_lines(path)]
                continue
            text = path.read_text()
            wrapped, still_long = wrap_text(text)
            left += len(still_long)
            if wrapped != text:
                path.write_text(wrapped)
                changed.append(str(path.relative_to(root)))
        if check:
            if changed:
                raise CommandError("lines to wrap (manage.py wrap_templates):\n" + "\n".join(changed))
            self.stdout.write("Templates: no line to wrap.")
            return
        self.stdout.write(f"{len(changed)} template(s) wrapped; {left} line(s) still over {LIMIT} characters need a hand-made change.")
