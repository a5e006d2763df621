"""The survey pages' cached markup (app/core/fragments.py): the same bytes, never stale."""

from __future__ import annotations

import re
from dataclasses import replace

from app.core import fragments
from app.staff.authority.services import SettingsChange, get_settings, update_settings
from tests.surveys.conftest import SLUG

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
