"""Two people edit the same action at once: the second is told, nothing is overwritten."""

from __future__ import annotations

import re

from app.core.extensions import db
from app.staff.auth.models import Role
from forum import services
from forum.models import Action
from tests.conftest import make_staff, sign_in
from tests.forum.conftest import make_action, make_item, worker


def _form(action_id: int, version: str, **changes) -> dict:
    data = {
        "what": "Run a money workshop every month",
        "owner_id": "1",
        "owner_team": "Leaving care team",
        "due_on": ["31", "1", "2030"],
        "status": "not_started",
        "wont_do_reason": "",
        "milestone_id": "0",
        "evidence": "",
        "version": version,
    }
    data.update(changes)
    return data


def test_the_second_writer_is_told_and_sees_the_first_writers_values(app, worker_id):
    item_id = make_item(app)
    action_id = make_action(app, item_id, worker_id)
    make_staff(app, Role.ADMIN, "admin@example.org")
    first, second = app.test_client(), app.test_client()
    sign_in(first, "worker@example.org")
    sign_in(second, "admin@example.org")

    # Both open the edit page and see the same version.
    versions = []
    for client in (first, second):
        page = client.get(f"/staff/actions/{action_id}").text
        versions.append(re.search(r'name="version"[^>]*value="(\d+)"', page).group(1))
    assert versions[0] == versions[1]

    owner = str(worker_id)
    saved = first.post(
        f"/staff/actions/{action_id}",
        data=_form(action_id, versions[0], owner_id=owner, status="in_progress"),
    )
    assert saved.status_code == 302

    clash = second.post(
        f"/staff/actions/{action_id}",
        data=_form(
            action_id, versions[1], owner_id=owner, what="Stop the workshops", status="done"
        ),
    )
    assert clash.status_code == 409
    assert "Someone else changed this action while you were editing" in clash.text
    assert "In progress" in clash.text  # the first writer's value, shown to the second
    assert "Stop the workshops" in clash.text  # their own typing is kept in the form

    with app.app_context():
        action = db.session.get(Action, action_id)
        assert (action.what, action.status) == ("Run a money workshop every month", "in_progress")

    # Saving again from the refreshed form is a deliberate choice, and works.
    new_version = re.search(r'name="version"[^>]*value="(\d+)"', clash.text).group(1)
    again = second.post(
        f"/staff/actions/{action_id}",
        data=_form(action_id, new_version, owner_id=owner, what="Stop the workshops"),
    )
    assert again.status_code == 302


def test_a_stale_status_change_from_the_tracker_is_refused_with_the_current_status(
    app, worker_id, logged_in_as
):
    item_id = make_item(app)
    action_id = make_action(app, item_id, worker_id)
    with app.app_context():
        action = db.session.get(Action, action_id)
        seen = action.version
        services.set_status(action, seen, "in_progress", worker(worker_id))
    client = logged_in_as(Role.ADMIN)
    response = client.post(
        f"/staff/actions/{action_id}/status",
        data={"status": "done", "version": str(seen)},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409
    assert "Someone else changed this action" in response.text
    assert f'id="action-{action_id}"' in response.text  # the row, for htmx to swap
    with app.app_context():
        assert db.session.get(Action, action_id).status == "in_progress"


def test_the_service_refuses_a_stale_version(app, worker_id):
    item_id = make_item(app)
    action_id = make_action(app, item_id, worker_id)
    with app.app_context():
        action = db.session.get(Action, action_id)
        services.update_action(action, action.version, {"what": "First"}, worker(worker_id))
        try:
            services.update_action(
                action, action.version - 1, {"what": "Second"}, worker(worker_id)
            )
        except services.ActionConflict as exc:
            assert exc.current.what == "First"
        else:  # pragma: no cover
            raise AssertionError("a stale save was accepted")
