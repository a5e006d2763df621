"""Self-assessment rules: rounds, saving answers without silent overwrites, scores and change.

The scoring rules (one copy, used by the pages and the board pack):
- A statement's score is the point on the framework's scale chosen for it, or none.
- A section's score is the mean of its scored statements; with none scored, it has no score.
  The overall score is the mean of every scored statement (not of the section means).
- Change is measured against the same group (staff against staff, young people against young
  people) in the latest earlier round of the same framework in which that group scored anything.
  A statement's change is its score minus its earlier score; a section's change is its score
  minus its earlier score (the exact means, rounded only when shown). Where either side has no
  score there is no change, shown as "no earlier score".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.exc import IntegrityError

from app.board.assessments.frameworks import Framework, Section, Statement, get_framework
from app.board.assessments.models import (
    RESPONDENT_LABELS,
    AssessmentAnswer,
    AssessmentEdit,
    AssessmentRound,
    Respondents,
    SelfAssessment,
)
from app.core.extensions import db, rows_changed
from app.staff.audit.services import record
from app.staff.auth.models import StaffUser


class AssessmentError(Exception):
    """Something the person can fix; the message says how."""


class StaleEdit(AssessmentError):
    """The answers were saved by someone else after this page was opened."""


STALE_MESSAGE = (
    "Someone else saved these answers after you opened this page, so yours were not saved. "
    "Your changes are below: check them against the latest answers and save again."
)


# --- Rounds -----------------------------------------------------------------------------------


def rounds(framework: str | None = None) -> list[AssessmentRound]:
    query = sa.select(AssessmentRound).order_by(
        AssessmentRound.held_on.desc(), AssessmentRound.id.desc()
    )
    if framework:
        query = query.where(AssessmentRound.framework == framework)
    return list(db.session.scalars(query))


def get_round(round_id: int) -> AssessmentRound | None:
    return db.session.get(AssessmentRound, round_id)


def framework_of(assessment_round: AssessmentRound) -> Framework:
    framework = get_framework(assessment_round.framework)
    if framework is None:
        raise LookupError(f"No framework {assessment_round.framework!r}")
    return framework


def create_round(
    framework: str, held_on: date, name: str, actor: StaffUser | None = None
) -> AssessmentRound:
    if get_framework(framework) is None:
        raise AssessmentError("Choose a framework")
    created = AssessmentRound(framework=framework, held_on=held_on, name=name.strip())
    created.assessments = [SelfAssessment(respondents=group.value) for group in Respondents]
    db.session.add(created)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise AssessmentError(
            "There is already an assessment of this framework on that date: choose another date"
        ) from None
    created.edits.append(
        AssessmentEdit(text="Assessment started", by_id=actor.id if actor else None)
    )
    record("assessment.round.create", created, detail=framework, actor=actor)
    db.session.commit()
    return created


def assessment(assessment_round: AssessmentRound, group: Respondents) -> SelfAssessment:
    for found in assessment_round.assessments:
        if found.respondents == group.value:
            return found
    raise LookupError(group)


# --- Saving, never silently over someone else's save ------------------------------------------


def _claim_version(
    model: type[SelfAssessment] | type[AssessmentRound],
    version: so.InstrumentedAttribute[int],
    row_id: int,
    expected: int,
) -> bool:
    """Move ``version`` from ``expected`` to ``expected + 1`` in one conditional UPDATE: False
    when someone saved in between (the row is no longer at the version the form was opened at)."""
    changed = rows_changed(
        sa.update(model)
        .where(model.id == row_id, version == expected)
        .values({version: expected + 1})
    )
    return changed == 1


def save_answers(
    target: SelfAssessment,
    expected_version: int,
    scores: dict[str, int | None],
    evidence: dict[str, dict[str, str]],
    people: int | None,
    notes: str,
    actor: StaffUser | None = None,
) -> SelfAssessment:
    """Save one group's answers. Raises StaleEdit if the form was opened at an older version."""
    framework = framework_of(target.round)
    if not _claim_version(SelfAssessment, SelfAssessment.version, target.id, expected_version):
        db.session.rollback()
        raise StaleEdit(STALE_MESSAGE)
    allowed = {p.value for p in framework.scale}
    fields = {e.key for e in framework.evidence}
    existing = {a.statement: a for a in target.answers}
    changed = 0
    for statement in framework.statements:
        score = scores.get(statement.key)
        if score is not None and score not in allowed:
            db.session.rollback()
            raise AssessmentError(f"Choose a score for \u201c{statement.text}\u201d from the scale")
        given = {k: v.strip() for k, v in evidence.get(statement.key, {}).items() if k in fields}
        given = {k: v for k, v in given.items() if v}
        answer = existing.get(statement.key)
        if answer is None:
            if score is None and not given:
                continue
            answer = AssessmentAnswer(statement=statement.key, score=None, evidence={})
            target.answers.append(answer)
        if answer.score != score:
            changed += 1
        answer.score, answer.evidence = score, given
    target.people, target.notes = people, notes.strip()
    db.session.flush()
    db.session.refresh(target, ["version"])
    group = RESPONDENT_LABELS[Respondents(target.respondents)]
    text = f"{group} answers saved (version {target.version}): " + (
        f"{changed} score{'' if changed == 1 else 's'} changed" if changed else "no score changed"
    )
    target.round.edits.append(AssessmentEdit(text=text, by_id=actor.id if actor else None))
    record("assessment.answers.save", target, detail=text, actor=actor)
    db.session.commit()
    return target


def save_friend(
    assessment_round: AssessmentRound,
    expected_version: int,
    values: dict[str, Any],
    actor: StaffUser | None = None,
) -> AssessmentRound:
    """The critical friend's two 0-10 ratings, comments and the ratings' labels."""
    if not _claim_version(
        AssessmentRound, AssessmentRound.friend_version, assessment_round.id, expected_version
    ):
        db.session.rollback()
        raise StaleEdit(
            "Someone else saved the critical friend's ratings after you opened this page, so "
            "yours were not saved. Check the latest ratings below and save again."
        )
    for name in ("rating_now", "rating_improving"):
        rating = values.get(name)
        if rating is not None and not 0 <= rating <= 10:
            db.session.rollback()
            raise AssessmentError("Enter a rating from 0 to 10")
    db.session.refresh(assessment_round, ["friend_version"])
    assessment_round.friend = (values.get("friend") or "").strip()
    assessment_round.rating_now = values.get("rating_now")
    assessment_round.rating_improving = values.get("rating_improving")
    assessment_round.comment_now = (values.get("comment_now") or "").strip()
    assessment_round.comment_improving = (values.get("comment_improving") or "").strip()
    for name in ("rating_now_label", "rating_improving_label"):
        label = (values.get(name) or "").strip()
        if label:
            setattr(assessment_round, name, label)
    text = (
        f"Critical friend's ratings saved (version {assessment_round.friend_version}): "
        f"{_rating_text(assessment_round.rating_now)} and "
        f"{_rating_text(assessment_round.rating_improving)}"
    )
    assessment_round.edits.append(AssessmentEdit(text=text, by_id=actor.id if actor else None))
    record("assessment.friend.save", assessment_round, detail=text, actor=actor)
    db.session.commit()
    return assessment_round


def _rating_text(rating: int | None) -> str:
    return "not rated" if rating is None else f"{rating} out of 10"


# --- Scores and change ------------------------------------------------------------------------


def mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def difference(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else now - before


def scores_of(target: SelfAssessment | None) -> dict[str, int | None]:
    return {a.statement: a.score for a in target.answers} if target is not None else {}


def section_score(section: Section, scores: dict[str, int | None]) -> float | None:
    return mean([s for t in section.statements if (s := scores.get(t.key)) is not None])


def overall_score(framework: Framework, scores: dict[str, int | None]) -> float | None:
    return mean([s for t in framework.statements if (s := scores.get(t.key)) is not None])


def previous(target: SelfAssessment) -> SelfAssessment | None:
    """The same group's assessment in the latest earlier round of the framework in which that
    group scored anything (see the module docstring)."""
    this_round = target.round
    return db.session.scalar(
        sa.select(SelfAssessment)
        .join(AssessmentRound)
        .where(
            AssessmentRound.framework == this_round.framework,
            AssessmentRound.held_on < this_round.held_on,
            SelfAssessment.respondents == target.respondents,
            sa.exists().where(
                AssessmentAnswer.assessment_id == SelfAssessment.id,
                AssessmentAnswer.score.is_not(None),
            ),
        )
        .order_by(AssessmentRound.held_on.desc())
        .limit(1)
    )


def score_text(value: float | None) -> str:
    return "no score" if value is None else f"{value:.1f}"


def change_text(value: float | None) -> str:
    if value is None:
        return "no earlier score"
    shown = round(value, 1)
    if shown == 0:
        return "no change"
    return f"{'up' if shown > 0 else 'down'} {abs(shown):.1f}"


@dataclass
class StatementView:
    statement: Statement
    score: int | None
    score_label: str
    earlier: int | None
    change: float | None
    evidence: dict[str, str]


@dataclass
class SectionView:
    section: Section
    score: float | None
    earlier: float | None
    change: float | None
    statements: list[StatementView]


@dataclass
class AssessmentView:
    assessment: SelfAssessment
    group: Respondents
    label: str
    framework: Framework
    earlier_round: AssessmentRound | None
    score: float | None
    earlier_score: float | None
    change: float | None
    sections: list[SectionView] = field(default_factory=list)

    @property
    def scored(self) -> int:
        return sum(1 for s in self.sections for t in s.statements if t.score is not None)


def assessment_view(target: SelfAssessment) -> AssessmentView:
    framework = framework_of(target.round)
    before = previous(target)
    now_scores, earlier_scores = scores_of(target), scores_of(before)
    evidence = {a.statement: a.evidence or {} for a in target.answers}
    sections = []
    for section in framework.sections:
        statements = [
            StatementView(
                statement,
                now_scores.get(statement.key),
                framework.scale_label(now_scores.get(statement.key)),
                earlier_scores.get(statement.key),
                difference(now_scores.get(statement.key), earlier_scores.get(statement.key)),
                evidence.get(statement.key, {}),
            )
            for statement in section.statements
        ]
        now, earlier = section_score(section, now_scores), section_score(section, earlier_scores)
        sections.append(SectionView(section, now, earlier, difference(now, earlier), statements))
    group = Respondents(target.respondents)
    overall_now = overall_score(framework, now_scores)
    overall_before = overall_score(framework, earlier_scores) if before else None
    return AssessmentView(
        target,
        group,
        RESPONDENT_LABELS[group],
        framework,
        before.round if before else None,
        overall_now,
        overall_before,
        difference(overall_now, overall_before),
        sections,
    )


@dataclass
class RoundView:
    round: AssessmentRound
    framework: Framework
    staff: AssessmentView
    young_people: AssessmentView

    @property
    def groups(self) -> list[AssessmentView]:
        return [self.staff, self.young_people]


def round_view(assessment_round: AssessmentRound) -> RoundView:
    return RoundView(
        assessment_round,
        framework_of(assessment_round),
        assessment_view(assessment(assessment_round, Respondents.STAFF)),
        assessment_view(assessment(assessment_round, Respondents.YOUNG_PEOPLE)),
    )
