"""Imports of responses collected elsewhere: uploads waiting to be mapped, remembered mappings.

An upload's rows wait in ``import_upload`` between the upload, mapping and preview pages (so
several workers can serve the steps) and are deleted when they are imported or abandoned.
The import itself is a job (``import_run``, surveys/imports/tasks.py) whose row shows its
progress and outcome, and outlives the upload: counts and a message, never the rows.
A mapping is remembered per questionnaire and "header signature" (a hash of the file's column
headers), so next year's file from the same tool is mapped already.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core import batches
from app.core.clock import today, utcnow
from app.core.extensions import Model, partial_unique_index


class ImportUpload(Model):
    __tablename__ = "import_upload"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("survey_round.id", ondelete="CASCADE"), index=True
    )
    filename: so.Mapped[str] = so.mapped_column(sa.String(200))
    signature: so.Mapped[str] = so.mapped_column(sa.String(64))
    headers: so.Mapped[list[str]] = so.mapped_column(sa.JSON)
    rows: so.Mapped[list[list[str]]] = so.mapped_column(sa.JSON)
    # {header: target} and {header: {file value: option value}}; see surveys/imports/services.py
    columns: so.Mapped[dict[str, str]] = so.mapped_column(sa.JSON, default=dict)
    values: so.Mapped[dict[str, dict[str, str]]] = so.mapped_column(sa.JSON, default=dict)
    uploaded_on: so.Mapped[date] = so.mapped_column(default=today)


class ImportMapping(Model):
    __tablename__ = "import_mapping"
    __table_args__ = (sa.UniqueConstraint("questionnaire_id", "signature"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    questionnaire_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("questionnaire.id", ondelete="CASCADE")
    )
    signature: so.Mapped[str] = so.mapped_column(sa.String(64))
    columns: so.Mapped[dict[str, str]] = so.mapped_column(sa.JSON, default=dict)
    values: so.Mapped[dict[str, dict[str, Any]]] = so.mapped_column(sa.JSON, default=dict)


class RunState(StrEnum):
    WAITING = "waiting"  # queued, no job has taken it yet
    IMPORTING = "importing"
    DONE = "done"
    REFUSED = "refused"  # nothing imported: the file's problems (message says which)
    STOPPED = "stopped"  # an error part-way: the rows saved are saved, the upload kept


UNFINISHED = (RunState.WAITING.value, RunState.IMPORTING.value)  # a run a job has yet to end
UNFINISHED_SQL = "state IN ({})".format(", ".join(f"'{state}'" for state in UNFINISHED))


class ImportRun(Model):
    """One import of an upload's rows, carried out by the job ``import_responses``.

    ``attempt`` fences the job: each job that takes the run adds one and writes its batches only
    while the number is still its own, so a second job (a retry, or a consumer restarted while
    the first was only slow) makes the first one stop instead of adding the same rows twice."""

    __tablename__ = "import_run"
    __table_args__ = (
        sa.CheckConstraint(
            "state IN ('waiting','importing','done','refused','stopped')", name="state_known"
        ),
        # One unfinished import per round, held by the database: two at once would both check
        # their rows against the round before either saved, and the same answers go in twice.
        partial_unique_index("uq_import_run_one_unfinished_per_round", "round_id", UNFINISHED_SQL),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("survey_round.id", ondelete="CASCADE"), index=True
    )
    upload_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("import_upload.id", ondelete="SET NULL")
    )
    filename: so.Mapped[str] = so.mapped_column(sa.String(200))
    valid_only: so.Mapped[bool] = so.mapped_column(default=False)
    state: so.Mapped[str] = so.mapped_column(sa.String(10), default=RunState.WAITING.value)
    message: so.Mapped[str] = so.mapped_column(sa.String(400), default="")
    rows_done: so.Mapped[int] = so.mapped_column(default=0)
    rows_total: so.Mapped[int] = so.mapped_column(default=0)
    imported: so.Mapped[int] = so.mapped_column(default=0)
    left_out: so.Mapped[int] = so.mapped_column(default=0)
    flagged: so.Mapped[int] = so.mapped_column(default=0)
    attempt: so.Mapped[int] = so.mapped_column(default=0)
    started_on: so.Mapped[date] = so.mapped_column(default=today)
    # When a job last saved a batch (or the run was queued): with no progress for
    # IMPORT_STALE_MINUTES the job was lost, and the consumer's check takes the run up again.
    progressed_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    @property
    def is_finished(self) -> bool:
        return self.state in (RunState.DONE, RunState.REFUSED, RunState.STOPPED)

    @property
    def is_stale(self) -> bool:
        return not self.is_finished and self.progressed_at < batches.lost_before()
