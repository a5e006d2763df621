"""The response-rate dashboard for a round: eligible, invited, reached, responded.

Definitions (each figure is a count of people):
- The response rate is the one definition in surveys/response_rate.py: completed responses from
  any channel (web, text, paper, interview) ÷ eligible care leavers on the contact list at the
  round's opening. The eligible count is recorded on the round when it opens (by the one rule,
  app/outreach/contacts/eligibility.py), so contacts imported or erased later do not move it;
  with no contact list at opening it is the staff's estimate, labelled so, or not known.
- invited: invitations to the round; reached: invitations with at least one message sent or
  printed; bounced: invitations whose text failed.
- responded: complete responses to the round, by every channel (invited or not: the survey's
  anonymity means we cannot tell), counted from the responses themselves, never from the
  invitations' completion flags.
- invitations marked completed: the flags that stop reminders. They are set by a daily job from
  sealed notices in shuffled batches of at least 5 (surveys/completion.py), so they lag by up to
  a day and move in steps; they are shown as that, and no rate is made from them.
- by channel: invitations by the channel they were sent on (one person may have several), and
  responses by the channel they answered on.
- by age band: completed responses by the age each person gave in their answers (the one
  band rule, surveys/age_bands.py). There is no rate per band: we do not know how many on the
  list at opening were in each band *and* who of them answered.
- by team: invitations and reached by team (only invitations know a team). No answers by team:
  a team is personal-side data that no response carries.
- by day: cumulative complete responses by day since the round opened (from the daily tallies:
  responses carry no date), with the target line and the previous round at the same day.

Disclosure control (app/core/disclosure.py, the one rule): every figure above goes into one
``Publication`` with the sums and limits that tie them (channels and bands add up to the
responses, teams to the invitations, reached within invited, each day's total within the next)
and is protected together: counts of 1 to 4 read "fewer than 5", and further cells are hidden
when the solver finds one could be worked out by subtraction. A rate is shown only when both of
its figures are. The day-by-day line is a whole-round total over time: its early days may read
"fewer than 5"; this page is for the participation team, who also see each response on the
round page, so per-day differences are not treated as a breakdown of a group.

The reach page ("who we have not heard from", reach.py) shows the same totals and teams with
more rows beside them (answered by team, age band and group). Its rows go into this page's
``Publication`` and are protected with it, once, so the two pages cannot be put side by side
to work a hidden cell out: ``reach_figures`` is the reach page. Every invitation marked
completed is a complete response, so the marked-completed count sits within the responses
(while it does: a response deleted later would break the tie, and then it is not claimed).

The round page (surveys/rounds, a layer below) shows the same responses in total, by channel
and by day, protected on its own. Its figures go into this page's ``Publication`` exactly as
that page shows them (``Publication.link``, ``_link_round_page``), tied to this page's, so this
page hides what it must for the two pages together.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from app.core.charts import OKABE_ITO, Key, Plotted, xy_chart_svg
from app.core.clock import today
from app.core.disclosure import Protected, Publication, TableKeys, is_suppressed
from app.core.extensions import db
from app.outreach.contacts.models import CHANNEL_LABELS, ContactMessage
from app.outreach.contacts.services import DataQuality, data_quality
from app.outreach.invitations import reach
from app.outreach.invitations.models import Invitation
from app.outreach.invitations.services import current_message_status, deliveries, with_outbound
from surveys.age_bands import complete_by_age_band
from surveys.models import CHANNEL_LABELS as RESPONSE_CHANNEL_LABELS
from surveys.models import Channel, Response, SurveyRound
from surveys.response_rate import (
    Basis,
    ResponseRate,
    completed_responses,
    percent,
    response_rate,
)
from surveys.rounds.services import COMPLETE as ROUND_COMPLETE
from surveys.rounds.services import round_publication
from surveys.rounds.tallies import completed_by_day

Shown = int | str  # a count, "fewer than 5" or "hidden to protect privacy"

HEADLINE = "headline"
RESPONDED = (HEADLINE, "responded")
INVITED = (HEADLINE, "invited")
REACHED = (HEADLINE, "reached")


@dataclass(frozen=True)
class TeamRow:
    label: str
    invited: Shown
    reached: Shown
    rate: str  # reached as a share of invited, or "not shown"


@dataclass(frozen=True)
class DayRow:
    day: date
    number: int  # days since the round opened, from 1
    responded: Shown
    target: int | None
    previous: Shown | None


@dataclass(frozen=True)
class Dashboard:
    survey_round: SurveyRound
    previous_round: SurveyRound | None
    rate_figures: ResponseRate  # the raw figures: only ``rate``/``takeaway`` may print them
    eligible: Shown | None
    invited: Shown
    reached: Shown
    bounced: Shown
    completed_invitations: Shown
    responded: Shown
    target_rate: int
    target_count: int | None
    by_invitation_channel: list[tuple[str, Shown, Shown]]  # label, invited, reached
    by_response_channel: list[tuple[str, Shown]]
    by_age_band: list[tuple[str, Shown]]  # band (from the answers), completed responses
    by_team: list[TeamRow]
    by_day: list[DayRow]
    quality: DataQuality
    hidden: int  # cells hidden by disclosure control, for the key
    reach: reach.Reach  # the reach page, protected together with this one

    @property
    def rate(self) -> int | None:
        if self.eligible is None or is_suppressed(self.eligible) or is_suppressed(self.responded):
            return None
        return self.rate_figures.percent

    @property
    def basis_label(self) -> str:
        if self.rate_figures.basis == Basis.ESTIMATE:
            return "Care leavers to ask (staff estimate)"
        return "Eligible when the round opened"

    @property
    def takeaway(self) -> str:
        if self.rate_figures.eligible is None:
            return self.rate_figures.summary
        if self.rate is None:
            return "Too few to show a response rate yet."
        return self.rate_figures.summary


def _rate_text(part: Shown, whole: Shown) -> str:
    if is_suppressed(part) or is_suppressed(whole) or not whole:
        return "not shown"
    return f"{percent(int(part), int(whole))}%"


def previous_round(survey_round: SurveyRound) -> SurveyRound | None:
    return db.session.scalar(
        sa.select(SurveyRound)
        .where(SurveyRound.opens_on < survey_round.opens_on, SurveyRound.status != "draft")
        .order_by(SurveyRound.opens_on.desc())
        .limit(1)
    )


def _completed_by_day(survey_round: SurveyRound, on: date) -> dict[date, int]:
    # From the daily tallies: responses carry no date (surveys/rounds/tallies.py).
    return completed_by_day(survey_round, on)


def _cumulative(per_day: dict[date, int], opens_on: date, days: int) -> list[int]:
    totals, running = [], sum(n for d, n in per_day.items() if d < opens_on)
    for offset in range(days):
        running += per_day.get(opens_on + timedelta(days=offset), 0)
        totals.append(running)
    return totals


def _ordered_line(figures: Publication, name: str, values: list[int], top: Hashable) -> None:
    """A cumulative line: each day within the next, the last within ``top``."""
    keys = [figures.add((name, n), v) for n, v in enumerate(values)]
    for earlier, later in zip(keys, [*keys[1:], top], strict=True):
        figures.within(earlier, later)


def dashboard(survey_round: SurveyRound, on: date | None = None) -> Dashboard:
    on = on or today()
    invitations = deliveries(survey_round)  # read-only: this page never writes
    rate = response_rate(survey_round)
    figures = Publication()

    # Headline figures.
    if rate.eligible is not None:
        figures.add((HEADLINE, "eligible"), rate.eligible, cost=50.0)
    figures.add(RESPONDED, rate.responded, cost=50.0)
    # The board pack says how many were sent a personal invitation, unprotected (app/board/
    # pack.py), so the solver takes it as published and never hides it here.
    figures.earlier(INVITED, len(invitations), len(invitations))
    figures.add(REACHED, sum(1 for i in invitations if i.reached), cost=20.0)
    figures.add((HEADLINE, "bounced"), sum(1 for i in invitations if i.bounced))
    figures.add((HEADLINE, "completed"), sum(1 for i in invitations if i.completed))
    for part in (REACHED, (HEADLINE, "bounced"), (HEADLINE, "completed")):
        figures.within(part, INVITED)
    if figures.values[(HEADLINE, "completed")] <= rate.responded:
        figures.within((HEADLINE, "completed"), RESPONDED)

    # Responses by channel and by age band: each adds up to the responses.
    response_channels = dict(
        db.session.execute(
            sa.select(Response.channel, sa.func.count(Response.id))
            .where(Response.round_id == survey_round.id, Response.status == "complete")
            .group_by(Response.channel)
        )
        .tuples()
        .all()
    )
    channels = [
        c
        for c in Channel
        if c.value in response_channels or c.value in (survey_round.channels or [])
    ]
    channel_table = figures.table(
        "answered by channel",
        {c.value: {"answers": response_channels.get(c.value, 0)} for c in channels},
        ["answers"],
        column_totals={"answers": RESPONDED},
        total=RESPONDED,
    )
    bands = complete_by_age_band(survey_round)
    band_table = figures.table(
        "answered by age band",
        {band: {"answers": n} for band, n in bands.items()},
        ["answers"],
        column_totals={"answers": RESPONDED},
        total=RESPONDED,
    )

    # Invitations by the channel they were sent on (one may use several): each within invited.
    sent = db.session.execute(
        with_outbound(
            sa.select(
                ContactMessage.channel, ContactMessage.invitation_id, current_message_status()
            )
        )
        .join(Invitation, Invitation.id == ContactMessage.invitation_id)
        .where(Invitation.round_id == survey_round.id, ContactMessage.kind == "invitation")
    ).all()
    sent_channels = []
    for channel in ("sms", "email", "letter"):
        invited = {i for c, i, _s in sent if c == channel}
        reached = {i for c, i, s in sent if c == channel and s in ("sent", "printed")}
        if invited or channel in (survey_round.channels or []):
            sent_channels.append(channel)
            figures.add(("sent", channel, "invited"), len(invited))
            figures.add(("sent", channel, "reached"), len(reached))
            figures.within(("sent", channel, "reached"), ("sent", channel, "invited"))
            figures.within(("sent", channel, "invited"), INVITED)

    # Invitations by team: teams add up to the invited and the reached.
    team_names = sorted({i.team for i in invitations}, key=lambda t: (t == "", t))
    for team in team_names:
        mine = [i for i in invitations if i.team == team]
        figures.add(("team", team, "invited"), len(mine))
        figures.add(("team", team, "reached"), sum(1 for i in mine if i.reached))
        figures.within(("team", team, "reached"), ("team", team, "invited"))
    if team_names:
        figures.adds_up([("team", t, "invited") for t in team_names], INVITED)
        figures.adds_up([("team", t, "reached") for t in team_names], REACHED)

    # Day by day, this round and the previous one at the same day.
    last_day = min(on, survey_round.closes_on)
    span = max((last_day - survey_round.opens_on).days + 1, 1)
    mine_by_day = _cumulative(_completed_by_day(survey_round, on), survey_round.opens_on, span)
    _ordered_line(figures, "day", mine_by_day, RESPONDED)
    before = previous_round(survey_round)
    theirs: list[int] = []
    if before is not None:
        their_span = (before.closes_on - before.opens_on).days + 1
        theirs = _cumulative(_completed_by_day(before, on), before.opens_on, min(span, their_span))
        if theirs:
            figures.add(("previous", "responded"), completed_responses(before), cost=50.0)
            _ordered_line(figures, "previous day", theirs, ("previous", "responded"))

    # The reach page's rows, under the same keys for the totals and the teams (reach.key), and
    # the round page's figures as it shows them (it is protected on its own, a layer below).
    page_keys = set(figures.values)
    reach_keys = reach.add_rows(figures, invitations)
    _link_round_page(figures, survey_round, on, channel_table, mine_by_day)

    shown = figures.protect()
    eligible = shown[(HEADLINE, "eligible")] if rate.eligible is not None else None
    target_count = rate.target_count if not is_suppressed(eligible) else None
    return Dashboard(
        survey_round=survey_round,
        previous_round=before,
        rate_figures=rate,
        eligible=eligible,
        invited=shown[INVITED],
        reached=shown[REACHED],
        bounced=shown[(HEADLINE, "bounced")],
        completed_invitations=shown[(HEADLINE, "completed")],
        responded=shown[RESPONDED],
        target_rate=survey_round.target_rate,
        target_count=target_count,
        by_invitation_channel=[
            (
                CHANNEL_LABELS[c],
                shown[("sent", c, "invited")],
                shown[("sent", c, "reached")],
            )
            for c in sent_channels
        ],
        by_response_channel=[
            (RESPONSE_CHANNEL_LABELS[c], shown[channel_table.cell(c.value, "answers")])
            for c in channels
        ],
        by_age_band=[(band, shown[band_table.cell(band, "answers")]) for band in bands],
        by_team=_team_rows(shown, team_names),
        by_day=[
            DayRow(
                day=survey_round.opens_on + timedelta(days=n),
                number=n + 1,
                responded=shown[("day", n)],
                target=target_count,
                previous=shown[("previous day", n)] if n < len(theirs) else None,
            )
            for n in range(span)
        ],
        quality=data_quality(on),
        hidden=sum(1 for k in shown.hidden if k in page_keys),
        reach=reach.read(shown, reach_keys, survey_round, invitations),
    )


def _link_round_page(
    figures: Publication,
    survey_round: SurveyRound,
    on: date,
    channel_table: TableKeys,
    so_far: list[int],
) -> None:
    """The round page's published figures, fixed, tied to this page's: the same complete
    responses, the same channels, and each day's answers so far the sum of its days up to then
    (the same daily tallies; only for today, the day the round page shows)."""
    page = round_publication(survey_round)
    theirs = figures.link(page.publication, page.shown, "round page")

    def tie(parts: list[Hashable], total: Hashable) -> None:
        # Only while the figures agree (a response changing between the two reads would break
        # the tie, and then it is not claimed).
        if (
            total in figures.values
            and sum(figures.values[p] for p in parts) == figures.values[total]
        ):
            figures.adds_up(parts, total)

    tie([theirs(ROUND_COMPLETE)], RESPONDED)
    for channel in page.raw.by_channel:
        mine = channel_table.cell(channel.channel, "answers")
        tie([theirs(page.channels.cell(channel.label, "complete"))], mine)
    if on != today():
        return
    for n in range(len(so_far)):
        last = survey_round.opens_on + timedelta(days=n)
        days = [d.day.isoformat() for d in page.raw.by_day if d.day <= last]
        tie([theirs(page.days.cell(d, "completed")) for d in days], ("day", n))


def reach_figures(survey_round: SurveyRound) -> reach.Reach:
    """The reach page: read from the dashboard's one publication (see the module's note)."""
    return dashboard(survey_round).reach


def _team_rows(shown: Protected, team_names: list[str]) -> list[TeamRow]:
    rows = []
    for team in team_names:
        invited, reached = shown[("team", team, "invited")], shown[("team", team, "reached")]
        rows.append(
            TeamRow(
                label=team or "Not known",
                invited=invited,
                reached=reached,
                rate=_rate_text(reached, invited),
            )
        )
    return rows


def alt_text(board: Dashboard) -> str:
    last = board.by_day[-1] if board.by_day else None
    previous = (
        f" {board.previous_round.name} had {last.previous} by the same day."
        if last and last.previous is not None and board.previous_round
        else ""
    )
    target = f", against the target of {board.target_count}" if board.target_count else ""
    return f"Line chart of answers received so far, day by day{target}. {board.takeaway}{previous}"


def _point(value: Shown | None) -> float | None:
    """A chart point; a hidden figure is a gap in the line, as in the table beside it."""
    return None if value is None or is_suppressed(value) else float(value)


def chart_svg(board: Dashboard) -> str:
    days = [row.number for row in board.by_day]
    lines = [
        Plotted(
            Key(board.survey_round.name, OKABE_ITO[0]),
            [(r.number, _point(r.responded)) for r in board.by_day],
            width=2.2,
        )
    ]
    previous = [(r.number, _point(r.previous)) for r in board.by_day if r.previous is not None]
    if previous and board.previous_round:
        lines.append(
            Plotted(
                Key(f"{board.previous_round.name} (same day)", OKABE_ITO[1], dash="6 3"),
                previous,
                width=1.8,
            )
        )
    end = max(days[-1] if days else 1, 2)
    if board.target_count is not None:
        target = float(board.target_count)
        lines.append(
            Plotted(
                Key(
                    f"Target {board.target_rate}% ({board.target_count})",
                    OKABE_ITO[3],
                    dash="1.5 2.5",
                ),
                [(1, target), (end, target)],
                width=1.6,
            )
        )
    highest = max(board.target_count or 0, _point(board.responded) or 0, 1)
    return xy_chart_svg(
        f"Answers so far: {board.survey_round.name}",
        lines,
        x_range=(1, end),
        y_top=highest * 1.15,
        x_label="Days since the round opened",
        y_label="Answers received",
        height=259.2,
    )
