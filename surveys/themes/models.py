"""Themes: a round's codebook, the coding of free-text answers, and approved quotes.

The unit of coding is one piece of free text: an answer's ``engine.free_text(value)`` list, so
each of "the best 3 things" is coded on its own (``part`` is its index in that list).

Decisions a newcomer might undo:
- Coding rows hold ``answer_id`` as a plain indexed integer, not a foreign key. The anonymity
  tests (tests/surveys/test_anonymity.py) refuse any table but the safeguarding flag that links
  to answers by a foreign key, because a table that joins staff to answers would be a bridge.
  A coding row names its coder (needed to compare coder 1 with coder 2 for agreement) and holds
  no contact data. Queries always join to ``answer``, so a deleted answer's coding drops out.
- ``version`` is SQLAlchemy's version counter: a save based on an old version fails instead of
  silently overwriting a colleague's coding (see services.save_coding).
- ``pass_no`` 1 is the coding used in results; 2 is the blind second coding of the agreement
  sample. Both are unique per piece of text.
- Themes keep a ``key`` that stays the same when a codebook is copied to the next round, so
  results compare across rounds and suggestions learn from earlier rounds.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.clock import today, utcnow
from app.core.extensions import Model, RandomKey, db
from app.staff.auth.models import StaffUser
from surveys.models import SurveyRound


class Sentiment(StrEnum):
    POSITIVE = "positive"
    NEGATIVE = "negative"
    MIXED = "mixed"


SENTIMENT_LABELS = {
    Sentiment.POSITIVE: "Positive",
    Sentiment.NEGATIVE: "Negative",
    Sentiment.MIXED: "Mixed",
}


class QuoteAudience(StrEnum):
    BOARD = "board"
    PUBLIC = "public"


AUDIENCE_LABELS = {
    QuoteAudience.BOARD: "The board only",
    QuoteAudience.PUBLIC: "Public use (the board, reports, 'you said, we did')",
}


class Codebook(Model):
    """A round's themes. Copied from the last round's codebook, or from the starter codebook."""

    __tablename__ = "codebook"
    __table_args__ = (
        sa.CheckConstraint("double_code_percent BETWEEN 0 AND 100", name="percent_range"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("survey_round.id", ondelete="CASCADE"), unique=True
    )
    source: so.Mapped[str] = so.mapped_column(sa.String(120), default="")  # where it came from
    # Share of answers (0-100) coded twice, blind, to measure agreement between coders.
    double_code_percent: so.Mapped[int] = so.mapped_column(default=0)
    created_on: so.Mapped[date] = so.mapped_column(default=today)

    round: so.Mapped[SurveyRound] = so.relationship()
    themes: so.Mapped[list[Theme]] = so.relationship(
        back_populates="codebook",
        order_by="Theme.position",
        cascade="all, delete-orphan",
        foreign_keys="Theme.codebook_id",
    )


class Theme(Model):
    __tablename__ = "theme"
    __table_args__ = (
        sa.UniqueConstraint("codebook_id", "key"),
        sa.UniqueConstraint("codebook_id", "name"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    codebook_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("codebook.id", ondelete="CASCADE"), index=True
    )
    parent_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("theme.id", ondelete="SET NULL")
    )
    key: so.Mapped[str] = so.mapped_column(sa.String(60))
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    examples: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    # Keyword rules staff can edit: words or phrases; "budget*" matches words that start so.
    keywords: so.Mapped[list[str]] = so.mapped_column(sa.JSON, default=list)
    position: so.Mapped[int] = so.mapped_column(default=0)

    codebook: so.Mapped[Codebook] = so.relationship(
        back_populates="themes", foreign_keys=[codebook_id]
    )
    parent: so.Mapped[Theme | None] = so.relationship(remote_side=[id])

    @property
    def label(self) -> str:
        return f"{self.parent.name}: {self.name}" if self.parent else self.name


coding_theme = sa.Table(
    "coding_theme",
    db.metadata,
    sa.Column("coding_id", sa.ForeignKey("coding.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("theme_id", sa.ForeignKey("theme.id", ondelete="CASCADE"), primary_key=True),
)


class Coding(Model):
    """One coder's reading of one piece of free text: themes, sentiment, notable quote."""

    __tablename__ = "coding"
    __table_args__ = (
        sa.UniqueConstraint("answer_id", "part", "pass_no"),
        sa.CheckConstraint("pass_no IN (1, 2)", name="pass_known"),
        sa.CheckConstraint(
            "sentiment IS NULL OR sentiment IN ('positive','negative','mixed')",
            name="sentiment_known",
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("survey_round.id", ondelete="CASCADE"), index=True
    )
    answer_id: so.Mapped[int] = so.mapped_column(RandomKey, index=True)  # not a foreign key
    part: so.Mapped[int] = so.mapped_column(default=0)
    pass_no: so.Mapped[int] = so.mapped_column(default=1)
    coder_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    sentiment: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    notable: so.Mapped[bool] = so.mapped_column(default=False)
    version: so.Mapped[int] = so.mapped_column(default=1)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)

    themes: so.Mapped[list[Theme]] = so.relationship(secondary=coding_theme)
    coder: so.Mapped[StaffUser | None] = so.relationship()

    __mapper_args__ = {"version_id_col": version}


class Quote(Model):
    """A quote approved for the board or for public use: only ever stored redacted."""

    __tablename__ = "approved_quote"
    __table_args__ = (
        sa.UniqueConstraint("answer_id", "part"),
        sa.CheckConstraint("audience IN ('board','public')", name="audience_known"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("survey_round.id", ondelete="CASCADE"), index=True
    )
    answer_id: so.Mapped[int] = so.mapped_column(RandomKey, index=True)  # not a foreign key
    part: so.Mapped[int] = so.mapped_column(default=0)
    theme_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("theme.id", ondelete="SET NULL")
    )
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    audience: so.Mapped[str] = so.mapped_column(sa.String(10))
    approved_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    approved_on: so.Mapped[date] = so.mapped_column(default=today)

    theme: so.Mapped[Theme | None] = so.relationship()
    approved_by: so.Mapped[StaffUser | None] = so.relationship()
