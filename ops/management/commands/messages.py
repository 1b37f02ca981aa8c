from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from ops.translations import ALLOWLIST, catalogue_check, catalogues_update, gettext_available, template_untranslated_new

SHOWN = 40  # entries printed per list before "… and N more"


class Command(BaseCommand):
    help = (
        "Regenerate the translation catalogues (French complete, English for translators) and compile them; "
        "with --check, fail when the committed French catalogue misses a msgid of the code or a template "
        "shows text outside gettext."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="check only (works on a temporary copy; nothing is written)")
        parser.add_argument("--templates-only", action="store_true", help="with --check: only scan the templates (no GNU gettext needed)")

    def handle(self, *args, check=False, templates_only=False, **options):
        base = Path(settings.BASE_DIR)
        if not check:
            self._require_gettext()
            catalogues_update(base)
            call_command("compile_translations", stdout=self.stdout)
            self.stdout.write("Catalogues regenerated: review and commit locale/.")
            return
        failures = self._check_templates()
        if not templates_only:
            self._require_gettext()
            failures += self._check_catalogue(base)
        if failures:
            raise CommandError(f"{failures} translation problem(s) found (see above).")
        self.stdout.write("Translations: the French catalogue is complete and templates show no text outside gettext.")

    def _require_gettext(self):
        if not gettext_available():
            raise CommandError(
                "GNU gettext (xgettext, msgmerge, msgattrib, msgcat, msgfmt) is missing: install the Debian package 'gettext'."
            )

    def _list(self, title, items):
        self.stdout.write(title)
        for item in items[:SHOWN]:
            self.stdout.write(f"  {item}")
        if len(items) > SHOWN:
            self.stdout.write(f"  … and {len(items) - SHOWN} more")

    def _check_templates(self) -> int:
        new, unused = template_untranslated_new()
        if new:
            self._list(
                f"Templates: {len(new)} text(s) outside {{% translate %}} / {{% blocktranslate %}} "
                f"(translate them, or list what must stay in ops/{ALLOWLIST.name}):",
                [f"templates/{item.template}:{item.line}: {item.text[:100]}" for item in new],
            )
        if unused:
            self._list(f"Notice: {len(unused)} allow-list line(s) no longer needed (remove them):", sorted(unused))
        return len(new)

    def _check_catalogue(self, base: Path) -> int:
        report = catalogue_check(base)
        if report.missing:
            self._list(f"French catalogue: {len(report.missing)} msgid(s) of the code missing — run `make messages`:", report.missing)
        if report.untranslated:
            self._list(
                f"French catalogue: {len(report.untranslated)} entry(ies) empty or fuzzy — run `make messages`:", report.untranslated
            )
        if report.invalid:
            self._list("French catalogue: msgfmt --check fails:", report.invalid)
        if report.stale:
            self.stdout.write(f"Notice: {len(report.stale)} French entry(ies) no longer used by the code (`make messages` drops them).")
        self.stdout.write(f"English: {report.english_total - report.english_untranslated} of {report.english_total} strings translated.")
        return len(report.missing) + len(report.untranslated) + len(report.invalid)
