"""Backup and restore: ``manage.py backup`` then ``manage.py restore`` into a fresh database (a
separate process, as an operator would run it) gives back every row and every uploaded file."""

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from common.backup import read_manifest, table_counts
from groups import services
from tests.factories import UserFactory
from tests.groups.factories import make_group

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fresh_database(tmp_path):
    """A database URL for an empty database, dropped afterwards."""
    if connection.vendor == "postgresql":
        import psycopg

        db = settings.DATABASES["default"]
        name = f"maillage_restore_{os.getpid()}"
        admin = f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        yield f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"


def _manage(*args, database_url, media_root):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "hub.settings.dev",
        "DEBUG": "false",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
        "PRIVATE_MEDIA_ROOT": str(media_root.parent / "restored-private"),
    }
    for key in ("PYTEST_XDIST_WORKER", "REDIS_URL"):
        env.pop(key, None)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def test_backup_then_restore_into_a_fresh_database(tmp_path, settings, fresh_database):
    media = tmp_path / "media"
    (media / "avatars").mkdir(parents=True)
    (media / "avatars" / "photo.png").write_bytes(b"\x89PNG fake image bytes")
    settings.MEDIA_ROOT = str(media)
    private = tmp_path / "private"
    (private / "forum").mkdir(parents=True)
    (private / "forum" / "compte-rendu.pdf").write_bytes(b"%PDF-1.4 prive")
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(private), "base_url": None}},
    }
    owner = UserFactory(email="sauvegarde@example.org")
    group = make_group(owner=owner, name="Groupe sauvegardé")
    services.topic_create(group=group, actor=owner, title="Sujet sauvegardé", body="Un message à retrouver")

    call_command("backup", output=str(tmp_path / "backups"))
    archive = next((tmp_path / "backups").glob("maillage-*.tar"))
    manifest = read_manifest(archive)
    assert manifest["tables"] == table_counts() and manifest["files"] == {"media": 1, "private": 1}
    with tarfile.open(archive) as tar:
        assert {"files/media/avatars/photo.png", "files/private/forum/compte-rendu.pdf"} <= set(tar.getnames())

    restored_media = tmp_path / "restored-media"
    result = _manage("restore", str(archive), database_url=fresh_database, media_root=restored_media)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "restored" in result.stdout
    assert (restored_media / "avatars" / "photo.png").read_bytes() == b"\x89PNG fake image bytes"
    assert (tmp_path / "restored-private" / "forum" / "compte-rendu.pdf").read_bytes() == b"%PDF-1.4 prive"
    # The restored database answers like the original: the same rows, readable by the app.
    check = _manage(
        "shell",
        "--verbosity=0",
        "-c",
        "from groups.models import Post; from community.models import User; "
        "print(User.objects.get(email='sauvegarde@example.org').pk, Post.objects.get(body='Un message à retrouver').topic.title)",
        database_url=fresh_database,
        media_root=restored_media,
    )
    assert check.returncode == 0, check.stderr[-3000:]
    assert check.stdout.split() == [str(owner.pk), "Sujet", "sauvegardé"]

    # A second restore would overwrite data: refused, and nothing changes.
    again = _manage("restore", str(archive), database_url=fresh_database, media_root=restored_media)
    assert again.returncode != 0 and "not empty" in again.stderr


def test_restore_refuses_what_is_not_a_backup(tmp_path):
    bogus = tmp_path / "bogus.tar"
    with tarfile.open(bogus, "w") as tar:
        tar.add(__file__, arcname="../../evil.py")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="manifest"):
        call_command("restore", str(bogus))
