"""The backup drill: demo data, back up, wipe, restore; everything back, no deleted link inside.

Runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL is set (`make test-postgres`).
"""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa

from app.core import backups
from app.core.extensions import db
from app.demo import seed_demo
from app.messaging.services import opt_out, phone_hash
from surveys.models import Answer, Response
from surveys.sms.models import SmsConversation

ENDED, ONGOING = "+447700900801", "+447700900802"


def _counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
    }


def _whole_response(response_id: int) -> tuple:
    response = db.session.execute(
        sa.select(Response.__table__).where(Response.id == response_id)
    ).one()
    answers = db.session.execute(
        sa.select(Answer.__table__).where(Answer.response_id == response_id)
    ).all()
    return tuple(response), sorted(tuple(str(v) for v in a) for a in answers)


def _seed(app) -> tuple[int, str, str]:
    """The demo, an opt-out, a conversation still going and one that ended (its link deleted)."""
    with app.app_context():
        seed_demo()
        opt_out("+447700900803")
        response_id, spare = db.session.scalars(
            sa.select(Response.id).where(Response.status == "complete").limit(2)
        ).all()
        round_id = db.session.scalar(sa.select(Response.round_id).where(Response.id == spare))
        for number, link in ((ENDED, response_id), (ONGOING, spare)):
            hashed = phone_hash(number)
            db.session.add(SmsConversation(phone_hash=hashed, round_id=round_id, response_id=link))
        db.session.commit()
        ended, ongoing = phone_hash(ENDED), phone_hash(ONGOING)
        uri = app.config["SQLALCHEMY_DATABASE_URI"]
        if db.engine.dialect.name == "sqlite":
            db.engine.dispose()
            # The attack needs a deleted row left in the live file: delete it without the app's
            # secure_delete, as a database that never had it would.
            with sqlite3.connect(uri.removeprefix("sqlite:///")) as raw:
                raw.execute("PRAGMA secure_delete=OFF")
                raw.execute("DELETE FROM sms_conversation WHERE phone_hash = ?", (ended,))
            raw.close()
            live = Path(uri.removeprefix("sqlite:///"))
            wal = Path(f"{live}-wal")
            carved = live.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
            assert ended.encode() in carved  # the live files still hold the deleted link
        else:
            gone = sa.delete(SmsConversation).where(SmsConversation.phone_hash == ended)
            db.session.execute(gone)
            db.session.commit()  # a dead tuple now, until VACUUM
        return response_id, ended, ongoing


def _backup_text(app, path: Path) -> bytes:
    """What an attacker reads from the backup: its bytes, or pg_restore's SQL for a dump."""
    if path.suffix != ".dump":
        return path.read_bytes()
    with app.app_context():
        pg_restore = backups._program("pg_restore")
    return subprocess.run(
        [pg_restore, "--file=-", str(path)], check=True, capture_output=True
    ).stdout


def _wipe(app) -> None:
    with app.app_context():
        uri = app.config["SQLALCHEMY_DATABASE_URI"]
        db.session.remove()
        db.engine.dispose()
        if uri.startswith("sqlite:///"):
            for suffix in ("", "-wal", "-shm"):
                Path(uri.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
            return
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP SCHEMA public CASCADE")
            connection.exec_driver_sql("CREATE SCHEMA public")
        db.engine.dispose()


def test_backup_wipe_restore_gives_everything_back_and_no_deleted_link(app, runner, tmp_path):
    response_id, ended, ongoing = _seed(app)
    with app.app_context():
        counts, whole = _counts(), _whole_response(response_id)
        suffix = "sqlite" if db.engine.dialect.name == "sqlite" else "dump"
    assert counts["response"] and counts["answer"] and counts["contact"] and counts["sms_opt_out"]
    path = tmp_path / f"drill.{suffix}"

    made = runner.invoke(args=["backup", "create", str(path)])
    assert made.exit_code == 0, made.output
    assert f"Backed up the database to {path}" in made.output
    text = _backup_text(app, path)
    assert ongoing.encode() in text  # the search works: a live conversation's key is there
    assert ended.encode() not in text  # and the deleted link is not

    refused = runner.invoke(args=["backup", "restore", str(path)])
    assert refused.exit_code != 0
    assert "The database is not empty" in refused.output and "--force" in refused.output

    _wipe(app)
    with app.app_context():
        assert backups.data_rows() == 0
    restored = runner.invoke(args=["backup", "restore", str(path)])
    assert restored.exit_code == 0, restored.output
    with app.app_context():
        assert _counts() == counts
        assert _whole_response(response_id) == whole
        db.session.remove()

    forced = runner.invoke(args=["backup", "restore", str(path), "--force"])
    assert forced.exit_code == 0, forced.output
    assert f"the database now holds {sum(counts.values())} rows" in forced.output
