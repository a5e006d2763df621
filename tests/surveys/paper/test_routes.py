"""The paper pages over HTTP: keying, the inline serial check, settling, printing, settings."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.extensions import db
from app.staff.auth.models import Role
from surveys.models import Response
from tests.conftest import make_staff, sign_in
from tests.surveys.paper.helpers import form


def test_data_entry_keys_a_form_and_is_sent_back_to_an_empty_screen(app, logged_in_as, round_id):
    client = logged_in_as(Role.DATA_ENTRY)
    assert "Paper and data entry" in client.get("/staff").text
    page = client.get(f"/staff/paper/rounds/{round_id}/key")
    assert page.status_code == 200
    for name in ("serial", "Q1", "Q2", "Q2_other", "Q4_1", "Q4_3", "Q7", "Q11", "Q12"):
        assert f'name="{name}"' in page.text, name
    assert "<strong>6</strong> Other" in page.text
    response = client.post(
        f"/staff/paper/rounds/{round_id}/key",
        data={"channel": "group", "assisted": "y", "serial": "TEST26-0001", **form()},
    )
    assert response.status_code == 302
    assert "channel=group" in response.headers["Location"]
    page = client.get(response.headers["Location"])
    assert "Saved TEST26-0001" in page.text
    assert 'value="group" selected' in page.text or "selected" in page.text
    with app.app_context():
        saved = db.session.scalar(sa.select(Response))
        assert (saved.channel, saved.assisted) == ("group", True)


def test_problems_are_listed_with_links_to_the_fields(app, logged_in_as, round_id):
    client = logged_in_as(Role.DATA_ENTRY)
    url = f"/staff/paper/rounds/{round_id}/key"
    client.post(url, data={"channel": "paper", "serial": "1", **form()})
    again = client.post(url, data={"channel": "paper", "serial": "1", **form(Q2="12")})
    assert again.status_code == 400
    assert 'href="#serial"' in again.text and "already been keyed" in again.text
    assert 'href="#Q2"' in again.text and "type a number from 1 to 6" in again.text
    assert 'value="12"' in again.text  # what was typed stays on screen
    blank = client.post(url, data={"channel": "paper", "serial": "2"})
    assert "This form is blank" in blank.text


def test_the_serial_check_answers_htmx_with_a_fragment(logged_in_as, round_id):
    client = logged_in_as(Role.DATA_ENTRY)
    url = f"/staff/paper/rounds/{round_id}/serial?serial=test26-42"
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert "Serial TEST26-0042 is ready to key" in fragment.text
    assert "<html" not in fragment.text
    assert "HX-Request" in fragment.headers["Vary"]
    assert "<html" in client.get(url).text  # a whole page without htmx
    assert "from another round" in client.get(url.split("=")[0] + "=zz99-1").text


def test_settling_a_mismatch_in_the_browser_pages(app, client, round_id):
    for n in (1, 2, 3):
        make_staff(app, Role.DATA_ENTRY, f"k{n}@example.org")
    sign_in(client, "k1@example.org")
    admin = make_staff(app, Role.ADMIN, "a@example.org")
    assert admin
    url = f"/staff/paper/rounds/{round_id}"
    client.post("/sign-out")
    sign_in(client, "a@example.org")
    client.post(
        f"{url}/settings",
        data={
            "entry_deadline": ["1", "1", "2099"],
            "double_entry": "y",
        },
    )
    for n, q3 in ((1, "2"), (2, "1")):
        client.post("/sign-out")
        sign_in(client, f"k{n}@example.org")
        client.post(f"{url}/key", data={"channel": "paper", "serial": "9", **form(Q3=q3)})
    assert "1 to settle" in client.get("/staff/paper").text
    client.post("/sign-out")
    sign_in(client, "k3@example.org")
    listing = client.get(f"{url}/settle")
    assert "Form TEST26-0009" in listing.text
    form_url = f"{url}/settle/1"
    page = client.get(form_url)
    assert "First keying: Female" in page.text and "Second keying: Male" in page.text
    assert client.post(form_url, data={}).status_code == 400
    done = client.post(form_url, data={"Q3": "2"})
    assert done.status_code == 302
    with app.app_context():
        saved = db.session.scalar(sa.select(Response))
        assert {a.question.code: a.value for a in saved.answers}["Q3"] == {"choice": "1"}


def test_printing_a_batch_downloads_one_pdf_and_moves_the_numbering_on(
    logged_in_as, unprinted_round_id
):
    round_id = unprinted_round_id
    client = logged_in_as(Role.DATA_ENTRY)
    url = f"/staff/paper/rounds/{round_id}/print"
    assert "The next form will be TEST26-0001" in client.get(url).text
    response = client.post(url, data={"count": "3"})
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "test26-paper-forms-0001-0003.pdf" in response.headers["Content-Disposition"]
    assert "The next form will be TEST26-0004" in client.get(url).text
    assert client.post(url, data={"count": "0"}).status_code == 200  # the form again, with error


def test_draft_rounds_have_no_paper_pages(app, logged_in_as):
    from tests.surveys.rounds.helpers import make_round  # noqa: F401

    client = logged_in_as(Role.DATA_ENTRY)
    assert client.get("/staff/paper/rounds/99/key").status_code == 404
