"""The plan pages: write the plan, add, change, achieve, reorder and retire milestones (each
change in the history and the audit log), the rolled-up rating on the plan page, and the plain
summary, lateness and the board's replies on the public page for a signed-out visitor."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from app.core.extensions import db
from app.staff.audit.models import AuditEvent
from app.staff.auth.models import Role
from forum import services
from forum.models import Action, Milestone, YouSaid
from tests.forum.conftest import make_action, make_item, worker

TODAY = date(2026, 6, 10)  # the frozen clock (tests/conftest.py)


def _date(value: date) -> list[str]:
    return [str(value.day), str(value.month), str(value.year)]


def _milestone_id(app, title: str) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(Milestone.id).where(Milestone.title == title))


def test_a_worker_writes_the_plan_and_its_objectives(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    saved = client.post(
        "/staff/plan/edit",
        data={
            "aims": "Care leavers feel they belong",
            "lead": "Sam Lead, Head of Leaving Care",
            "resources": "Two participation workers",
            "timeline": "April 2026 to March 2027",
            "public_summary": "We want you to feel you belong. Here is our plan.",
        },
    )
    assert saved.status_code == 302
    added = client.post(
        "/staff/plan/objectives/new",
        data={
            "text": "More care leavers in work or training",
            "success_measure": "Fewer NEET",
            "target": "60% by March 2027",
        },
    )
    assert added.status_code == 302
    page = client.get("/staff/plan").text
    for words in (
        "Care leavers feel they belong",
        "Sam Lead, Head of Leaving Care",
        "April 2026 to March 2027",
        "More care leavers in work or training",
        "60% by March 2027",
    ):
        assert words in page
    assert "Plan changed: aims, plan lead, resources, timeline" in page
    with app.app_context():
        assert db.session.scalar(
            sa.select(sa.func.count()).where(AuditEvent.action == "plan.update")
        )


def test_milestones_are_changed_achieved_reordered_and_retired_with_history(app, logged_in_as):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    for title in ("Housing offer agreed", "Money workshops running", "Forum meets monthly"):
        client.post(
            "/staff/milestones",
            data={"title": title, "owner": "Leaving care team", "due_on": _date(TODAY)},
        )
    first, second, third = (
        _milestone_id(app, t)
        for t in ("Housing offer agreed", "Money workshops running", "Forum meets monthly")
    )
    later = TODAY + timedelta(days=60)
    changed = client.post(
        f"/staff/plan/milestones/{first}",
        data={
            "title": "Housing offer agreed",
            "owner": "Housing team",
            "due_on": _date(later),
            "status": "achieved",
        },
    )
    assert changed.status_code == 302
    assert client.post(f"/staff/plan/milestones/{third}/up").status_code == 302
    assert client.post(f"/staff/plan/milestones/{third}/up").status_code == 302  # now first
    refused = client.post(f"/staff/plan/milestones/{second}/retire", data={"retire-reason": ""})
    assert refused.status_code == 400
    assert "Say why this milestone is being retired" in refused.text
    client.post(
        f"/staff/plan/milestones/{second}/retire",
        data={"retire-reason": "Merged into the forum milestone"},
    )

    page = client.get("/staff/plan").text
    assert "Complete: achieved" in page
    assert page.index('<td class="govuk-table__cell">Forum meets monthly') < page.index(
        '<td class="govuk-table__cell">Housing offer agreed'
    )
    assert "Retired milestones" in page and "Merged into the forum milestone" in page
    assert "Owner changed from Leaving care team to Housing team" in page
    assert "Due date changed from 10 June 2026 to 9 August 2026" in page
    assert "Status changed to achieved" in page
    with app.app_context():
        order = [m.title for m in services.current_milestones()]
        assert order == ["Forum meets monthly", "Housing offer agreed"]
        assert db.session.get(Milestone, first).achieved_on == TODAY
        actions = set(
            db.session.scalars(
                sa.select(AuditEvent.action).where(AuditEvent.action.like("ysyd.milestone.%"))
            )
        )
        assert {"ysyd.milestone.update", "ysyd.milestone.move", "ysyd.milestone.retire"} <= actions
    # A retired milestone is kept (its history too) but leaves the plan's choices.
    assert "Money workshops running" not in client.get("/staff/milestones").text


def test_the_plan_page_shows_the_rating_rolled_up_from_linked_actions(app, logged_in_as, worker_id):
    client = logged_in_as(Role.PARTICIPATION_WORKER)
    with app.app_context():
        milestone = services.save_milestone("Money workshops running", TODAY + timedelta(days=90))
        milestone_id = milestone.id
    item_id = make_item(app)
    make_action(
        app, item_id, worker_id, milestone_id=milestone_id, due_on=TODAY + timedelta(days=40)
    )
    assert "Green: on track" in client.get("/staff/plan").text
    make_action(
        app,
        item_id,
        worker_id,
        what="Budget card",
        milestone_id=milestone_id,
        due_on=TODAY - timedelta(days=1),
    )
    page = client.get("/staff/plan").text
    assert "Red: an action is red" in page and "2 linked" in page


def test_board_members_read_the_plan_but_cannot_change_it(app, logged_in_as):
    client = logged_in_as(Role.BOARD_MEMBER)
    assert client.get("/staff/plan").status_code == 200
    assert "Change the plan" not in client.get("/staff/plan").text
    assert client.get("/staff/plan/edit").status_code == 403
    assert client.post("/staff/plan/edit", data={"aims": "x"}).status_code == 403


def test_the_public_page_tells_a_signed_out_visitor_the_plan_lateness_and_the_board_reply(
    app, client, worker_id
):
    with app.app_context():
        services.save_plan(
            {"public_summary": "We want every care leaver to have a safe home."}, worker(worker_id)
        )
        late = services.save_milestone("Housing offer agreed", TODAY - timedelta(days=10))
        services.save_milestone("Forum meets monthly", TODAY + timedelta(days=100))
        late_id = late.id
    item_id = make_item(app, "We want help with bills")
    overdue_id = make_action(
        app, item_id, worker_id, milestone_id=late_id, due_on=date(2026, 5, 31)
    )
    done_late_id = make_action(
        app, item_id, worker_id, what="A budgeting app", due_on=date(2026, 4, 30)
    )
    with app.app_context():
        action = db.session.get(Action, done_late_id)
        services.update_action(
            action,
            action.version,
            {"status": "done", "completed_on": date(2026, 5, 20)},
            worker(worker_id),
        )
        item = db.session.get(YouSaid, item_id)
        services.publish_item(item, worker(worker_id))
        services.record_board_reply(
            item,
            {
                "reply": "We will pay for a money adviser.",
                "decision": "Fund the adviser for a year",
            },
            date(2026, 6, 1),
            worker(worker_id),
        )
        assert db.session.get(Action, overdue_id).status == "not_started"

    page = client.get("/you-said-we-did")
    assert page.status_code == 200
    text = page.text
    assert "We want every care leaver to have a safe home." in text
    assert "Our plan has 2 big steps. 0 are done. 1 is late." in text
    assert "Housing offer agreed (by May 2026): <strong>This is late</strong>" in text
    assert "This is late. It should have been done by May 2026." in text
    assert "This was done late." in text
    assert "The board said</strong> (June 2026): We will pay for a money adviser." in text
    assert "Fund the adviser for a year" in text
    for staff_word in ("RAG", "Red:", "Amber", "worker@example.org"):
        assert staff_word not in text
