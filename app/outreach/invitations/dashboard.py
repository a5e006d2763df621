"""The response-rate dashboard for a round: eligible, invited, reached, responded.

Definitions (each figure is a count of people, computed from the database every time):
- eligible: contacts eligible for the round by the one rule (app/outreach/contacts/
  eligibility.py: 16 to 25 on the round's opening date, consent given, not "do not contact",
  not opted out), plus invitations to this round whose contact has since been erased or become
  ineligible, so erasure never makes the rate jump;
- invited: invitations to the round; reached: invitations with at least one message sent or
  printed; bounced: invitations whose text failed;
- responded: complete responses to the round, by every channel (invited or not: the survey's
  anonymity means we cannot tell). The rate is responded / eligible, against the round's
  target (Bright Spots asks for at least 30%).
- by channel: invitations by the channel they were sent on (one person may have several), and
  responses by the channel they answered on;
- by day: cumulative complete responses by day since the round opened, with the target line
  and the previous round at the same day;
- by age band and team: invitations and completed invitations (only invitations know a team).
Every breakdown cell from 1 to 4 shows as "fewer than 5" (app/core/disclosure.py); headline totals
and the whole-round cumulative line are not breakdowns of a group and are shown as they are.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import sqlalchemy as sa

from app.core.charts import OKABE_ITO, STYLE, finish
from app.core.clock import today
from app.core.disclosure import suppress
from app.core.extensions import db
from app.outreach.contacts.eligibility import is_eligible, reference_date
from app.outreach.contacts.models import CHANNEL_LABELS, Contact, ContactMessage
from app.outreach.contacts.services import DataQuality, data_quality
from app.outreach.invitations.models import Invitation
from app.outreach.invitations.services import refresh_reached
from surveys.models import CHANNEL_LABELS as RESPONSE_CHANNEL_LABELS
from surveys.models import Channel, Response, SurveyRound


@dataclass(frozen=True)
class BreakdownRow:
    label: str
    invited: int | str
    completed: int | str
    rate: str


@dataclass(frozen=True)
class DayRow:
    day: date
    number: int  # days since the round opened, from 1
    responded: int
    target: int
    previous: int | None


@dataclass(frozen=True)
class Dashboard:
    survey_round: SurveyRound
    previous_round: SurveyRound | None
    eligible: int
    invited: int
    reached: int
    bounced: int
    completed_invitations: int
    responded: int
    target_rate: int
    target_count: int
    by_invitation_channel: list[tuple[str, int | str, int | str]]  # label, invited, reached
    by_response_channel: list[tuple[str, int | str]]
    by_day: list[DayRow]
    by_age_band: list[BreakdownRow]
    by_team: list[BreakdownRow]
    quality: DataQuality

    @property
    def rate(self) -> int | None:
        return math.floor(self.responded * 100 / self.eligible + 0.5) if self.eligible else None

    @property
    def takeaway(self) -> str:
        if self.rate is None:
            return "No care leavers on the contact list yet, so there is no response rate."
        gap = self.target_count - self.responded
        if gap <= 0:
            return (
                f"{self.rate}% have answered: the {self.target_rate}% target is reached "
                f"({self.responded} of {self.eligible})."
            )
        return (
            f"{self.rate}% have answered ({self.responded} of {self.eligible}); "
            f"{gap} more answers reach the {self.target_rate}% target."
        )


def _rate(part: int, whole: int) -> str:
    if not whole or isinstance(suppress(part), str) or isinstance(suppress(whole), str):
        return "not shown"
    return f"{math.floor(part * 100 / whole + 0.5)}%"


def _breakdown(rows: list[tuple[str, bool]], labels: list[str]) -> list[BreakdownRow]:
    found = []
    for label in labels:
        invited = sum(1 for key, _done in rows if key == label)
        completed = sum(1 for key, done in rows if key == label and done)
        found.append(
            BreakdownRow(
                label=label or "Not known",
                invited=suppress(invited),
                completed=suppress(completed),
                rate=_rate(completed, invited),
            )
        )
    return found


def eligible_count(survey_round: SurveyRound) -> int:
    """Contacts eligible for the round (app.outreach.contacts.eligibility, the one rule), plus
    invitations to it whose contact has since been erased or become ineligible, so erasure or a
    withdrawn consent never makes the rate jump."""
    on = reference_date(survey_round)
    contacts = list(db.session.scalars(sa.select(Contact)))
    eligible = {c.id for c in contacts if is_eligible(c, on)}
    invited = db.session.scalars(
        sa.select(Invitation.contact_id).where(Invitation.round_id == survey_round.id)
    )
    no_longer = sum(1 for contact_id in invited if contact_id not in eligible)
    return len(eligible) + no_longer


def previous_round(survey_round: SurveyRound) -> SurveyRound | None:
    return db.session.scalar(
        sa.select(SurveyRound)
        .where(SurveyRound.opens_on < survey_round.opens_on, SurveyRound.status != "draft")
        .order_by(SurveyRound.opens_on.desc())
        .limit(1)
    )


def _completed_by_day(survey_round: SurveyRound) -> dict[date, int]:
    rows = db.session.execute(
        sa.select(Response.completed_on, sa.func.count(Response.id))
        .where(Response.round_id == survey_round.id, Response.status == "complete")
        .group_by(Response.completed_on)
    ).all()
    return {day: count for day, count in rows if day is not None}


def _cumulative(per_day: dict[date, int], opens_on: date, days: int) -> list[int]:
    totals, running = [], sum(n for d, n in per_day.items() if d < opens_on)
    for offset in range(days):
        running += per_day.get(opens_on + timedelta(days=offset), 0)
        totals.append(running)
    return totals


def dashboard(survey_round: SurveyRound, on: date | None = None) -> Dashboard:
    on = on or today()
    invitations = list(
        db.session.scalars(sa.select(Invitation).where(Invitation.round_id == survey_round.id))
    )
    refresh_reached(invitations)
    eligible = eligible_count(survey_round)
    responded = db.session.scalar(
        sa.select(sa.func.count(Response.id)).where(
            Response.round_id == survey_round.id, Response.status == "complete"
        )
    )
    target_count = math.ceil(eligible * survey_round.target_rate / 100)

    sent_channels = db.session.execute(
        sa.select(ContactMessage.channel, ContactMessage.invitation_id, ContactMessage.status)
        .join(Invitation, Invitation.id == ContactMessage.invitation_id)
        .where(Invitation.round_id == survey_round.id, ContactMessage.kind == "invitation")
    ).all()
    by_invitation_channel = []
    for channel in ("sms", "email", "letter"):
        invited = {i for c, i, _s in sent_channels if c == channel}
        reached = {i for c, i, s in sent_channels if c == channel and s in ("sent", "printed")}
        if invited or channel in (survey_round.channels or []):
            by_invitation_channel.append(
                (CHANNEL_LABELS[channel], suppress(len(invited)), suppress(len(reached)))
            )
    response_channels = dict(
        db.session.execute(
            sa.select(Response.channel, sa.func.count(Response.id))
            .where(Response.round_id == survey_round.id, Response.status == "complete")
            .group_by(Response.channel)
        )
        .tuples()
        .all()
    )
    by_response_channel = [
        (RESPONSE_CHANNEL_LABELS[c], suppress(response_channels.get(c.value, 0)))
        for c in Channel
        if c.value in response_channels or c.value in (survey_round.channels or [])
    ]

    last_day = min(on, survey_round.closes_on)
    span = max((last_day - survey_round.opens_on).days + 1, 1)
    mine = _cumulative(_completed_by_day(survey_round), survey_round.opens_on, span)
    before = previous_round(survey_round)
    theirs: list[int] = []
    if before is not None:
        their_span = (before.closes_on - before.opens_on).days + 1
        theirs = _cumulative(_completed_by_day(before), before.opens_on, min(span, their_span))
    by_day = [
        DayRow(
            day=survey_round.opens_on + timedelta(days=n),
            number=n + 1,
            responded=mine[n],
            target=target_count,
            previous=theirs[n] if n < len(theirs) else None,
        )
        for n in range(span)
    ]

    pairs_age = [(i.age_band, i.is_completed) for i in invitations]
    bands = sorted({b for b, _ in pairs_age}, key=lambda b: (b == "", b == "other", b))
    pairs_team = [(i.team, i.is_completed) for i in invitations]
    team_names = sorted({t for t, _ in pairs_team}, key=lambda t: (t == "", t))
    return Dashboard(
        survey_round=survey_round,
        previous_round=before,
        eligible=eligible,
        invited=len(invitations),
        reached=sum(1 for i in invitations if i.reached),
        bounced=sum(1 for i in invitations if i.bounced),
        completed_invitations=sum(1 for i in invitations if i.is_completed),
        responded=int(responded or 0),
        target_rate=survey_round.target_rate,
        target_count=target_count,
        by_invitation_channel=by_invitation_channel,
        by_response_channel=by_response_channel,
        by_day=by_day,
        by_age_band=_breakdown(pairs_age, bands),
        by_team=_breakdown(pairs_team, team_names),
        quality=data_quality(on),
    )


def alt_text(board: Dashboard) -> str:
    last = board.by_day[-1] if board.by_day else None
    previous = (
        f" {board.previous_round.name} had {last.previous} by the same day."
        if last and last.previous is not None and board.previous_round
        else ""
    )
    return (
        f"Line chart of answers received so far, day by day, against the target of "
        f"{board.target_count}. {board.takeaway}{previous}"
    )


def chart_svg(board: Dashboard) -> str:
    days = [row.number for row in board.by_day]
    with plt.rc_context(STYLE):
        figure, axes = plt.subplots(figsize=(7.5, 3.6))
        axes.plot(
            days,
            [r.responded for r in board.by_day],
            color=OKABE_ITO[0],
            linewidth=2.2,
            label=board.survey_round.name,
        )
        previous = [(r.number, r.previous) for r in board.by_day if r.previous is not None]
        if previous and board.previous_round:
            axes.plot(
                [d for d, _ in previous],
                [v for _, v in previous],
                color=OKABE_ITO[1],
                linestyle="--",
                linewidth=1.8,
                label=f"{board.previous_round.name} (same day)",
            )
        axes.axhline(
            board.target_count,
            color=OKABE_ITO[3],
            linestyle=":",
            linewidth=1.6,
            label=f"Target {board.target_rate}% ({board.target_count})",
        )
        axes.set_xlim(1, max(days[-1] if days else 1, 2))
        axes.set_ylim(0, max([board.target_count, board.responded, 1]) * 1.15)
        axes.set_xlabel("Days since the round opened")
        axes.set_ylabel("Answers received")
        axes.set_title(f"Answers so far: {board.survey_round.name}", loc="left", fontsize=11)
        axes.legend(loc="upper left", frameon=False, fontsize=8)
        return finish(figure, axes)
