"""Questionnaires and survey rounds: loading the built-in questionnaire, running rounds.

The built-in questionnaire ships as a TOML file in surveys/questionnaires/ and is loaded into the
database as version 1 of its key. A version is locked the first time a round uses it; edits then
go into a new draft version copied from it (see ``copy_to_draft``).
"""

from __future__ import annotations

import functools
import secrets
import tomllib
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.extensions import db
from app.staff.audit.services import record
from app.staff.authority.services import settings_version, use_read_only_copy
from surveys import locked_questionnaires
from surveys.models import Question, Questionnaire, Response, RoundStatus, SurveyRound
from surveys.response_rate import record_eligible_at_opening
from surveys.wellbeing import MODULE_FILE, MODULE_KEY

QUESTIONNAIRES_DIR = Path(__file__).parent / "questionnaires"
BUILT_IN = "new-belongings-2015"
# The shipped editions a round can use: the 2015 questionnaire as the guide prints it, and the
# 2026 edition (the same but Q3, which adds "in another way" in the person's words and "prefer
# not to say"). Each is loaded as version 1 of its own key the first time a round is set up.
EDITION_2026 = "new-belongings-2026"
SHIPPED = (BUILT_IN, EDITION_2026)
SLUG_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class RoundInvalid(ValueError):
    """A round cannot be saved or changed as asked; the message says why."""


def _shipped(name: str) -> dict:
    return tomllib.loads((QUESTIONNAIRES_DIR / f"{name}.toml").read_text(encoding="utf-8"))


def shipped_questionnaire_header(name: str) -> dict:
    """A shipped edition's key, version and title, read from its file (nothing stored)."""
    data = _shipped(name)
    return {"key": data["key"], "version": data["version"], "title": data["title"]}


def load_questionnaire_file(name: str = BUILT_IN) -> Questionnaire:
    """Load a shipped questionnaire into the database (once; returns the existing one after)."""
    data = _shipped(name)
    existing = db.session.scalar(
        sa.select(Questionnaire).where(
            Questionnaire.key == data["key"], Questionnaire.version == data["version"]
        )
    )
    if existing:
        return existing
    questionnaire = Questionnaire(
        key=data["key"],
        version=data["version"],
        title=data["title"],
        introduction=data.get("introduction", ""),
        closing=data.get("closing", ""),
        acknowledgement=data.get("acknowledgement", ""),
        status="draft",
    )
    for index, q in enumerate(data["questions"], start=1):
        questionnaire.questions.append(
            Question(
                position=index,
                code=q["code"],
                section=q.get("section", ""),
                kind=q["kind"],
                web_text=q["web_text"],
                hint=q.get("hint", ""),
                sms_text=q.get("sms_text", ""),
                paper_text=q.get("paper_text", ""),
                options=q.get("options", []),
                max_items=q.get("max_items", 3),
                scale_min_label=q.get("scale_min_label", ""),
                scale_max_label=q.get("scale_max_label", ""),
            )
        )
    db.session.add(questionnaire)
    db.session.commit()
    return questionnaire


def questionnaires() -> list[Questionnaire]:
    """Questionnaires a round can use and staff can edit: not the well-being module, which is
    asked as the ONS wrote it and only ever added to a round (``RoundDetails.wellbeing``)."""
    return list(
        db.session.scalars(
            sa.select(Questionnaire)
            .where(Questionnaire.key != MODULE_KEY)
            .order_by(Questionnaire.key, Questionnaire.version.desc())
        )
    )


def wellbeing_module() -> Questionnaire:
    """The personal well-being module (ONS4), loaded from its file the first time and locked:
    its wording is never edited (surveys/wellbeing.py)."""
    module = load_questionnaire_file(MODULE_FILE)
    if not module.is_locked:
        module.status = "locked"
        db.session.commit()
    return module


def copy_to_draft(source: Questionnaire) -> Questionnaire:
    """A new draft version of ``source`` that staff can edit; the source stays as it was."""
    latest = db.session.scalar(
        sa.select(sa.func.max(Questionnaire.version)).where(Questionnaire.key == source.key)
    )
    draft = Questionnaire(
        key=source.key,
        version=(latest or 0) + 1,
        title=source.title,
        introduction=source.introduction,
        closing=source.closing,
        acknowledgement=source.acknowledgement,
        status="draft",
        based_on_id=source.id,
    )
    for q in source.questions:
        draft.questions.append(
            Question(
                position=q.position,
                code=q.code,
                section=q.section,
                kind=q.kind,
                web_text=q.web_text,
                hint=q.hint,
                sms_text=q.sms_text,
                paper_text=q.paper_text,
                options=[dict(o) for o in q.options or []],
                max_items=q.max_items,
                scale_min_label=q.scale_min_label,
                scale_max_label=q.scale_max_label,
            )
        )
    db.session.add(draft)
    db.session.flush()
    record("questionnaire.copy", draft, detail=f"from version {source.version}")
    db.session.commit()
    return draft


# --- Rounds ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundDetails:
    name: str
    questionnaire_id: int
    opens_on: date
    closes_on: date
    target_rate: int = 30
    cohort_size: int | None = None
    channels: tuple[str, ...] = ("web",)
    wellbeing: bool = False  # ask the personal well-being questions (ONS4) after the others


def new_slug() -> str:
    """A short, unguessable-enough public link part, easy to type from a poster: /s/k7mq2x."""
    while True:
        slug = "".join(secrets.choice(SLUG_ALPHABET) for _ in range(6))
        if not db.session.scalar(sa.select(SurveyRound.id).where(SurveyRound.slug == slug)):
            return slug


def _check(details: RoundDetails) -> None:
    if details.closes_on < details.opens_on:
        raise RoundInvalid("The closing date must be the same as or after the opening date")
    if not 1 <= details.target_rate <= 100:
        raise RoundInvalid("The target response rate must be between 1 and 100")
    if details.cohort_size is not None and details.cohort_size < 0:
        raise RoundInvalid("The number of care leavers must be 0 or more")
    if not details.channels:
        raise RoundInvalid("Choose at least one way for people to answer")


def create_round(details: RoundDetails, *, slug: str | None = None) -> SurveyRound:
    _check(details)
    survey_round = SurveyRound(
        name=details.name.strip(),
        slug=slug or new_slug(),
        questionnaire_id=details.questionnaire_id,
        opens_on=details.opens_on,
        closes_on=details.closes_on,
        target_rate=details.target_rate,
        cohort_size=details.cohort_size,
        channels=list(details.channels),
        wellbeing_module_id=wellbeing_module().id if details.wellbeing else None,
    )
    db.session.add(survey_round)
    db.session.flush()
    record("round.create", survey_round, detail=survey_round.name)
    db.session.commit()
    return survey_round


def update_round(survey_round: SurveyRound, details: RoundDetails) -> SurveyRound:
    _check(details)
    if (
        survey_round.status != RoundStatus.DRAFT
        and details.questionnaire_id != survey_round.questionnaire_id
    ):
        raise RoundInvalid("You cannot change the questionnaire once the round has opened")
    if survey_round.status != RoundStatus.DRAFT and details.wellbeing != (
        survey_round.wellbeing_module_id is not None
    ):
        raise RoundInvalid(
            "You cannot add or remove the well-being questions once the round has opened"
        )
    survey_round.name = details.name.strip()
    survey_round.questionnaire_id = details.questionnaire_id
    survey_round.opens_on, survey_round.closes_on = details.opens_on, details.closes_on
    survey_round.target_rate, survey_round.cohort_size = details.target_rate, details.cohort_size
    survey_round.channels = list(details.channels)
    survey_round.wellbeing_module_id = wellbeing_module().id if details.wellbeing else None
    record("round.update", survey_round)
    db.session.commit()
    return survey_round


def open_round(survey_round: SurveyRound) -> SurveyRound:
    """Open for answers. The questionnaire version it uses is locked from now on."""
    if survey_round.status == RoundStatus.OPEN:
        return survey_round
    survey_round.status = RoundStatus.OPEN.value
    survey_round.questionnaire.status = "locked"
    record_eligible_at_opening(survey_round)  # the response rate's denominator, fixed now
    record("round.open", survey_round)
    db.session.commit()
    return survey_round


def close_round(survey_round: SurveyRound) -> SurveyRound:
    if survey_round.status == RoundStatus.CLOSED:
        return survey_round
    survey_round.status = RoundStatus.CLOSED.value
    # Resume codes expire when the round closes.

    db.session.execute(
        sa.update(Response).where(Response.round_id == survey_round.id).values(resume_hash=None)
    )
    record("round.close", survey_round)
    db.session.commit()
    return survey_round


@functools.cache
def round_by_slug_statement() -> sa.Select[tuple[SurveyRound]]:
    """Built once, its parameters bound at each call: SQLAlchemy keeps a statement's cache key
    on the statement, so a survey page that reuses it skips rebuilding the select and its loader
    options and working out their key again. Built when first used, not on import: the loader
    options configure every mapper, which needs every model imported.

    With its questionnaire and questions in the same statement: every survey page reads them
    (two statements fewer per request than loading each when first read)."""
    return (
        sa.select(SurveyRound)
        .where(SurveyRound.slug == sa.bindparam("slug"))
        .options(
            so.joinedload(SurveyRound.questionnaire).joinedload(Questionnaire.questions),
            so.joinedload(SurveyRound.wellbeing_module).joinedload(Questionnaire.questions),
        )
    )


def resumable(round_id: Any) -> sa.ColumnElement[bool]:
    """The response a resume code leads to: in progress in round ``round_id``, its code's hash
    the ``resume_hash`` parameter (the one rule for the survey page and the resume form)."""
    return sa.and_(
        Response.round_id == round_id,
        Response.resume_hash == sa.bindparam("resume_hash"),
        Response.status == "in_progress",
    )


@functools.cache
def _public_round_statement() -> sa.Select[tuple[SurveyRound, datetime, Response]]:
    """The round's row, when the authority's settings last changed (for their read-only copy,
    app/staff/authority/services.py), and the in-progress response whose resume code hashes to
    ``resume_hash`` with its answers (none when the hash is NULL), all in one statement: one
    shape for every survey page, so PostgreSQL runs it prepared. Its questionnaire comes from
    surveys/locked_questionnaires.py."""
    return (
        sa.select(SurveyRound, settings_version(), Response)
        .outerjoin(Response, resumable(SurveyRound.id))
        .options(so.joinedload(Response.answers))
        .where(SurveyRound.slug == sa.bindparam("slug"))
    )


def public_round(
    slug: str, resume_hash: str | None = None
) -> tuple[SurveyRound, Response | None] | None:
    """A round as the public survey pages read it on every request, and the in-progress
    response whose resume code hashes to ``resume_hash`` (None without one): the round's own
    row from the database (staff change its status and dates while it runs), its locked
    questionnaire and questions from the process's copy (surveys/locked_questionnaires.py), and
    the authority's settings from theirs while unchanged, in the same statement. Read-only use:
    staff pages, commands and demos load rounds with ``round_by_slug``."""
    if not slug.isalnum() or len(slug) > 40:
        return None
    row = (
        db.session.execute(
            _public_round_statement(), {"slug": slug.lower(), "resume_hash": resume_hash}
        )
        .unique()
        .first()
    )
    if row is None:
        return None
    survey_round, settings_changed, response = row
    use_read_only_copy(settings_changed)
    return locked_questionnaires.attach(survey_round), response


def round_by_slug(slug: str) -> SurveyRound | None:
    if not slug.isalnum() or len(slug) > 40:
        return None
    return (
        db.session.scalars(round_by_slug_statement(), {"slug": slug.lower()}).unique().one_or_none()
    )


def rounds() -> list[SurveyRound]:
    return list(db.session.scalars(sa.select(SurveyRound).order_by(SurveyRound.opens_on.desc())))
