"""The board's front page (issue 23): the first page of the pack after the cover, and the top
of the dashboard. It says, for one round, what is working well, what needs to improve, what the
board is asked to decide, and whether the survey is still open.

Decisions a newcomer might undo:
- "Working well" and "needs to improve" are drafted from the round's best-things (Q4) and
  worst-things (Q5) theme charts of ``services.Dashboard``, so every figure in a draft has been
  through app.core.disclosure (a hidden theme is never named, and "came up most" is said only
  when the charts rank their themes). A draft is only a suggestion: it is labelled so until a
  participation worker saves the page, which records who saved it and when.
- Outcomes (app.board.outcomes) add a line each: a measure at or above its target is working
  well, one below it needs to improve, in the words of the outcomes section's own sentence
  (``outcomes.services.against_targets``, from the same protected ``OutcomesView``); a measure
  whose share is hidden or that has no target is not drafted.
- One saved page per round (a database constraint); saving again replaces it, and the audit log
  keeps each save.
- The decisions are the worker's words, one a line; nothing drafts them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.board.outcomes.services import against_targets, outcomes_view
from app.board.services import ChartBlock, Dashboard
from app.core.clock import utcnow
from app.core.disclosure import is_primary, is_suppressed
from app.core.extensions import Model, db
from app.core.text import clean_text
from app.staff.audit.services import record
from app.staff.auth.models import StaffUser
from surveys.models import SurveyRound

BEST, WORST = "Q4", "Q5"
DRAFTED_THEMES = 3
STILL_OPEN = "The survey is still open: these figures may change."


class FrontPage(Model):
    """What the worker saved as the board's front page for one round."""

    __tablename__ = "board_front_page"
    __table_args__ = (sa.UniqueConstraint("round_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("survey_round.id", ondelete="CASCADE")
    )
    working_well: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    to_improve: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    decisions: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    saved_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    saved_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)

    survey_round: so.Mapped[SurveyRound] = so.relationship()
    saved_by: so.Mapped[StaffUser | None] = so.relationship()


@dataclass
class FrontPageView:
    survey_round: SurveyRound
    working_well: list[str]  # lines: the saved text, or the draft until it is saved
    to_improve: list[str]
    decisions: list[str]
    draft_well: str  # the drafts, always offered on the edit form
    draft_improve: str
    saved: FrontPage | None
    still_open: str = ""  # STILL_OPEN while the round is open
    notes: list[str] = field(default_factory=list)

    @property
    def is_draft(self) -> bool:
        return self.saved is None


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _chart(board: Dashboard, code: str) -> ChartBlock | None:
    return next((c for c in board.theme_charts if c.key == f"themes-{code}"), None)


def _draft(board: Dashboard, code: str, things: str) -> str:
    """Plain sentences from one theme chart's protected table; "" when it cannot be drafted."""
    chart = _chart(board, code)
    if chart is None:
        return ""
    cells = [row[1] for row in chart.table.rows]
    hidden = any(is_suppressed(v) and not is_primary(v) for v in cells)
    shown = [row for row in chart.table.rows if isinstance(row[1], int) and row[1] > 0]
    shown.sort(key=lambda row: -row[1])
    if not shown:
        return ""
    named = [f"{row[0]} ({row[2]} of those whose answers are coded)" for row in shown]
    if hidden:
        lines = [
            f"Care leavers named these among the {things} (some themes are hidden to protect "
            "privacy, so we do not say which came up most):"
        ]
    else:
        lines = [f"What care leavers named most often as the {things}:"]
    lines += named[:DRAFTED_THEMES]
    if "Provisional" in chart.takeaway:
        lines.append("Not every answer is coded yet, so this may change.")
    return "\n".join(lines)


def _join(themes: str, outcomes: list[str]) -> str:
    return "\n".join([themes, *outcomes] if themes else outcomes)


def get_front_page(survey_round: SurveyRound) -> FrontPage | None:
    return db.session.scalar(sa.select(FrontPage).where(FrontPage.round_id == survey_round.id))


def view(board: Dashboard) -> FrontPageView:
    """The front page for the dashboard's round: saved words, or drafts marked as drafts."""
    saved = get_front_page(board.survey_round)
    best = _draft(board, BEST, "best things about leaving care")
    worst = _draft(board, WORST, "worst things about leaving care")
    outcomes = against_targets(outcomes_view())
    well = _join(best, [sentence for met, sentence in outcomes if met])
    improve = _join(worst, [sentence for met, sentence in outcomes if not met])
    notes = []
    if not best and not worst:
        notes.append(
            board.theme_note
            or board.notice
            or "No themes can be shown yet, so there is nothing to draft from."
        )
    return FrontPageView(
        survey_round=board.survey_round,
        working_well=_lines(saved.working_well if saved else well),
        to_improve=_lines(saved.to_improve if saved else improve),
        decisions=_lines(saved.decisions) if saved else [],
        draft_well=well,
        draft_improve=improve,
        saved=saved,
        still_open=STILL_OPEN if board.survey_round.is_open else "",
        notes=notes,
    )


def save(
    survey_round: SurveyRound, working_well: str, to_improve: str, decisions: str, actor: StaffUser
) -> FrontPage:
    page = get_front_page(survey_round) or FrontPage(round_id=survey_round.id)
    page.working_well = clean_text(working_well or "").strip()
    page.to_improve = clean_text(to_improve or "").strip()
    page.decisions = clean_text(decisions or "").strip()
    page.saved_by_id = actor.id
    page.saved_at = utcnow()
    db.session.add(page)
    db.session.flush()
    record("board.front_page.save", page, detail=survey_round.slug, actor=actor)
    db.session.commit()
    return page
