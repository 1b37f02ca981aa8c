from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from common.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restore a backup archive into an empty database and put the uploaded files back; checks row counts."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="a maillage-<date>.tar written by manage.py backup")

    def handle(self, *args, archive, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            manifest = restore(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(f"restored {len(manifest['tables'])} tables ({rows} rows) and {sum(manifest['files'].values())} files")
