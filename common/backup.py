"""Backups: the database and every folder of uploaded files in one tar archive.

``manage.py backup`` writes ``maillage-<date>.tar`` holding ``manifest.json`` (row counts per
table, for checking a restore), the database (``database.dump``: ``pg_dump`` custom format on
PostgreSQL; ``database.sqlite3``: SQLite's online backup) and ``files/<root>/…`` for
``MEDIA_ROOT`` and ``PRIVATE_MEDIA_ROOT``.

``manage.py restore`` loads such an archive into an EMPTY database (a fresh one: it refuses to
overwrite data) and puts the files back; then it compares the row counts with the manifest.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import shutil
import sqlite3
import subprocess  # noqa: S404 - runs pg_dump and pg_restore with fixed arguments  # nosec B404
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection

FORMAT_VERSION = 1


class BackupError(Exception):
    pass


def file_roots() -> dict[str, Path]:
    """The local folders of uploaded files: public media and private files (each once)."""
    from .storage import private_storage

    roots = {"media": Path(settings.MEDIA_ROOT)}
    private = getattr(private_storage(), "location", None)
    if private and Path(private).resolve() != roots["media"].resolve():
        roots["private"] = Path(private)
    return roots


def table_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from introspection  # nosec B608
            counts[table] = cursor.fetchone()[0]
    return counts


def _pg_env() -> tuple[list[str], dict]:
    db = settings.DATABASES["default"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["--host", db.get("HOST") or "127.0.0.1", "--port", str(db.get("PORT") or 5432), "--username", db.get("USER") or "postgres"]
    return args, env


def _run(cmd: list[str], env: dict | None = None) -> None:
    result = subprocess.run(cmd, env=env, capture_output=True, text=True)  # noqa: S603 - fixed program, our arguments  # nosec B603
    if result.returncode != 0:
        raise BackupError(f"{cmd[0]} failed: {result.stderr.strip()[:2000]}")


def backup(output_dir: Path) -> Path:
    """Write the archive and return its path. The database dump is one consistent snapshot."""
    output_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    target = output_dir / f"maillage-{stamp}.tar"
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        manifest = {"format": FORMAT_VERSION, "created_at": stamp, "vendor": connection.vendor, "tables": table_counts(), "files": {}}
        if connection.vendor == "postgresql":
            args, env = _pg_env()
            dump = tmp_path / "database.dump"
            _run(
                [
                    "pg_dump",
                    *args,
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    "--file",
                    str(dump),
                    settings.DATABASES["default"]["NAME"],
                ],
                env,
            )
        elif connection.vendor == "sqlite":
            dump = tmp_path / "database.sqlite3"
            source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
            with sqlite3.connect(dump) as copy:
                source.backup(copy)
            source.close()
        else:
            raise BackupError(f"unsupported database: {connection.vendor}")
        partial = target.with_suffix(".tar.partial")
        with tarfile.open(partial, "w") as archive:
            archive.add(dump, arcname=dump.name)
            for key, root in file_roots().items():
                count = 0
                if root.is_dir():
                    for path in sorted(root.rglob("*")):
                        if path.is_file() and not path.is_symlink():
                            archive.add(path, arcname=f"files/{key}/{path.relative_to(root).as_posix()}")
                            count += 1
                manifest["files"][key] = count
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        partial.rename(target)  # a failed backup never leaves a file that looks complete
    return target


def read_manifest(archive_path: Path) -> dict:
    try:
        with tarfile.open(archive_path) as archive:
            manifest = json.load(archive.extractfile("manifest.json"))
    except (KeyError, tarfile.TarError, ValueError) as exc:
        raise BackupError("not a Maillage backup: no readable manifest.json") from exc
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def _database_is_empty() -> bool:
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def restore(archive_path: Path) -> dict:
    """Restore into the configured (empty) database and the file roots; return the manifest."""
    manifest = read_manifest(archive_path)
    if manifest["vendor"] != connection.vendor:
        raise BackupError(f"this backup is from {manifest['vendor']}, the database is {connection.vendor}")
    if not _database_is_empty():
        raise BackupError("the database is not empty: restore into a fresh database (nothing was changed)")
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive_path) as archive:
        archive.extractall(tmp, filter="data")  # refuses absolute paths, "..", links out of the folder
        tmp_path = Path(tmp)
        if connection.vendor == "postgresql":
            args, env = _pg_env()
            connection.close()
            _run(
                [
                    "pg_restore",
                    *args,
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    "--dbname",
                    settings.DATABASES["default"]["NAME"],
                    str(tmp_path / "database.dump"),
                ],
                env,
            )
        else:
            connection.close()
            with sqlite3.connect(tmp_path / "database.sqlite3") as source, sqlite3.connect(settings.DATABASES["default"]["NAME"]) as dest:
                source.backup(dest)
        roots = file_roots()
        for key in manifest["files"]:
            extracted = tmp_path / "files" / key
            if key in roots and extracted.is_dir():
                roots[key].mkdir(parents=True, exist_ok=True)
                shutil.copytree(extracted, roots[key], dirs_exist_ok=True)
    restored = table_counts()
    differences = {t: (n, restored.get(t)) for t, n in manifest["tables"].items() if restored.get(t) != n}
    if differences:
        raise BackupError(f"row counts differ after restore: {differences}")
    return manifest
