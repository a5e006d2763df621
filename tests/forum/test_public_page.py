"""The public "you said, we did" page: only published items, only quotes approved for public
use, and no personal data; publishing with an unapproved quote is refused."""

from __future__ import annotations

from datetime import date

import pytest

from app.core.extensions import db
from app.staff.auth.models import Role
from forum import services
from forum.models import YouSaid
from surveys.themes.models import Quote
from tests.forum.conftest import make_action, make_item, worker


def _publish(app, item_id, worker_id):
    with app.app_context():
        services.publish_item(db.session.get(YouSaid, item_id), worker(worker_id))


def _add_member(app) -> None:
    with app.app_context():
        services.save_member(
            None,
            {
                "name": "Tamsin Fictional-Member",
                "preferred_name": "Tam",
                "phone": "07700 900456",
                "email": "tam.member@example.org",
                "date_of_birth": date(2004, 5, 6),
                "consent_contact": True,
            },
        )


def test_public_page_shows_published_items_and_only_public_quotes(
    app, client, worker_id, theme_with_quotes
):
    theme = theme_with_quotes
    published = make_item(
        app,
        "We want help with bills before we move out",
        source="theme",
        theme_id=theme["theme_id"],
        quote_id=theme["public_quote"],
    )
    make_action(app, published, worker_id, what="Money workshops every month")
    _publish(app, published, worker_id)
    make_item(app, "Secret draft item not yet published", topic="Drafts")
    _add_member(app)

    page = client.get("/you-said-we-did")
    assert page.status_code == 200
    text = page.text
    assert "We want help with bills before we move out" in text
    assert "Money workshops every month" in text and "by January 2030" in text
    assert "Not enough money at the end of the month" in text  # the public quote
    assert "Secret draft item" not in text and "Drafts" not in text
    assert "Paying bills is hard" not in text  # a board-only quote
    for personal in ["Tamsin", "Tam ", "07700", "900456", "tam.member", "Test Participation"]:
        assert personal not in text, personal
    assert "worker@example.org" not in text


def test_publishing_with_a_quote_not_approved_for_public_use_is_refused(
    app, worker_id, theme_with_quotes, logged_in_as
):
    item_id = make_item(
        app,
        "Bills are hard",
        source="theme",
        theme_id=theme_with_quotes["theme_id"],
        quote_id=theme_with_quotes["board_quote"],
    )
    with app.app_context():
        item = db.session.get(YouSaid, item_id)
        with pytest.raises(services.PublishRefused, match="not approved for public use"):
            services.publish_item(item, worker(worker_id))
        assert not db.session.get(YouSaid, item_id).published

    client = logged_in_as(Role.PARTICIPATION_WORKER)
    response = client.post(f"/staff/you-said/{item_id}/publish")
    assert response.status_code == 400
    assert "not approved for public use" in response.text
    assert "Bills are hard" not in client.get("/you-said-we-did").text


def test_a_quote_withdrawn_or_moved_to_board_only_after_publishing_disappears(
    app, client, worker_id, theme_with_quotes
):
    item_id = make_item(
        app,
        "Bills are hard",
        source="theme",
        theme_id=theme_with_quotes["theme_id"],
        quote_id=theme_with_quotes["public_quote"],
    )
    _publish(app, item_id, worker_id)
    assert "Not enough money at the end" in client.get("/you-said-we-did").text
    with app.app_context():
        db.session.get(Quote, theme_with_quotes["public_quote"]).audience = "board"
        db.session.commit()
    text = client.get("/you-said-we-did").text
    assert "Bills are hard" in text and "Not enough money at the end" not in text


def test_the_public_page_needs_no_sign_in_and_the_poster_is_a_pdf(
    app, client, worker_id, theme_with_quotes
):
    item_id = make_item(app, "More drop-ins in the evening", topic="Feeling lonely")
    _publish(app, item_id, worker_id)
    response = client.get("/you-said-we-did")
    assert response.status_code == 200 and "Feeling lonely" in response.text
    poster = client.get("/you-said-we-did/poster.pdf")
    assert poster.status_code == 200
    assert poster.headers["Content-Type"] == "application/pdf"
    assert poster.data.startswith(b"%PDF")


def test_the_home_page_links_to_the_public_page(client):
    assert 'href="/you-said-we-did"' in client.get("/").text
