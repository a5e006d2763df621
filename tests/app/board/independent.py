"""Counts worked out straight from the database rows, for checking what the board pack says.

Nothing here calls the code that makes the pack: each rule is written again, as its module's
docstring states it, so a test fails when the pack and the rule part ways.
"""

from __future__ import annotations

import io
import tomllib
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from pypdf import PdfReader

from app.board.assessments.models import AssessmentAnswer, AssessmentRound, SelfAssessment
from app.board.outcomes.models import OutcomeComparison, OutcomeFigure, OutcomeTarget
from app.core.extensions import db
from forum.models import Action, Milestone

FRAMEWORKS = Path(__file__).resolve().parents[3] / "app" / "board" / "assessments"
ALL = "all"
MEASURE_WORDS = {
    "in_touch": "in touch with the council",
    "eet": "in education, employment or training",
    "suitable_accommodation": "in suitable accommodation",
}


def pdf_text(pdf: bytes) -> str:
    """The PDF's text as one line, runs of white space made single spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


# --- Self-assessments: a score is the mean of the scored statements ----------------------------


def _scores(round_name: str, group: str, framework: str | None = None) -> list[tuple[str, int]]:
    query = (
        sa.select(AssessmentAnswer.statement, AssessmentAnswer.score)
        .join(SelfAssessment)
        .join(AssessmentRound)
        .where(
            AssessmentRound.name == round_name,
            SelfAssessment.respondents == group,
            AssessmentAnswer.score.is_not(None),
        )
    )
    if framework is not None:
        query = query.where(AssessmentRound.framework == framework)
    return [(s, v) for s, v in db.session.execute(query).all()]


def overall(round_name: str, group: str, framework: str | None = None) -> float:
    scores = [v for _, v in _scores(round_name, group, framework)]
    return sum(scores) / len(scores)


def section_scores(round_name: str, group: str, framework: str) -> dict[str, float]:
    """{section title: mean score} in the framework's order, read from its own TOML file."""
    data = tomllib.loads(
        next(
            p.read_text()
            for p in FRAMEWORKS.glob("*.toml")
            if f'key = "{framework}"' in p.read_text()
        )
    )
    section_of = {st["key"]: s["title"] for s in data["sections"] for st in s["statements"]}
    by_section: dict[str, list[int]] = {s["title"]: [] for s in data["sections"]}  # in order
    for statement, score in _scores(round_name, group, framework):
        by_section[section_of[statement]].append(score)
    return {title: sum(v) / len(v) for title, v in by_section.items() if v}


def words(change: float) -> str:
    shown = round(change, 1)
    return "no change" if shown == 0 else f"{'up' if shown > 0 else 'down'} {abs(shown):.1f}"


# --- Outcomes: each measure's share of everyone aged 17 to 21 ----------------------------------


def outcome_shares(year: int) -> dict[str, int]:
    rows = db.session.scalars(sa.select(OutcomeFigure).where(OutcomeFigure.year == year)).all()
    cohort = sum(r.cohort for r in rows)
    return {m: round(100 * sum(getattr(r, m) for r in rows) / cohort) for m in MEASURE_WORDS} | {
        "cohort": cohort
    }


def outcome_sentences(year: int) -> list[str]:
    """The pack's "outcomes vs targets" sentence for each measure, from the stored rows."""
    shares = outcome_shares(year)
    targets = {
        t.measure: t.percent
        for t in db.session.scalars(
            sa.select(OutcomeTarget).where(OutcomeTarget.age_group == "all")
        )
    }
    others = {
        (c.kind, c.measure): c.percent
        for c in db.session.scalars(
            sa.select(OutcomeComparison).where(
                OutcomeComparison.year == year, OutcomeComparison.age_group == "all"
            )
        )
    }
    found = []
    for measure, said in MEASURE_WORDS.items():
        extras = []
        if measure in targets:
            gap = shares[measure] - round(targets[measure])
            points = "point" if abs(gap) == 1 else "points"
            met = ", met" if gap >= 0 else f", {-gap} percentage {points} short"
            extras.append(f"our target is {targets[measure]:.0f}%{met}")
        if ("national", measure) in others:
            extras.append(f"England {others[('national', measure)]:.0f}%")
        if ("neighbours", measure) in others:
            extras.append(f"statistical neighbours {others[('neighbours', measure)]:.0f}%")
        tail = f" ({'; '.join(extras)})." if extras else "."
        found.append(
            f"In {year - 1} to {year}, {shares[measure]}% of care leavers aged 17 to 21 were "
            f"{said}{tail}"
        )
    return found


# --- The plan: milestones rolled up from their actions (forum/rag.py's docstring) --------------


def action_colour(action: Action, today: date) -> str:
    """An action's colour: a hand-set rating while open, else the rules."""
    if action.status in ("not_started", "in_progress") and action.rag_override:
        return action.rag_override
    if action.status == "wont_do":
        return "none"
    if action.status == "done":
        return "green"
    if action.due_on is None:
        return "amber"
    if action.due_on < today:
        return "red"
    if action.status == "not_started" and action.due_on <= today + timedelta(days=14):
        return "amber"
    return "green"


def milestone_counts(today: date) -> Counter[str]:
    """How many of the plan's (not retired) milestones are red, amber, green and achieved."""
    counts: Counter[str] = Counter(red=0, amber=0, green=0, blue=0)
    for m in db.session.scalars(sa.select(Milestone).where(Milestone.retired_on.is_(None))):
        colours = {
            action_colour(a, today)
            for a in db.session.scalars(sa.select(Action).where(Action.milestone_id == m.id))
        } - {"none"}
        due = m.due_on
        if m.status == "achieved":
            counts["blue"] += 1
        elif (due is not None and due < today) or "red" in colours:
            counts["red"] += 1
        elif not colours or "amber" in colours or due is None or due <= today + timedelta(14):
            counts["amber"] += 1
        else:
            counts["green"] += 1
    return counts
