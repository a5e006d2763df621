"""Themes: the rules for codebooks, the coding queue, agreement, quotes, results and exports.

Decisions:
- What is coded: each piece of free text (``engine.free_text``) in the *complete* responses of a
  round, so words still being changed by someone half way through are not coded yet.
- Peer researchers see only the piece of text and its question: never contacts, never the rest
  of the response, never safeguarding flags. Answers that raised a safeguarding flag are left
  out of their queue altogether (a participation worker codes those), so a peer researcher is
  never the one who meets a disclosure.
- Saving is compare-and-set on the coding's version (SQLAlchemy ``version_id_col``): a save made
  from an out-of-date page raises ``CodingConflict`` carrying what the other coder chose.
- The double-coding sample is chosen by a hash of the answer, not at random, so it stays the same
  as answers arrive and every coder sees the same sample. Second coding is blind: the second
  coder sees neither the first coding nor suggestions learned from it.
- A theme in use is never deleted: it is merged into another theme, moving its codings.
- The coded-answers export streams (issue 20), like the responses export: one statement, an
  answer's rows made as soon as they are read, so a round of any size fits in memory.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import time
import tomllib
from collections import Counter, defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.core import clock
from app.core.extensions import db
from app.core.spreadsheets import Sheet, csv_lines, xlsx_file
from app.core.text import clean_text
from app.staff.audit.models import AuditEvent
from app.staff.audit.services import record
from app.staff.auth.models import Role, StaffUser
from surveys.engine import free_text
from surveys.models import Answer, Question, Response, SurveyRound
from surveys.rounds.services import STREAM_ROWS, spreadsheet_safe
from surveys.safeguarding.models import SafeguardingFlag
from surveys.themes import redaction, semantic
from surveys.themes.agreement import theme_kappas
from surveys.themes.models import (
    Codebook,
    Coding,
    Quote,
    QuoteAudience,
    Sentiment,
    Theme,
    coding_theme,
)
from surveys.themes.suggestions import Suggester, Suggestion, ThemeRule

STARTER_CODEBOOK = Path(__file__).parent / "starter_codebook.toml"
MAX_EXAMPLES, MAX_KEYWORDS = 30, 200


class ThemesError(Exception):
    """A rule of coding was broken; the message says what to do."""


class AnswerGone(ThemesError):
    pass


class CodingInvalid(ThemesError):
    pass


class ThemeInvalid(ThemesError):
    pass


class ThemeInUse(ThemesError):
    pass


class QuoteInvalid(ThemesError):
    pass


class CodingConflict(ThemesError):
    """Someone else saved this piece of text since the coder opened it."""

    def __init__(self, current: Coding):
        super().__init__(
            "Someone else coded this answer while you were working. Here is what they chose."
        )
        self.current = current


# --- The starter codebook ---------------------------------------------------------------


def starter_data() -> dict[str, Any]:
    return tomllib.loads(STARTER_CODEBOOK.read_text(encoding="utf-8"))


def starter_rules() -> list[ThemeRule]:
    return [
        ThemeRule(t["key"], t["name"], t.get("parent"), tuple(t["keywords"]), tuple(t["examples"]))
        for t in starter_data()["themes"]
    ]


# --- Codebooks and themes -----------------------------------------------------------------


def codebook_for(survey_round: SurveyRound) -> Codebook | None:
    return db.session.scalar(sa.select(Codebook).where(Codebook.round_id == survey_round.id))


def previous_codebook(survey_round: SurveyRound) -> Codebook | None:
    """The codebook of the latest round that opened before this one."""
    return db.session.scalar(
        sa.select(Codebook)
        .join(SurveyRound, Codebook.round_id == SurveyRound.id)
        .where(SurveyRound.id != survey_round.id, SurveyRound.opens_on <= survey_round.opens_on)
        .order_by(SurveyRound.opens_on.desc(), SurveyRound.id.desc())
        .limit(1)
    )


def create_codebook(survey_round: SurveyRound) -> Codebook:
    """The round's codebook: copied from the last round's, or from the starter codebook."""
    existing = codebook_for(survey_round)
    if existing:
        return existing
    source = previous_codebook(survey_round)
    codebook = Codebook(round=survey_round)
    db.session.add(codebook)
    if source:
        codebook.source = f"Copied from {source.round.name}"[:120]
        codebook.double_code_percent = source.double_code_percent
        rows: list[dict[str, Any]] = [
            {
                "key": t.key,
                "name": t.name,
                "parent": t.parent.key if t.parent else None,
                "description": t.description,
                "examples": list(t.examples),
                "keywords": list(t.keywords),
            }
            for t in source.themes
        ]
    else:
        data = starter_data()
        codebook.source = data["name"]
        rows = data["themes"]
    by_key: dict[str, Theme] = {}
    for position, row in enumerate(rows, start=1):
        theme = Theme(
            key=row["key"],
            name=row["name"],
            description=row.get("description", ""),
            examples=list(row.get("examples", [])),
            keywords=list(row.get("keywords", [])),
            position=position,
        )
        codebook.themes.append(theme)
        by_key[theme.key] = theme
    for row in rows:
        if row.get("parent") in by_key:
            by_key[row["key"]].parent = by_key[row["parent"]]
    record("codebook.create", codebook, detail=codebook.source)
    db.session.commit()
    return codebook


def themes_in_order(codebook: Codebook) -> list[Theme]:
    """Top-level themes each followed by their sub-themes."""
    children: dict[int | None, list[Theme]] = defaultdict(list)
    for theme in codebook.themes:
        children[theme.parent_id].append(theme)
    ordered: list[Theme] = []

    def walk(parent_id: int | None) -> None:
        for theme in children.get(parent_id, []):
            ordered.append(theme)
            walk(theme.id)

    walk(None)
    seen = {t.id for t in ordered}
    ordered.extend(t for t in codebook.themes if t.id not in seen)  # defensive: no orphans lost
    return ordered


def get_theme(codebook: Codebook, theme_id: int) -> Theme | None:
    theme = db.session.get(Theme, theme_id)
    return theme if theme and theme.codebook_id == codebook.id else None


def _lines(text: str, limit: int, length: int) -> list[str]:
    items = [clean_text(line)[:length] for line in (text or "").splitlines()]
    return [i for i in items if i][:limit]


def save_theme(
    codebook: Codebook,
    theme: Theme | None,
    *,
    name: str,
    description: str,
    parent_id: int | None,
    examples: str,
    keywords: str,
) -> Theme:
    name = clean_text(name)[:120]
    if not name:
        raise ThemeInvalid("Enter a name for the theme")
    clash = db.session.scalar(
        sa.select(Theme).where(
            Theme.codebook_id == codebook.id, sa.func.lower(Theme.name) == name.lower()
        )
    )
    if clash and clash is not theme:
        raise ThemeInvalid(f"There is already a theme called '{clash.name}'. Choose another name")
    parent = get_theme(codebook, parent_id) if parent_id else None
    if parent and (parent is theme or parent.parent_id is not None):
        raise ThemeInvalid("Choose a top-level theme as the parent, or none")
    if theme is None:
        theme = Theme(
            codebook=codebook, key=_new_key(codebook, name), position=_next_position(codebook)
        )
        db.session.add(theme)
        action = "theme.create"
    else:
        action = "theme.update"
    theme.name = name
    theme.description = clean_text(description)[:2000]
    theme.parent = parent
    theme.examples = _lines(examples, MAX_EXAMPLES, 500)
    theme.keywords = [k.lower() for k in _lines(keywords, MAX_KEYWORDS, 60)]
    db.session.flush()
    record(action, theme, detail=name)
    db.session.commit()
    return theme


def _new_key(codebook: Codebook, name: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:50] or "theme"
    keys = {t.key for t in codebook.themes}
    key, n = base, 2
    while key in keys:
        key, n = f"{base}_{n}", n + 1
    return key


def _next_position(codebook: Codebook) -> int:
    return max((t.position for t in codebook.themes), default=0) + 1


def theme_use(theme: Theme) -> int:
    # A count is never NULL, but scalar() is typed as maybe None.
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(coding_theme)
            .where(coding_theme.c.theme_id == theme.id)
        )
        or 0
    )


def delete_theme(theme: Theme, merge_into: Theme | None = None) -> None:
    """Delete an unused theme, or merge a used one into ``merge_into`` (its codings move)."""
    used = theme_use(theme)
    if used and merge_into is None:
        raise ThemeInUse(
            f"'{theme.name}' is used in {used} coded {'answer' if used == 1 else 'answers'}. "
            "Choose a theme to merge it into"
        )
    if merge_into is not None and (
        merge_into is theme or merge_into.codebook_id != theme.codebook_id
    ):
        raise ThemeInvalid("Choose a different theme from this codebook to merge into")
    if merge_into is not None:
        already = sa.select(coding_theme.c.coding_id).where(
            coding_theme.c.theme_id == merge_into.id
        )
        db.session.execute(
            sa.delete(coding_theme).where(
                coding_theme.c.theme_id == theme.id, coding_theme.c.coding_id.in_(already)
            )
        )
        db.session.execute(
            sa.update(coding_theme)
            .where(coding_theme.c.theme_id == theme.id)
            .values(theme_id=merge_into.id)
        )
        db.session.execute(
            sa.update(Quote).where(Quote.theme_id == theme.id).values(theme_id=merge_into.id)
        )
        merge_into.examples = [*merge_into.examples, *theme.examples][:MAX_EXAMPLES]
        merge_into.keywords = list(dict.fromkeys([*merge_into.keywords, *theme.keywords]))
    for child in list(theme.codebook.themes):
        if child.parent_id == theme.id:
            child.parent_id = theme.parent_id
    detail = f"{theme.name} merged into {merge_into.name}" if merge_into else theme.name
    record("theme.merge" if merge_into else "theme.delete", theme, detail=detail)
    db.session.delete(theme)
    db.session.commit()
    db.session.expire_all()


def removed_themes_message(codebook: Codebook, theme_ids: list[int]) -> str | None:
    """Why ticked themes are not in the codebook any more, naming them, or None if every one
    is there. A deleted theme's name survives only in the audit log (``delete_theme``)."""
    present = {t.id for t in codebook.themes}
    gone = [str(i) for i in dict.fromkeys(theme_ids) if i not in present]
    if not gone:
        return None
    events = db.session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.object_type == "Theme",
            AuditEvent.object_id.in_(gone),
            AuditEvent.action.in_(["theme.delete", "theme.merge"]),
        )
    )
    said = {e.object_id: e for e in events}
    parts = []
    for theme_id in gone:
        event = said.get(theme_id)
        if event is None or not event.detail:
            parts.append("A theme you ticked has been deleted")
        elif event.action == "theme.merge":
            name, _, into = event.detail.partition(" merged into ")
            parts.append(f"The theme '{name}' has been merged into '{into}'")
        else:
            parts.append(f"The theme '{event.detail}' has been deleted")
    return (
        ". ".join(dict.fromkeys(parts))
        + " while you were coding. Check the themes ticked below and save again"
    )


def set_double_coding(codebook: Codebook, percent: int) -> None:
    if not 0 <= percent <= 100:
        raise ThemeInvalid("Enter a number from 0 to 100")
    codebook.double_code_percent = percent
    record("codebook.double_coding", codebook, detail=f"{percent}%")
    db.session.commit()


# --- Units of coding ---------------------------------------------------------------------


@dataclass
class Unit:
    """One piece of free text to code."""

    answer_id: int
    part: int
    text: str
    question: Question
    response_id: int
    channel: str
    age: int | None = None

    @property
    def ref(self) -> tuple[int, int]:
        return (self.answer_id, self.part)


def _free_text_questions(survey_round: SurveyRound) -> dict[int, Question]:
    return {q.id: q for q in survey_round.questionnaire.questions if q.is_free_text}


def _coded_answers(
    survey_round: SurveyRound, questions: Collection[int], *columns: Any
) -> sa.Select[Any]:
    """``columns`` of the answers whose free text is coded (the module's first decision): not
    skipped, to one of ``questions`` (free-text question ids), in the round's complete
    responses. The one copy of that rule, for the coding queue and the export."""
    return (
        sa.select(*columns)
        .select_from(Answer)
        .join(Response, Answer.response_id == Response.id)
        .where(
            Response.round_id == survey_round.id,
            Response.status == "complete",
            Answer.skipped.is_(False),
            Answer.question_id.in_(list(questions)),
        )
    )


def units(
    survey_round: SurveyRound, *, question_code: str = "", for_peer: bool = False
) -> list[Unit]:
    """Every piece of free text in the round's complete responses, in questionnaire order."""
    questions = _free_text_questions(survey_round)
    if question_code:
        questions = {i: q for i, q in questions.items() if q.code == question_code}
    if not questions:
        return []
    query = _coded_answers(
        survey_round,
        questions,
        Answer.id,
        Answer.question_id,
        Answer.value,
        Response.id,
        Response.channel,
    ).order_by(Answer.id)
    if for_peer:
        flagged = sa.select(SafeguardingFlag.answer_id).where(
            SafeguardingFlag.answer_id.is_not(None)  # NOT IN a list with a NULL matches nothing
        )
        query = query.where(Answer.id.not_in(flagged))
    ages = _ages(survey_round)
    result = []
    for answer_id, question_id, value, response_id, channel in db.session.execute(query):
        question = questions[question_id]
        for part, text in enumerate(free_text(value)):
            result.append(
                Unit(answer_id, part, text, question, response_id, channel, ages.get(response_id))
            )
    result.sort(key=lambda u: u.question.position)  # stable: answers stay in order
    return result


def _ages(survey_round: SurveyRound) -> dict[int, int]:
    rows = db.session.execute(
        sa.select(Answer.response_id, Answer.value)
        .join(Response, Answer.response_id == Response.id)
        .join(Question, Answer.question_id == Question.id)
        .where(Response.round_id == survey_round.id, Question.kind == "date_of_birth")
    )
    return {rid: value["age"] for rid, value in rows if value and "age" in value}


def get_unit(survey_round: SurveyRound, answer_id: int, part: int, *, for_peer: bool = False):
    row = db.session.execute(
        sa.select(Answer, Question, Response)
        .join(Question, Answer.question_id == Question.id)
        .join(Response, Answer.response_id == Response.id)
        .where(
            Answer.id == answer_id,
            Response.round_id == survey_round.id,
            Response.status == "complete",
        )
    ).first()
    if row is None:
        return None
    answer, question, response = row
    texts = free_text(None if answer.skipped else answer.value)
    if not 0 <= part < len(texts) or not question.is_free_text:
        return None
    if for_peer and db.session.scalar(
        sa.select(SafeguardingFlag.id).where(SafeguardingFlag.answer_id == answer.id)
    ):
        return None
    return Unit(answer.id, part, texts[part], question, response.id, response.channel)


def codings(survey_round: SurveyRound, pass_no: int = 1) -> dict[tuple[int, int], Coding]:
    rows = db.session.scalars(
        sa.select(Coding)
        .join(Answer, Answer.id == Coding.answer_id)
        .where(Coding.round_id == survey_round.id, Coding.pass_no == pass_no)
        .options(so.joinedload(Coding.themes))  # every caller reads them: in the same statement
    ).unique()
    return {(c.answer_id, c.part): c for c in rows}


def coded_refs(survey_round: SurveyRound, pass_no: int = 1) -> set[tuple[int, int]]:
    """Which pieces of text are coded in this pass: what the queue and its progress need, read
    without loading each coding and its themes."""
    rows = db.session.execute(
        sa.select(Coding.answer_id, Coding.part)
        .join(Answer, Answer.id == Coding.answer_id)
        .where(Coding.round_id == survey_round.id, Coding.pass_no == pass_no)
    )
    return {(answer_id, part) for answer_id, part in rows}


def coding_for(answer_id: int, part: int, pass_no: int = 1) -> Coding | None:
    return db.session.scalar(
        sa.select(Coding).where(
            Coding.answer_id == answer_id, Coding.part == part, Coding.pass_no == pass_no
        )
    )


def in_sample(codebook: Codebook, answer_id: int, part: int) -> bool:
    """Whether a piece of text is in the double-coding sample (stable: a hash, not random)."""
    if codebook.double_code_percent <= 0:
        return False
    digest = hashlib.sha256(f"{codebook.round_id}:{answer_id}:{part}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < codebook.double_code_percent


def queue(
    survey_round: SurveyRound,
    codebook: Codebook,
    user: StaffUser,
    *,
    pass_no: int = 1,
    question_code: str = "",
) -> list[Unit]:
    """The pieces of text this coder may code in this pass, coded or not, in order."""
    for_peer = user.role_enum == Role.PEER_RESEARCHER
    items = units(survey_round, question_code=question_code, for_peer=for_peer)
    if pass_no == 2:
        first = codings(survey_round, 1)
        items = [
            u
            for u in items
            if in_sample(codebook, *u.ref) and u.ref in first and first[u.ref].coder_id != user.id
        ]
    return items


def next_to_code(
    items: list[Unit], done: Collection[tuple[int, int]], after: tuple[int, int] | None = None
) -> Unit | None:
    """The first uncoded piece after ``after`` (wrapping round to the start)."""
    start = 0
    if after is not None:
        refs = [u.ref for u in items]
        start = refs.index(after) + 1 if after in refs else 0
    for unit in items[start:] + items[:start]:
        if unit.ref not in done:
            return unit
    return None


def neighbour(items: list[Unit], ref: tuple[int, int], step: int) -> Unit | None:
    refs = [u.ref for u in items]
    if ref not in refs:
        return None
    index = refs.index(ref) + step
    return items[index] if 0 <= index < len(items) else None


@dataclass
class QuestionProgress:
    code: str
    wording: str
    coded: int
    total: int

    @property
    def to_do(self) -> int:
        return self.total - self.coded


def progress(items: list[Unit], done: Collection[tuple[int, int]]) -> list[QuestionProgress]:
    rows: dict[str, QuestionProgress] = {}
    for unit in items:
        row = rows.setdefault(
            unit.question.code, QuestionProgress(unit.question.code, unit.question.web_text, 0, 0)
        )
        row.total += 1
        row.coded += unit.ref in done
    return list(rows.values())


# --- Saving a coding -----------------------------------------------------------------------


def save_coding(
    survey_round: SurveyRound,
    codebook: Codebook,
    *,
    answer_id: int,
    part: int,
    pass_no: int,
    theme_ids: list[int],
    sentiment: str | None,
    notable: bool,
    seen_version: int,
    coder: StaffUser,
) -> Coding:
    """Save a coding made from a page that showed version ``seen_version`` (0: not coded yet).

    Raises AnswerGone if the answer was deleted, CodingConflict if someone else saved it since.
    """
    for_peer = coder.role_enum == Role.PEER_RESEARCHER
    if get_unit(survey_round, answer_id, part, for_peer=for_peer) is None:
        raise AnswerGone(
            "This answer has been deleted, so it cannot be coded. Here is the next one."
        )
    chosen = [t for t in codebook.themes if t.id in set(theme_ids)]
    if not chosen:
        raise CodingInvalid("Choose at least one theme, or skip this answer")
    if sentiment and sentiment not in {s.value for s in Sentiment}:
        raise CodingInvalid("Choose positive, negative or mixed")
    coding = coding_for(answer_id, part, pass_no)
    current_version = coding.version if coding else 0
    if current_version != seen_version:
        if coding is None:  # a version for a coding that does not exist: a stale or made-up form
            raise CodingInvalid("This page was out of date. Choose the themes again")
        raise CodingConflict(coding)
    if coding is None:
        coding = Coding(round_id=survey_round.id, answer_id=answer_id, part=part, pass_no=pass_no)
        db.session.add(coding)
    coding.themes = chosen
    coding.sentiment = sentiment or None
    coding.notable = notable
    coding.coder_id = coder.id
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError):
        # Saved by someone else between our read and our write.
        db.session.rollback()
        current = coding_for(answer_id, part, pass_no)
        if current is None:  # pragma: no cover - deleted in the same instant
            raise AnswerGone("This answer has just been deleted.") from None
        raise CodingConflict(current) from None
    db.session.commit()
    return coding


# --- Suggestions -----------------------------------------------------------------------------

_SUGGESTER_CACHE: dict[Any, tuple[float, tuple, Suggester]] = {}
RELEARN_SECONDS = 15.0


def theme_rules(codebook: Codebook) -> list[ThemeRule]:
    keys = {t.id: t.key for t in codebook.themes}
    return [
        ThemeRule(
            t.key,
            t.name,
            keys.get(t.parent_id) if t.parent_id else None,
            tuple(t.keywords or ()),
            tuple(t.examples or ()),
        )
        for t in codebook.themes
    ]


def training_data(
    survey_round: SurveyRound, *, exclude: tuple[int, int] | None = None
) -> list[tuple[str, list[str]]]:
    """(text, theme keys) for every first coding in this round and earlier rounds."""
    rows = db.session.execute(
        sa.select(Coding.id, Coding.answer_id, Coding.part, Answer.value, Theme.key)
        .join(Answer, Answer.id == Coding.answer_id)
        .join(SurveyRound, SurveyRound.id == Coding.round_id)
        .join(coding_theme, coding_theme.c.coding_id == Coding.id)
        .join(Theme, Theme.id == coding_theme.c.theme_id)
        .where(Coding.pass_no == 1, SurveyRound.opens_on <= survey_round.opens_on)
    ).all()
    texts: dict[int, str] = {}
    keys: dict[int, list[str]] = defaultdict(list)
    for coding_id, answer_id, part, value, key in rows:
        if exclude == (answer_id, part):
            continue
        pieces = free_text(value)
        if part < len(pieces):
            texts[coding_id] = pieces[part]
            keys[coding_id].append(key)
    return [(texts[c], keys[c]) for c in texts]


def suggester_for(survey_round: SurveyRound, codebook: Codebook) -> Suggester:
    """The codebook's suggester, kept per process.

    Rebuilt at once when keyword rules or examples change; new codings are learned from at most
    ``RELEARN_SECONDS`` later, so saving one answer after another stays quick.
    """
    rules = theme_rules(codebook)
    cache_key = (str(db.engine.url), codebook.id, survey_round.id, hash(tuple(rules)))
    now = time.monotonic()
    cached = _SUGGESTER_CACHE.get(cache_key)
    # Tests share one process across many databases: there, always check for new codings.
    window = 0 if current_app.testing else RELEARN_SECONDS
    if cached is not None and now - cached[0] < window:
        return cached[2]
    stamp = tuple(
        db.session.execute(
            sa.select(
                sa.func.count(Coding.id),
                sa.func.max(Coding.updated_at),
                sa.func.sum(Coding.version),
            ).where(Coding.pass_no == 1)
        ).one()
    )
    if cached is not None and cached[1] == stamp:
        _SUGGESTER_CACHE[cache_key] = (now, stamp, cached[2])
        return cached[2]
    suggester = Suggester(rules, training_data(survey_round))
    _SUGGESTER_CACHE.clear()  # one codebook at a time is plenty
    _SUGGESTER_CACHE[cache_key] = (now, stamp, suggester)
    return suggester


def suggest(
    survey_round: SurveyRound, codebook: Codebook, text: str, *, pass_no: int = 1
) -> list[Suggestion]:
    if pass_no == 2:
        # Blind: learning from the first coding would show the second coder its choices.
        return Suggester(theme_rules(codebook)).suggest(text, limit=5)
    suggestions = suggester_for(survey_round, codebook).suggest(text, limit=5)

    return semantic.add_suggestions(codebook, text, suggestions)


def suggest_file(rows: list[dict[str, str]], round_slug: str = "") -> list[dict[str, str]]:
    """For `flask themes suggest`: each row plus its top 3 suggested top-level theme names."""
    suggester = _file_suggester(round_slug)
    result = []
    for row in rows:
        text = (row.get("answer") or "").strip()
        found = suggester.suggest(text, limit=3, top_level=True) if text else []
        out = dict(row)
        for n in range(3):
            out[f"theme_{n + 1}"] = found[n].name if n < len(found) else ""
        out["why"] = " | ".join(f"{s.name}: {s.why}" for s in found)
        result.append(out)
    return result


def _file_suggester(round_slug: str) -> Suggester:
    """The named round's codebook and learning, else the latest round with a codebook (so the
    seeded demo's learning counts), else the starter codebook alone."""
    try:
        query = sa.select(Codebook).join(SurveyRound, Codebook.round_id == SurveyRound.id)
        if round_slug:
            query = query.where(SurveyRound.slug == round_slug)
        codebook = db.session.scalar(query.order_by(SurveyRound.opens_on.desc()).limit(1))
    except sa.exc.SQLAlchemyError:  # no database yet: the starter codebook still works
        db.session.rollback()
        codebook = None
    if codebook is None:
        if round_slug:
            raise ThemesError(f"No round '{round_slug}' with a codebook")
        return Suggester(starter_rules())
    return Suggester(theme_rules(codebook), training_data(codebook.round))


# --- Agreement -------------------------------------------------------------------------------


@dataclass
class Disagreement:
    unit: Unit
    first: Coding
    second: Coding

    @property
    def only_first(self) -> list[Theme]:
        second = {t.id for t in self.second.themes}
        return [t for t in self.first.themes if t.id not in second]

    @property
    def only_second(self) -> list[Theme]:
        first = {t.id for t in self.first.themes}
        return [t for t in self.second.themes if t.id not in first]


@dataclass
class AgreementReport:
    sample_size: int
    double_coded: int
    overall: float | None
    by_theme: list[tuple[Theme, float | None, int]]  # theme, kappa, times used by either coder
    disagreements: list[Disagreement] = field(default_factory=list)


def agreement_report(survey_round: SurveyRound, codebook: Codebook) -> AgreementReport:
    items = {u.ref: u for u in units(survey_round)}
    first, second = codings(survey_round, 1), codings(survey_round, 2)
    sample = [r for r in items if in_sample(codebook, *r)]
    pairs = [(first[r], second[r]) for r in sample if r in first and r in second]
    themes = themes_in_order(codebook)
    keys = [t.id for t in themes]
    coder_a = [{t.id for t in a.themes} for a, _ in pairs]
    coder_b = [{t.id for t in b.themes} for _, b in pairs]
    overall, per_theme = theme_kappas(coder_a, coder_b, keys)
    by_theme = [
        (t, per_theme[t.id], sum(t.id in a for a in coder_a) + sum(t.id in b for b in coder_b))
        for t in themes
    ]
    disagreements = [
        Disagreement(items[(a.answer_id, a.part)], a, b)
        for a, b in pairs
        if {t.id for t in a.themes} != {t.id for t in b.themes}
    ]
    return AgreementReport(len(sample), len(pairs), overall, by_theme, disagreements)


# --- Quotes and redaction ----------------------------------------------------------------------


def known_names(contact_names: list[str] | None = None) -> set[str]:
    """Names to look for: every member of staff, plus a contacts list when one is passed."""
    staff = db.session.scalars(sa.select(StaffUser.name))
    return redaction.name_parts([*staff, *(contact_names or [])])


def propose_redaction(text: str) -> redaction.Proposal:
    return redaction.propose(text, known_names())


@dataclass
class QuoteCandidate:
    unit: Unit
    coding: Coding
    proposal: redaction.Proposal
    quote: Quote | None


def quote_candidates(survey_round: SurveyRound) -> list[QuoteCandidate]:
    items = {u.ref: u for u in units(survey_round)}
    quotes = {
        (q.answer_id, q.part): q
        for q in db.session.scalars(sa.select(Quote).where(Quote.round_id == survey_round.id))
    }
    names = known_names()
    result = []
    for ref, coding in codings(survey_round, 1).items():
        if coding.notable and ref in items:
            proposal = redaction.propose(items[ref].text, names)
            result.append(QuoteCandidate(items[ref], coding, proposal, quotes.get(ref)))
    return result


def approve_quote(
    survey_round: SurveyRound,
    unit: Unit,
    *,
    text: str,
    audience: str,
    theme: Theme | None,
    approver: StaffUser,
) -> Quote:
    """Approve a redacted quote. Refused while it still contains anything that could identify."""
    if approver.role_enum != Role.PARTICIPATION_WORKER:
        raise QuoteInvalid("Only a participation worker can approve quotes")
    text = clean_text(text)[:2000]
    if not text:
        raise QuoteInvalid("Enter the quote as it should appear")
    left = redaction.find(text, known_names())
    if left:
        kinds = ", ".join(sorted({f.kind for f in left}))
        raise QuoteInvalid(
            f"The quote still contains something that could identify someone "
            f"({kinds}). Replace it with a label like [name]"
        )
    if audience not in {a.value for a in QuoteAudience}:
        raise QuoteInvalid("Choose who the quote is for")
    quote = db.session.scalar(
        sa.select(Quote).where(Quote.answer_id == unit.answer_id, Quote.part == unit.part)
    )
    if quote is None:
        quote = Quote(round_id=survey_round.id, answer_id=unit.answer_id, part=unit.part)
        db.session.add(quote)
    quote.text, quote.audience, quote.theme = text, audience, theme
    quote.approved_by_id, quote.approved_on = approver.id, clock.today()
    db.session.flush()
    record("quote.approve", quote, detail=f"{audience}: {text[:200]}", actor=approver)
    db.session.commit()
    return quote


def approved_quote_for(answer_id: int, part: int) -> Quote | None:
    return db.session.scalar(
        sa.select(Quote).where(Quote.answer_id == answer_id, Quote.part == part)
    )


def withdraw_quote(quote: Quote, actor: StaffUser) -> None:
    record("quote.withdraw", quote, detail=quote.text[:200], actor=actor)
    db.session.delete(quote)
    db.session.commit()


def approved_quotes(survey_round: SurveyRound) -> list[Quote]:
    return list(
        db.session.scalars(
            sa.select(Quote)
            .join(Answer, Answer.id == Quote.answer_id)
            .where(Quote.round_id == survey_round.id)
            .options(so.joinedload(Quote.theme))
            .order_by(Quote.id)
        )
    )


# --- Exports ----------------------------------------------------------------------------------

EXPORT_HEADER = [
    "Response",
    "Question code",
    "Question",
    "Part",
    "Answer",
    "Coded",
    "Themes",
    "Sentiment",
    "Notable quote",
]


@dataclass
class _Piece:
    """The first-pass coding of one piece of text, as the export reads it."""

    sentiment: str | None
    notable: bool
    theme_ids: list[int] = field(default_factory=list)


def export_table(survey_round: SurveyRound) -> tuple[list[str], Iterator[list[Any]]]:
    """Headers and rows of the coded-answers export: one row per piece of text, then one
    column per theme holding 1 (ticked) or 0, blank while the piece is not coded yet, so an
    analyst can count a theme by summing its column.

    ``rows`` is an iterator that reads the answers as it goes (``_export_rows``). It holds only
    plain values, never a model object: a streamed CSV reads its rows after the request's
    teardown has closed the session that loaded the round (a new session reads them)."""
    codebook = codebook_for(survey_round)
    labels = {t.id: t.label for t in themes_in_order(codebook)} if codebook else {}
    questions = {i: (q.code, q.web_text) for i, q in _free_text_questions(survey_round).items()}
    headers = [*EXPORT_HEADER, *[f"Theme: {label}" for label in labels.values()]]
    if not questions:
        return headers, iter(())
    return headers, _export_rows(_export_query(survey_round, questions), questions, labels)


def _export_query(survey_round: SurveyRound, questions: Collection[int]) -> sa.Select[Any]:
    """Every answer that is coded (``units``' answers) with its pieces' first-pass codings and
    their themes (a row for each theme ticked), in the queue's order: questionnaire order, then
    answer key, then piece; a piece's themes by id, as the export has always listed them.
    Streamed from the database ``STREAM_ROWS`` at a time."""
    return (
        _coded_answers(
            survey_round,
            questions,
            Answer.id,
            Answer.question_id,
            Answer.value,
            Answer.response_id,
            Coding.id,
            Coding.part,
            Coding.sentiment,
            Coding.notable,
            coding_theme.c.theme_id,
        )
        .join(Question, Question.id == Answer.question_id)
        .outerjoin(
            Coding,
            sa.and_(
                Coding.answer_id == Answer.id,
                Coding.round_id == survey_round.id,
                Coding.pass_no == 1,
            ),
        )
        .outerjoin(coding_theme, coding_theme.c.coding_id == Coding.id)
        .order_by(Question.position, Answer.id, Coding.part, coding_theme.c.theme_id)
        .execution_options(yield_per=STREAM_ROWS)
    )


def _export_rows(
    query: sa.Select[Any], questions: dict[int, tuple[str, str]], labels: dict[int, str]
) -> Iterator[list[Any]]:
    """One statement (``_export_query``); an answer's rows are made once its joined rows have
    all been read, so an export of any size holds one answer's codings, not the round's."""
    columns = list(labels)  # the theme columns' order, the codebook's
    names = dict(labels)
    for _, joined in itertools.groupby(db.session.execute(query), key=lambda row: row[0]):
        rows = list(joined)  # one answer's: a row for each piece coded and theme ticked
        _, question_id, value, response_id = rows[0][:4]
        pieces: dict[int, _Piece] = {}
        for *_, coding_id, part, sentiment, notable, theme_id in rows:
            if coding_id is not None:
                piece = pieces.setdefault(part, _Piece(sentiment, bool(notable)))
                if theme_id is not None:
                    piece.theme_ids.append(theme_id)
        code, wording = questions[question_id]
        for part, text in enumerate(free_text(value)):
            coded = pieces.get(part)
            ticked = coded.theme_ids if coded else []
            yield [
                response_id,
                code,
                wording,
                part + 1,
                spreadsheet_safe(text),
                "yes" if coded else "",
                spreadsheet_safe("; ".join(_theme_label(names, i) for i in ticked)),
                (coded.sentiment or None) if coded else None,
                "yes" if coded and coded.notable else "",
                *[(1 if theme_id in ticked else 0) if coded else None for theme_id in columns],
            ]


def _theme_label(names: dict[int, str], theme_id: int) -> str:
    if theme_id not in names:  # defensive: a theme outside the codebook, read once
        theme = db.session.get(Theme, theme_id)
        names[theme_id] = theme.label if theme else ""
    return names[theme_id]


def _pieces(survey_round: SurveyRound) -> int:
    """How many rows the export has (pieces of text to code), for its audit line: read as a
    stream of the answers' values, so counting holds no more than the export does."""
    query = _coded_answers(survey_round, _free_text_questions(survey_round), Answer.value)
    values = db.session.scalars(query.execution_options(yield_per=STREAM_ROWS))
    return sum(len(free_text(value)) for value in values)


def _audited_export(survey_round: SurveyRound, kind: str) -> tuple[list[str], Iterator[list[Any]]]:
    """The export's headers and rows, with its audit line committed before any row is read."""
    record("themes.export", survey_round, detail=f"{kind}, {_pieces(survey_round)} rows")
    db.session.commit()
    return export_table(survey_round)


def export_coded_csv(survey_round: SurveyRound) -> Iterator[bytes]:
    """The CSV, line by line (a streamed response)."""
    return csv_lines(*_audited_export(survey_round, "csv"))


def export_coded_xlsx_file(survey_round: SurveyRound) -> IO[bytes]:
    """The workbook, written row by row into an unnamed temporary file (``xlsx_file``)."""
    headers, rows = _audited_export(survey_round, "xlsx")
    return xlsx_file([Sheet("Coded answers", itertools.chain([headers], rows), freeze="F2")])


def theme_counts_by_key(survey_round: SurveyRound) -> Counter[str]:
    """How many coded pieces of text carry each theme key (used by the demo and tests)."""
    counts: Counter[str] = Counter()
    for coding in codings(survey_round, 1).values():
        counts.update(t.key for t in coding.themes)
    return counts
