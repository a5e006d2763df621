"""Paper forms and their keying: serial numbers, per-round entry settings, double entry.

Anonymity (see surveys/models.py and tests/surveys/test_anonymity.py): no table here points at
``response`` or ``answer``, and none holds who keyed a form. A keyed form's answers wait in
``keyed_entry`` only until the form is verified; then they become an ordinary Response through
the survey engine and the keyed copies are deleted, so the answers live in one place. Who keyed
which copy is in the audit log (action ``paper.key``), which is also how the rule "the second
keyer and the person who settles must be other people" is checked.

A verified form remembers which response it became only in a sealed box (``response_box``,
AES-GCM under NOTICE_KEY, see surveys/completion.seal_value), so that a form keyed by mistake
can be voided: a copy of the database cannot follow the box from a serial (and the audit log's
keyer and time) to the answers. Keep a rotated key in NOTICE_OLD_KEYS while forms sealed with it
may still need voiding. Voiding deletes the response and the form row, so the serial can be keyed
again; the audit log (``paper.void``) keeps the serial, a reason from a fixed list and who did
it, never the response or free text that could name the young person.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.extensions import Model, scrubbed

if TYPE_CHECKING:
    from surveys.safeguarding.models import SafeguardingFlag


class FormStatus(StrEnum):
    KEYED_ONCE = "keyed_once"  # double entry: waiting for the second keying
    MISMATCH = "mismatch"  # double entry: the two keyings differ; someone must settle them
    VERIFIED = "verified"  # its answers are a response and count in results


class PaperSettings(Model):
    """Per-round paper settings: how late forms may be keyed, double entry, serials printed."""

    __tablename__ = "paper_settings"
    __table_args__ = (sa.CheckConstraint("last_printed >= 0", name="last_printed_positive"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("survey_round.id", ondelete="CASCADE"), unique=True
    )
    # Keying is allowed until this date (inclusive); None means the round's closing date.
    entry_deadline: so.Mapped[date | None]
    double_entry: so.Mapped[bool] = so.mapped_column(default=False)
    # The highest serial number printed so far, so each new batch continues the numbering.
    last_printed: so.Mapped[int] = so.mapped_column(default=0)


class PaperForm(Model):
    """One numbered paper form (or interview) of a round, keyed once (or twice, then settled)."""

    __tablename__ = "paper_form"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "number"),
        sa.CheckConstraint("status IN ('keyed_once','mismatch','verified')", name="status_known"),
        sa.CheckConstraint("number > 0", name="number_positive"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("survey_round.id", ondelete="CASCADE"), index=True
    )
    number: so.Mapped[int]
    status: so.Mapped[str] = so.mapped_column(sa.String(16))
    # Which response this form became, sealed (see the module docstring); None until verified.
    response_box: so.Mapped[str | None] = so.mapped_column(sa.Text)

    entries: so.Mapped[list[KeyedEntry]] = so.relationship(
        back_populates="form", order_by="KeyedEntry.entry_number", cascade="all, delete-orphan"
    )


@scrubbed
class KeyedEntry(Model):
    """One keying of a form under double entry. Deleted once the form is verified."""

    __tablename__ = "keyed_entry"
    __table_args__ = (
        sa.UniqueConstraint("paper_form_id", "entry_number"),
        sa.CheckConstraint("entry_number IN (1, 2)", name="entry_number_known"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    paper_form_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("paper_form.id", ondelete="CASCADE"), index=True
    )
    entry_number: so.Mapped[int]
    channel: so.Mapped[str] = so.mapped_column(sa.String(16))
    assisted: so.Mapped[bool] = so.mapped_column(default=False)
    # {question code: stored value as the engine validated it, or None for skipped}
    answers: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON, default=dict)
    # The safeguarding flag its words raised, while the form waits: raised at this keying, not
    # at verification (which may never come), and taken over by the answer the form becomes
    # (surveys/safeguarding/services.adopting), so the lead keeps one flag, told once. Gone
    # with the keying at verification, so nothing then leads from the form to the answer.
    flag_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("safeguarding_flag.id", ondelete="SET NULL")
    )

    form: so.Mapped[PaperForm] = so.relationship(back_populates="entries")
    flag: so.Mapped[SafeguardingFlag | None] = so.relationship()
