"""How the anonymous side lets the personal side know that someone has finished: sealed notices.

``surveys`` never imports ``app.outreach`` (the anonymity boundary; import-linter checks it), and
an invitation must never be marked completed in, next to or at the same time as the
respondent's own writes (ARCHITECTURE.md, threat model): a row written in the same or the next
transaction pairs the two for anyone reading PostgreSQL's ``xmin`` or SQLite's write-ahead log.
So when a channel completes a response it only *seals a notice*:

- A ``CompletionNotice`` row holds a random key, the id of the key it was sealed with, and an
  AES-GCM box (``cryptography``; random 96-bit nonce, no timestamp, unlike a Fernet token)
  holding the round and what finds the invitation: the personal-link code this browser carried
  (web) or the number's HMAC (SMS). Nothing about the response; no time; no order. Payloads are
  padded to one length, so a box does not even say which channel it came from.
- The key comes from the environment (``NOTICE_KEY``, never derived from another secret) and is
  not in the database, so a copy of the database cannot open the boxes.
- The personal side opens them in a scheduled job, in shuffled batches of at least
  ``NOTICE_BATCH_MIN`` per round (or whatever is left once the round has closed), marks the
  invitations completed (a flag, no date), deletes the notices and scrubs the files
  (app/outreach/invitations/services.py ``apply_completion_notices``).

Every SMS finish seals a notice, invited or not (the job finds no invitation for a keyword
texter and just deletes it); a browser seals one only if it came by a personal link.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from dataclasses import dataclass

import sqlalchemy as sa
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app, session

from app.core.extensions import db
from surveys.models import CompletionNotice, SurveyRound

SESSION_KEY = "personal_links"  # {round slug: personal-link code}, in the signed cookie only
PADDED_LENGTH = 160  # bytes of JSON before sealing: a code and a phone hash both fit


@dataclass(frozen=True)
class Finished:
    """Someone finished the survey for ``round_id``: by a personal link (``code``) or by text."""

    round_id: int
    code: str | None = None
    phone_hash: str | None = None


class NoticeKeyMissing(RuntimeError):
    """NOTICE_KEY is not set: completion notices cannot be sealed or opened."""


def _key(raw: str) -> bytes:
    key = base64.urlsafe_b64decode(raw.encode())
    if len(key) != 32:
        raise NoticeKeyMissing("NOTICE_KEY must be 32 bytes in URL-safe base64")
    return key


def _keys() -> dict[str, bytes]:
    """Every key we can open with, by id; the current one is NOTICE_KEY_ID."""
    config = current_app.config
    if not config.get("NOTICE_KEY"):
        raise NoticeKeyMissing("Set NOTICE_KEY to seal completion notices")
    keys = {config["NOTICE_KEY_ID"]: _key(config["NOTICE_KEY"])}
    for pair in filter(None, (p.strip() for p in config.get("NOTICE_OLD_KEYS", "").split(","))):
        key_id, _, raw = pair.partition(":")
        keys.setdefault(key_id, _key(raw))
    return keys


def _encrypt(key_id: str, body: bytes, aad: bytes) -> str:
    """One AES-GCM box under the key ``key_id``: a fresh nonce, then the ciphertext, base64."""
    nonce = os.urandom(12)
    return base64.urlsafe_b64encode(
        nonce + AESGCM(_keys()[key_id]).encrypt(nonce, body, aad)
    ).decode()


def _decrypt(key_id: str, text: str, aad: bytes) -> bytes | None:
    """What ``_encrypt`` sealed, or None if no key we hold opens it (or it was tampered with)."""
    key = _keys().get(key_id)
    if key is None:
        return None
    try:
        box = base64.urlsafe_b64decode(text.encode())
        return AESGCM(key).decrypt(box[:12], box[12:], aad)
    except (InvalidTag, ValueError, binascii.Error):
        return None


def seal(finished: Finished) -> CompletionNotice:
    """Add a sealed notice to the session (the caller commits)."""
    key_id = current_app.config["NOTICE_KEY_ID"]
    body = json.dumps(
        {"round": finished.round_id, "code": finished.code, "phone": finished.phone_hash}
    ).encode()
    padded = body + b" " * max(0, PADDED_LENGTH - len(body))
    notice = CompletionNotice(key_id=key_id, sealed=_encrypt(key_id, padded, key_id.encode()))
    db.session.add(notice)
    return notice


def open_notice(notice: CompletionNotice) -> Finished | None:
    """What a notice says, or None if no key we hold opens it (it is then left waiting)."""
    body = _decrypt(notice.key_id, notice.sealed, notice.key_id.encode())
    if body is None:
        return None
    data = json.loads(body)
    return Finished(round_id=data["round"], code=data["code"], phone_hash=data["phone"])


def seal_value(value: dict, purpose: str, *, pad_to: int = 0) -> str:
    """Seal a small JSON value under the notice key, for a ``purpose`` (bound into the box,
    so a box sealed for one use cannot be passed off as another). Returns ``"key id.box"``.
    With ``pad_to``, the JSON is padded with spaces to a multiple of that many bytes, so the
    box's length does not tell one value from another.

    Used by paper forms to remember which response a keyed form became (surveys/paper):
    a copy of the database cannot follow that link; the app, holding the key, can. Sign-ups
    from the thank-you page wait sealed the same way (surveys/web/sign_ups.py).
    """
    key_id = current_app.config["NOTICE_KEY_ID"]
    body = json.dumps(value).encode()
    if pad_to:
        body += b" " * (-len(body) % pad_to)
    return f"{key_id}.{_encrypt(key_id, body, f'{key_id}:{purpose}'.encode())}"


def open_value(sealed: str, purpose: str) -> dict | None:
    """What ``seal_value`` sealed for ``purpose``, or None if no key we hold opens it."""
    key_id, _, text = sealed.partition(".")
    body = _decrypt(key_id, text, f"{key_id}:{purpose}".encode())
    return None if body is None else json.loads(body)


def waiting() -> list[CompletionNotice]:
    return list(db.session.scalars(sa.select(CompletionNotice)))


# --- The web channel's part: a personal-link code carried in the browser's session -------------


def remember_personal_code(survey_round: SurveyRound, code: str) -> None:
    """/i/<code> calls this: the code is kept in the signed cookie, nothing is written."""
    codes = dict(session.get(SESSION_KEY, {}))
    codes[survey_round.slug] = code
    session[SESSION_KEY] = codes


def seal_from_session(survey_round: SurveyRound) -> None:
    """This browser has sent its answers: seal its personal-link code (if any) and forget it."""
    codes = dict(session.get(SESSION_KEY, {}))
    code = codes.pop(survey_round.slug, None)
    if code is None:
        return
    session[SESSION_KEY] = codes
    seal(Finished(round_id=survey_round.id, code=code))
    db.session.commit()
