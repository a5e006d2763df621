"""The demo's board pack PDF says what the database holds (issue 23, bar 2).

The pack is built as a board member gets it (the job, then the PDF's own text), and every
figure checked is counted here straight from the rows, with the rules written again in
tests/app/board/independent.py: the front page's theme figures and decisions, the plan's
milestones by colour, the board's replies since the last meeting, the self-assessment's change
per section and the outcomes against their targets.
"""

from __future__ import annotations

import re

import sqlalchemy as sa

from app.board import pack
from app.board.models import BoardMeeting
from app.core.clock import today
from app.core.extensions import db
from forum.models import BoardReply
from surveys.models import Answer, Question, Response
from surveys.services import round_by_slug
from surveys.themes.models import Coding, Theme, coding_theme
from tests.app.board.independent import (
    milestone_counts,
    outcome_sentences,
    pdf_text,
    section_scores,
    words,
)

SPRING, AUTUMN = "Spring (fictional demo)", "Autumn (fictional demo)"


def _shares_by_theme(round_id: int, code: str) -> dict[str, str]:
    """Each top-level theme's share of the complete responses whose answer to ``code`` has a
    first-pass coding, as the pack writes a share ("30%")."""
    themes = {t.id: t for t in db.session.scalars(sa.select(Theme))}
    coded: set[int] = set()
    seen: dict[str, set[int]] = {}
    rows = db.session.execute(
        sa.select(Answer.response_id, coding_theme.c.theme_id)
        .select_from(Coding)
        .join(Answer, Answer.id == Coding.answer_id)
        .join(Question, Question.id == Answer.question_id)
        .join(Response, Response.id == Answer.response_id)
        .outerjoin(coding_theme, coding_theme.c.coding_id == Coding.id)
        .where(
            Coding.round_id == round_id,
            Response.round_id == round_id,
            Coding.pass_no == 1,
            Question.code == code,
            Response.status == "complete",
            Answer.skipped.is_(False),
        )
    )
    for response_id, theme_id in rows:
        coded.add(response_id)
        if theme_id is None:
            continue
        theme = themes[theme_id]
        top = themes[theme.parent_id] if theme.parent_id else theme
        seen.setdefault(top.name, set()).add(response_id)
    return {name: f"{100 * len(ids) / len(coded):.0f}%" for name, ids in seen.items()}


def _between(text: str, start: str, end: str) -> str:
    begin = text.index(start)
    return text[begin : text.index(end, begin + len(start))]


def test_the_demo_pack_matches_counts_taken_from_the_rows(demo):
    with demo.test_request_context():
        survey_round = round_by_slug("nb2026")
        job, _ = pack.request_pack(survey_round)
        built = pack.build_pack(job.id)
        assert built.status == "done", built.stage
        text = pdf_text(built.pdf)
        on = today()
        best = _shares_by_theme(survey_round.id, "Q4")
        worst = _shares_by_theme(survey_round.id, "Q5")
        plan = milestone_counts(on)
        last = db.session.scalar(
            sa.select(sa.func.max(BoardMeeting.held_on)).where(BoardMeeting.held_on < on)
        )
        replies = db.session.scalars(sa.select(BoardReply).where(BoardReply.heard_on >= last)).all()
        sections = {
            group: (
                section_scores(AUTUMN, group, "baker-dixon"),
                section_scores(SPRING, group, "baker-dixon"),
            )
            for group in ("staff", "young_people")
        }
        outcomes = outcome_sentences(2026)

    # The front page: every theme it names has the share of coded people counted here, and
    # the outcomes are drafted beside the themes: met targets work well, missed ones improve.
    front = _between(text, "Front page", "Contents")
    well = _between(front, "What is working well", "What needs to improve")
    improve = _between(front, "What needs to improve", "Decisions the board is asked")
    named = 0
    for part, counts in ((well, best), (improve, worst)):
        for name, expected in counts.items():
            for shown in re.findall(rf"{re.escape(name)} \((\d+%) of those whose answers", part):
                assert shown == expected, name
                named += 1
    assert named >= 2
    for sentence in outcomes:
        assert sentence in (well if ", met" in sentence else improve), sentence
    assert "Agree free bus travel for care leavers up to 25 (fictional demo)" in front

    # The rest is read after the contents page (whose lines name the same headings).
    text = text[list(re.finditer(r"\.{5,} \d+", text))[-1].end() :]

    # The plan: milestones by rolled-up colour.
    assert (
        f"{plan['red']} red, {plan['amber']} amber, {plan['green']} green, "
        f"{plan['blue']} achieved." in _between(text, "The New Belongings plan", "Forum report")
    )
    assert sum(plan.values()) == 13

    # The board's replies since the last board meeting: each one, and no more.
    forum = _between(text, "The forum asked, the board said", "Care leavers' outcomes")
    assert replies
    assert forum.count("The board said (") == len(replies)
    for reply in replies:
        assert " ".join(reply.ask.split()) in forum

    # The self-assessment's change per section, for staff and for young people.
    assessment = _between(text, "Self-assessment Staff and young people", "Compared with")
    for group, (now, then) in sections.items():
        moved = {title: now[title] - then[title] for title in now if title in then}
        best_title = max(moved, key=lambda t: moved[t])
        worst_title = min(moved, key=lambda t: moved[t])
        label = "staff" if group == "staff" else "young people"
        assert (
            f"the {label}'s best change was \u201c{best_title}\u201d ({words(moved[best_title])}) "
            f"and the weakest was \u201c{worst_title}\u201d ({words(moved[worst_title])})"
        ) in assessment
        for title, score in now.items():
            row = f"{title} {score:.1f} {then[title]:.1f} {words(score - then[title])}"
            assert row in assessment, (title, row)

    # Outcomes against their targets and England's and neighbours' figures.
    section = text[text.index("Care leavers' outcomes The council") :]
    for sentence in outcomes:
        assert sentence in section
