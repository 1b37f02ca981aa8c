from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from common.backup import BackupError, backup


class Command(BaseCommand):
    help = "Save the database and the uploaded files in one tar archive (see common/backup.py)."

    def add_arguments(self, parser):
        parser.add_argument("--output", default="backups", help="folder for the archive (default: ./backups)")

    def handle(self, *args, output, **options):
        try:
            path = backup(Path(output))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(path))
