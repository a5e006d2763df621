"""The letters PDF for a whole cohort, made by a job: in parts, in bounded memory, with progress.

One request cannot make 3,000 letters (96 s and 1.5 GB when it tried: gunicorn's 30 s timeout
answered 500). So "Make the PDF" starts a ``LetterRun`` and a job (tasks.make_letters) that
renders ``LETTERS_PER_PART`` letters at a time with WeasyPrint, writes each part to a file, and
joins the parts (``app.core.pdf_join.join_pdfs``, which keeps the PDF/UA tags and reads one part
at a time) into one file under ``LETTERS_DIR``. The job's memory is that of one part, whatever
the cohort's size.
The run's row holds its progress (``done`` of ``total``), read by the progress page, which
refreshes itself (a meta refresh without JavaScript, htmx polling with it).

Which letters, and their order, are fixed when the run starts: the invitation ids are kept on
the row (``invitation_ids``), so "waiting" letters marked printed during the run still appear.
Making the PDF marks nothing printed, as before (``letters.mark_printed`` is its own POST).
A run is safe to do again: a second run of the job starts the file afresh. A consumer killed
mid-run leaves the run "running": once it has made no progress for LETTERS_STALE_MINUTES
(``progressed_at``), the progress page says so and offers to start again.

Personal data: the finished file holds names and addresses, so it is deleted once a newer run of
the same round finishes, and its download is audited as the direct download is.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from app.core.clock import utcnow
from app.core.extensions import Model, db
from app.core.pdf import html_to_pdf, release_layouts
from app.core.pdf_join import join_pdfs
from app.outreach.contacts.models import Contact
from app.outreach.invitations import letters
from app.outreach.invitations.models import Invitation
from app.staff.audit.services import record
from surveys.models import SurveyRound


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class LetterRun(Model):
    __tablename__ = "letter_run"
    __table_args__ = (
        sa.CheckConstraint("status IN ('queued','running','done','failed')", name="status_known"),
        sa.CheckConstraint("done BETWEEN 0 AND total", name="done_within_total"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("survey_round.id", ondelete="CASCADE"), index=True
    )
    which: so.Mapped[str] = so.mapped_column(sa.String(10))
    status: so.Mapped[str] = so.mapped_column(sa.String(10), default=RunStatus.QUEUED.value)
    total: so.Mapped[int]
    done: so.Mapped[int] = so.mapped_column(default=0)
    # The letters chosen when the run started, in print order (comma-separated invitation ids).
    invitation_ids: so.Mapped[str] = so.mapped_column(sa.Text, deferred=True)
    # The file's name under LETTERS_DIR: random, so a name cannot be guessed from the id.
    file_name: so.Mapped[str | None] = so.mapped_column(sa.String(80))
    size: so.Mapped[int] = so.mapped_column(default=0)
    requested_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    # When the job last saved a part (or the run was queued): a run that has not moved for
    # LETTERS_STALE_MINUTES lost its job (a consumer killed mid-run) and may be started again.
    progressed_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    finished_at: so.Mapped[datetime | None]

    survey_round: so.Mapped[SurveyRound] = so.relationship()

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)

    @property
    def is_stale(self) -> bool:
        """Queued or running, but with no progress for LETTERS_STALE_MINUTES."""
        limit = timedelta(minutes=current_app.config["LETTERS_STALE_MINUTES"])
        return not self.is_finished and utcnow() - self.progressed_at > limit

    @property
    def percent(self) -> int:
        return 100 * self.done // self.total if self.total else 100


def folder() -> Path:
    return Path(current_app.config["LETTERS_DIR"])


def path(run: LetterRun) -> Path | None:
    """The finished file, if it is there."""
    if run.status != RunStatus.DONE or not run.file_name:
        return None
    found = folder() / run.file_name
    return found if found.is_file() else None


def start(survey_round: SurveyRound, which: str, requested_by_id: int | None) -> LetterRun | None:
    """A new run of the letters ``which`` chooses (None if there are none); the caller commits
    and queues the job (tasks.make_letters)."""
    query = letters.order_letters(
        letters.choose_letters(sa.select(Invitation.id), survey_round, which)
    )
    ids = list(db.session.scalars(query))
    if not ids:
        return None
    run = LetterRun(
        round_id=survey_round.id,
        which=which,
        total=len(ids),
        invitation_ids=",".join(map(str, ids)),
        requested_by_id=requested_by_id,
    )
    db.session.add(run)
    db.session.flush()
    record("invitations.letters_run", survey_round, detail=f"{len(ids)} letters ({which})")
    return run


def get_run(survey_round: SurveyRound, run_id: int) -> LetterRun | None:
    run = db.session.get(LetterRun, run_id)
    return run if run is not None and run.round_id == survey_round.id else None


def _part(round_id: int, ids: list[int]) -> bytes:
    survey_round = db.session.get_one(SurveyRound, round_id)
    rows = db.session.execute(
        sa.select(Invitation, Contact)
        .join(Contact, Contact.id == Invitation.contact_id)
        .where(Invitation.id.in_(ids))
    ).all()
    by_id = {invitation.id: (invitation, contact) for invitation, contact in rows}
    html = letters.letters_html(survey_round, [by_id[i] for i in ids if i in by_id])
    # End the read before rendering (seconds): a job's transaction on SQLite holds the write
    # lock (app/core/extensions.py). The part's rows are done with: memory stays one part's.
    db.session.expunge_all()  # first, so that ending the transaction expires nothing cached
    db.session.rollback()
    return html_to_pdf(html)


def make(run_id: int) -> None:
    """Make the run's PDF (the job). Progress is committed after each part."""
    run = db.session.get(LetterRun, run_id)
    if run is None or run.status == RunStatus.DONE:
        return
    ids = [int(i) for i in run.invitation_ids.split(",")]
    round_id, per_part = run.round_id, max(1, current_app.config["LETTERS_PER_PART"])
    run.status, run.done, run.progressed_at = RunStatus.RUNNING.value, 0, utcnow()
    db.session.commit()
    work = folder() / f"run-{run_id}-parts"
    work.mkdir(parents=True, exist_ok=True)
    parts: list[Path] = []
    try:
        for start_at in range(0, len(ids), per_part):
            chunk = ids[start_at : start_at + per_part]
            part = work / f"{len(parts):05d}.pdf"
            part.write_bytes(_part(round_id, chunk))
            parts.append(part)
            # The part's layout is garbage now: freed before the next part (and the join) grow
            # the process, which keeps the job's peak at one part's (253 MB instead of 270 at
            # 3,000 letters).
            release_layouts()
            db.session.execute(
                sa.update(LetterRun)
                .where(LetterRun.id == run_id)
                .values(done=min(len(ids), start_at + len(chunk)), progressed_at=utcnow())
            )
            db.session.commit()
        name = f"letters-{run_id}-{secrets.token_hex(8)}.pdf"
        join_pdfs(parts, folder() / name)
    except Exception:
        db.session.rollback()
        db.session.execute(
            sa.update(LetterRun).where(LetterRun.id == run_id).values(status=RunStatus.FAILED)
        )
        db.session.commit()
        raise
    finally:
        for part in parts:
            part.unlink(missing_ok=True)
        work.rmdir()
    run = db.session.get_one(LetterRun, run_id)
    run.status, run.file_name, run.finished_at = RunStatus.DONE.value, name, utcnow()
    run.size, run.done = (folder() / name).stat().st_size, run.total
    older = db.session.scalars(
        sa.select(LetterRun).where(
            LetterRun.round_id == round_id,
            LetterRun.id != run_id,
            LetterRun.file_name.is_not(None),
        )
    )
    for earlier in older:  # personal data: keep only the newest finished file of a round
        (folder() / (earlier.file_name or "")).unlink(missing_ok=True)
        earlier.file_name = None
    db.session.commit()


def record_download(run: LetterRun) -> None:
    record(
        "invitations.letters",
        run.survey_round,
        detail=f"{run.total} letters downloaded ({run.which}, made by a job)",
    )
    db.session.commit()
