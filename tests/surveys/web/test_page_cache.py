"""The survey pages' cached markup (app/core/fragments.py): the same bytes, never stale, and a
kept question page never hands one person's CSRF token to another."""

from __future__ import annotations

import io
import re
from dataclasses import replace

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from app.core import fragments
from app.staff.auth.models import Role
from app.staff.authority.services import SettingsChange, get_settings, update_settings
from tests.surveys.conftest import SLUG, make_open_round

BASE = f"/s/{SLUG}"
TOKEN = re.compile(r'(name="csrf_token" value="|"X-CSRFToken": ")[^"]+')


def _page(client, path: str) -> str:
    return TOKEN.sub(r"\1TOKEN", client.get(path).text)


def _current_settings(app) -> SettingsChange:
    with app.app_context():
        settings = get_settings()
        return SettingsChange(
            **{name: getattr(settings, name) for name in SettingsChange.__dataclass_fields__}
        )


def test_a_question_page_is_the_same_whether_its_pieces_are_cached_or_not(client, round_id):
    assert client.post(f"{BASE}/start").status_code == 302
    assert client.post(f"{BASE}/q/Q2", data={"action": "answer", "choice": "3"}).status_code == 302
    fragments.forget()
    fresh = _page(client, f"{BASE}/q/Q2")
    cached = _page(client, f"{BASE}/q/Q2")
    assert cached == fresh
    assert 'value="3" checked' in cached


def test_choosing_another_answer_shows_it_checked_at_once(client, round_id):
    client.post(f"{BASE}/start")
    client.post(f"{BASE}/q/Q3", data={"action": "answer", "choice": "1"})
    assert 'value="1" checked' in client.get(f"{BASE}/q/Q3").text
    client.post(f"{BASE}/q/Q3", data={"action": "answer", "choice": "2"})
    page = client.get(f"{BASE}/q/Q3").text
    assert 'value="2" checked' in page
    assert 'value="1" checked' not in page


def test_a_settings_change_shows_on_the_next_public_page(app, client, round_id):
    client.post(f"{BASE}/start")
    assert "Your council" in client.get(f"{BASE}/q/Q2").text  # now cached
    change = replace(_current_settings(app), name="Northshire Council", duty_phone="0800 123")
    with app.test_request_context():
        update_settings(change)
    page = client.get(f"{BASE}/q/Q2").text
    assert "Northshire Council" in page
    assert "Your council" not in page
    assert "0800 123" in page


def test_a_persons_own_words_are_never_kept_in_the_cache(client, round_id):
    client.post(f"{BASE}/start")
    words = "Living with my nan in Leeds"
    client.post(f"{BASE}/q/Q2", data={"action": "answer", "choice": "6", "other": words})
    assert words in client.get(f"{BASE}/q/Q2").text
    assert not any(words in str(markup) for markup in fragments._CACHE.values())


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "no CSRF token on the page"
    return found.group(1)


def test_a_kept_page_carries_each_persons_own_csrf_token(csrf_app):
    """The page is kept whole: an attacker who opens the same question must not be handed
    someone else's token (nor be able to use theirs), and each person's own still works."""
    make_open_round(csrf_app)
    people = [csrf_app.test_client() for _ in range(2)]
    pages = []
    for person in people:
        start = person.get(BASE).text
        assert person.post(f"{BASE}/start", data={"csrf_token": _token(start)}).status_code == 302
        pages.append([person.get(f"{BASE}/q/Q3").text for _ in range(2)])  # the second is kept
    (first, first_kept), (_second, second_kept) = pages
    assert TOKEN.sub(r"\1TOKEN", second_kept) == TOKEN.sub(r"\1TOKEN", first)  # the same page
    assert _token(first_kept) != _token(second_kept)

    stolen = people[1].post(
        f"{BASE}/q/Q3", data={"csrf_token": _token(first_kept), "action": "answer", "choice": "1"}
    )
    own = people[1].post(
        f"{BASE}/q/Q3", data={"csrf_token": _token(second_kept), "action": "answer", "choice": "1"}
    )

    assert stolen.status_code == 400
    assert own.status_code == 302


def test_the_number_and_back_link_are_the_persons_own(client, round_id):
    client.post(f"{BASE}/start")
    client.post(f"{BASE}/q/Q2", data={"action": "answer", "choice": "3"})
    for _ in range(2):
        page = client.get(f"{BASE}/q/Q3").text
        assert "Question 3 of 9" in page
        assert f'href="{BASE}/q/Q2"' in page
        assert ">Continue<" in page
    changing = client.get(f"{BASE}/q/Q3?change=1").text
    assert f'href="{BASE}/check"' in changing
    assert "Save and go back" in changing
    assert f'action="{BASE}/q/Q3?change=1"' in changing


def _import(admin, entries: dict[str, str]) -> None:
    catalogue = Catalog()
    for english, text in entries.items():
        catalogue.add(english, text)
    data = io.BytesIO()
    write_po(data, catalogue)
    imported = admin.post(
        "/staff/translations/en-XA/import",
        data={"file": (io.BytesIO(data.getvalue()), "back.po")},
        content_type="multipart/form-data",
    )
    assert imported.status_code == 302


def test_an_imported_translation_shows_on_a_kept_page_and_in_every_kept_piece(
    app, logged_in_as, round_id
):
    """The whole page was made again after an import, but its header, footer, back link and
    skip link were kept by the language alone, so they came back in the old words."""
    person = app.test_client()
    person.get(f"{BASE}?lang=en-XA")
    person.post(f"{BASE}/start")
    for _ in range(2):
        assert "IMPORTED" not in person.get(f"{BASE}/q/Q2").text
    words = {
        "Continue": "IMPORTED CONTINUE",
        "Privacy": "IMPORTED PRIVACY",
        "Back": "IMPORTED BACK",
        "Skip to main content": "IMPORTED SKIP LINK",
    }
    _import(logged_in_as(Role.ADMIN), words)
    page = person.get(f"{BASE}/q/Q2").text
    assert [w for w in words.values() if w not in page] == []


def test_an_imported_translation_shows_on_the_start_page(app, logged_in_as, round_id):
    person = app.test_client()
    person.get(f"{BASE}?lang=en-XA")
    assert "IMPORTED PRIVACY" not in person.get(BASE).text
    _import(logged_in_as(Role.ADMIN), {"Privacy": "IMPORTED PRIVACY"})
    assert "IMPORTED PRIVACY" in person.get(BASE).text


def test_a_language_marked_checked_shows_its_help_wording_at_once(app, logged_in_as, round_id):
    """Help wording is translated only in a language a translator has checked (the words that
    send someone to 999 must be right): marking it checked changes the footer's help line on
    the next page, not when the workers restart."""
    person = app.test_client()
    person.get(f"{BASE}?lang=en-XA")
    admin = logged_in_as(Role.ADMIN)
    _import(admin, {"In an emergency call 999.": "IMPORTED EMERGENCY 999"})
    assert "IMPORTED EMERGENCY 999" not in person.get(BASE).text  # not checked: in English
    marked = admin.post("/staff/translations/en-XA/checked", data={"checked": "yes"})
    assert marked.status_code == 302
    assert "IMPORTED EMERGENCY 999" in person.get(BASE).text
