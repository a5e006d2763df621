"""Backups of the whole database, and restoring one (`flask backup create` / `restore`).

- SQLite: the online backup API (``sqlite3.Connection.backup``) copies a consistent snapshot
  while the app runs, into memory; ``VACUUM INTO`` then writes the file, rebuilt page by page
  from live rows only. So the backup holds no free pages, no WAL and no deleted row (a
  conversation's deleted phone-hash -> response link cannot be carved out of it), whatever the
  live file still holds.
- PostgreSQL: ``pg_dump -Fc`` (custom format, compressed) and ``pg_restore``. A dump is made of
  the live rows a snapshot sees, never dead tuples or system columns such as xmin.
- Restore refuses a database that already holds data (any application table with a row)
  unless forced, since it replaces everything in it.
The password in DATABASE_URL goes to pg_dump in PGPASSWORD, never on a command line (``ps``).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from app.core.clock import utcnow
from app.core.extensions import db


class BackupError(RuntimeError):
    """The backup or restore could not be done; the message says why and what to do."""


@dataclass(frozen=True)
class Restored:
    path: Path
    rows: int  # rows in the database after restoring


def _url() -> sa.engine.URL:
    return sa.engine.make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])


def _sqlite_file(url: sa.engine.URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("This SQLite database lives in memory: there is no file to back up.")
    return Path(url.database)


def default_path() -> Path:
    """INSTANCE_PATH/backups/belonging-<UTC time>.<sqlite|dump>."""
    suffix = "sqlite" if _url().get_backend_name() == "sqlite" else "dump"
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    return Path(current_app.config["BACKUP_DIR"]) / f"belonging-{stamp}.{suffix}"


def create(path: Path | None = None) -> Path:
    """Write a backup of the whole database to ``path`` (a new file); return where it went."""
    url = _url()
    path = path or default_path()
    if path.exists():
        raise BackupError(f"{path} already exists: choose a new file name.")
    path.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        _sqlite_backup(_sqlite_file(url), path)
    elif url.get_backend_name() == "postgresql":
        _run("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--file", str(path)])
    else:
        raise BackupError(f"Backups work on SQLite and PostgreSQL, not {url.get_backend_name()}.")
    path.chmod(0o600)  # personal data: readable by the service's own user only
    return path


def _sqlite_backup(source: Path, path: Path) -> None:
    with sqlite3.connect(source) as live, sqlite3.connect(":memory:") as snapshot:
        live.backup(snapshot)
        # VACUUM INTO writes only live rows: no free pages, no deleted bytes, no WAL.
        snapshot.execute("VACUUM INTO ?", (str(path),))
    live.close()
    snapshot.close()


def data_rows() -> int:
    """Rows in the application's tables (the migrations' own bookkeeping not counted)."""
    inspector = sa.inspect(db.engine)
    present = set(inspector.get_table_names())
    total = 0
    for table in db.metadata.sorted_tables:
        if table.name in present:
            total += db.session.scalar(sa.select(sa.func.count()).select_from(table)) or 0
    db.session.commit()
    return total


def restore(path: Path, *, force: bool = False) -> Restored:
    """Replace the database's contents with the backup at ``path``."""
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    url = _url()
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups work on SQLite and PostgreSQL, not {url.get_backend_name()}.")
    rows = data_rows()
    if rows and not force:
        raise BackupError(
            f"The database is not empty ({rows} rows): restoring would replace everything in it. "
            "Restore into a new, empty database, or add --force to overwrite this one."
        )
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the old database open
    if url.get_backend_name() == "sqlite":
        _sqlite_restore(path, _sqlite_file(url))
    else:
        _run(
            "pg_restore",
            ["--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"],
            file=path,
        )
    return Restored(path=path, rows=data_rows())


def _sqlite_restore(path: Path, target: Path) -> None:
    with sqlite3.connect(path) as backup, sqlite3.connect(target) as live:
        if backup.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            raise BackupError(f"{path} is not a sound SQLite backup.")
        backup.backup(live)
        live.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    backup.close()
    live.close()


def _run(tool: str, args: list[str], *, file: Path | None = None) -> None:
    url = _url()
    program = _program(tool)
    # The child gets our environment as it is (not a setting read here), plus the password.
    env = {**os.environ, "PGPASSWORD": str(url.password)} if url.password else None
    libpq = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    command = [program, *args, f"--dbname={libpq}"]
    if file is not None:
        command.append(str(file))
    try:
        subprocess.run(command, check=True, capture_output=True, text=True, env=env)  # noqa: S603
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"{tool} failed: {exc.stderr.strip() or exc.returncode}") from exc


def _program(tool: str) -> str:
    folder = current_app.config.get("PG_BINDIR") or ""
    found = shutil.which(tool, path=folder or None)
    if found is None:
        raise BackupError(
            f"{tool} was not found{' in ' + folder if folder else ''}: install PostgreSQL's "
            "client programs (Debian: apt-get install postgresql-client) or set PG_BINDIR."
        )
    return found
