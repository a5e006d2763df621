"""Fictional demo for the plan and the board-forum loop (issue 23). Everything here is made up
for the Northbridge demo and says so: the plan's aims, objectives and milestone owners, a board
reply to a forum ask, the forum's presentations to the board, its monitoring of actions, and the
board's front page for the current round.

It runs after the forum and board demos (it reads their milestones, actions and meetings) and
is idempotent: if the plan already has aims, nothing is added.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from app.board import front_page, services
from app.board.models import BoardMeeting
from app.core import clock
from app.core.extensions import db
from app.staff.auth.models import StaffUser
from forum import monitoring, presentations
from forum import services as forum_services
from forum.models import (
    Action,
    ForumMeeting,
    ItemSource,
    Milestone,
    MilestoneStatus,
    Plan,
    PlanObjective,
    YouSaid,
)
from surveys.rounds.demo import CURRENT_SLUG
from surveys.services import round_by_slug

AIMS = (
    "Fictional demo. Every care leaver in Northbridge feels they belong: a settled home, "
    "someone to turn to, enough money, and a say in what changes."
)
OBJECTIVES = [
    (
        "Care leavers can reach their PA when they need to",
        "Fewer say they could not reach their PA in the survey",
        "Under 10% by the 2027 survey",
    ),
    (
        "First homes are safe, settled and furnished",
        "More say they feel safe at home",
        "85% by the 2027 survey",
    ),
    (
        "Care leavers have enough money to live on",
        "Fewer name money among the worst things",
        "A fall of 10 points",
    ),
    (
        "The forum is heard and answered by the board",
        "Every forum ask has a board reply",
        "Within two board meetings",
    ),
]
EXTRA_MILESTONES = [
    "A care leaver champion in every council service",
    "Free bus travel for care leavers up to 25",
    "A drop-in hub open two evenings a week",
]
OWNERS = ["Leaving care manager", "Housing lead", "Head of service", "Participation lead"]


def _staff(email: str) -> StaffUser | None:
    return db.session.scalar(sa.select(StaffUser).where(StaffUser.email == email))


def seed_loop_demo() -> None:
    plan = db.session.scalar(sa.select(Plan).limit(1))
    if plan is not None and plan.aims:
        return
    worker = _staff("worker@northbridge.example")
    if worker is None:
        return
    today = clock.today()
    forum_services.save_plan(
        {
            "aims": AIMS,
            "lead": "Head of service for care leavers (fictional)",
            "resources": "The leaving care team, the participation worker (0.5), a £20,000 "
            "forum budget, housing and council tax teams",
            "timeline": f"April {today.year} to March {today.year + 2}",
            "public_summary": "This is our plan to make leaving care better, written with the "
            "forum. It is a demo: the council and the plan are made up.",
        },
        worker,
    )
    if not forum_services.objectives():
        for n, (text, measure, target) in enumerate(OBJECTIVES, start=1):
            db.session.add(
                PlanObjective(text=text, success_measure=measure, target=target, position=n)
            )
    milestones = list(db.session.scalars(sa.select(Milestone).order_by(Milestone.position)))
    start = len(milestones)
    for n, title in enumerate(EXTRA_MILESTONES, start=start + 1):
        if title not in {m.title for m in milestones}:
            milestone = Milestone(title=title, position=n, due_on=today + timedelta(days=60 * n))
            db.session.add(milestone)
            milestones.append(milestone)
    for n, milestone in enumerate(milestones):
        milestone.owner = milestone.owner or OWNERS[n % len(OWNERS)]
    if milestones:
        milestones[-1].due_on = today - timedelta(days=10)  # one late milestone, honestly shown
    for milestone in milestones[:2]:
        milestone.status = MilestoneStatus.IN_PROGRESS.value
    db.session.flush()
    # The new milestones get actions linked from the items already there.
    loose = list(db.session.scalars(sa.select(Action).order_by(Action.id)))[-3:]
    for action, milestone in zip(loose, milestones[start:], strict=False):
        action.milestone_id = milestone.id
    db.session.commit()

    _board_reply(worker, today)
    _presentations(worker, today)
    _forum_reviews(worker)
    _front_page(worker)


def _board_reply(worker: StaffUser, today) -> None:
    meeting = db.session.scalar(
        sa.select(BoardMeeting).order_by(BoardMeeting.held_on.desc()).limit(1)
    )
    asked = db.session.scalar(
        sa.select(YouSaid)
        .where(YouSaid.source == ItemSource.FORUM.value, YouSaid.published_on.is_not(None))
        .order_by(YouSaid.id)
        .limit(1)
    )
    if meeting is None or asked is None:
        return
    forum_services.record_board_reply(
        asked,
        {
            "reply": "Thank you for telling us. We agree, and every service will check its "
            "part before the next board meeting. (Fictional demo reply.)",
            "decision": "The head of service reports back at the next meeting",
        },
        meeting.held_on,
        worker,
        meeting.id,
    )


def _presentations(worker: StaffUser, today) -> None:
    for days, topic, who in (
        (-42, "What the forum did this year", "Chair and two members"),
        (48, "The survey results, in our words", "Peer researchers"),
        (140, "Is the plan working? The forum's check", "Chair and a young inspector"),
    ):
        presentations.add_presentation(
            today + timedelta(days=days),
            "Corporate parenting board",
            topic + " (fictional demo)",
            who,
            worker,
        )


def _forum_reviews(worker: StaffUser) -> None:
    meeting = db.session.scalar(
        sa.select(ForumMeeting).order_by(ForumMeeting.held_on.desc()).limit(1)
    )
    actions = list(db.session.scalars(sa.select(Action).order_by(Action.id).limit(5)))
    if meeting is None:
        return
    answers = [
        ("yes", 4, "Fictional: the new starter packs are good."),
        ("partly", 2, "Fictional: some of us still wait weeks."),
        ("no", 1, "Fictional: nothing has changed yet."),
        ("dont_know", None, ""),
        ("yes", 5, ""),
    ]
    for action, (happened, satisfied, comment) in zip(actions, answers, strict=False):
        monitoring.record_review(
            meeting, monitoring.ReviewValues(action.id, happened, satisfied, comment), worker
        )


def _front_page(worker: StaffUser) -> None:
    survey_round = round_by_slug(CURRENT_SLUG)
    if survey_round is None:
        return
    page = front_page.view(services.dashboard(survey_round))
    front_page.save(
        survey_round,
        page.draft_well,
        page.draft_improve,
        "Agree free bus travel for care leavers up to 25 (fictional demo)\n"
        "Ask housing to report how long care leavers wait for a first home",
        worker,
    )
