"""Phone-number hashes and their keys: how a number is stored without storing it, and rotated.

- ``phone_hash``: an HMAC-SHA256 of the number's E.164 form under the current key,
  SMS_HMAC_KEY, whose id is SMS_HMAC_KEY_ID. In development and tests, when SMS_HMAC_KEY is
  unset, the key is derived from SECRET_KEY; production refuses to start without its own key.
- Every stored hash (opt-outs, unreachable numbers, SMS conversations) carries the id of the key
  that made it, in a ``key_id`` column.
- Rotation. An HMAC cannot be reversed, so a hash can only be moved to a new key by someone who
  has the number. The old keys therefore stay in SMS_HMAC_OLD_KEYS ("id:key,id:key") and every
  lookup checks a number under all keys (``phone_hashes``): an opted-out number stays opted out
  whether or not we can move its hash. ``rekey`` moves the rows whose number we do have (the
  contact list, the outbound queue, or the number that has just texted in) onto the current key;
  what is left keeps its old key id, and production refuses to start while a stored key id has
  no key (``missing_key_ids``), so an old key cannot be dropped while it still guards an opt-out.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.core.extensions import db
from app.core.phones import NumberInvalid, normalise_number


def current_key_id() -> str:
    return str(current_app.config["SMS_HMAC_KEY_ID"])


def _current_key() -> bytes:
    return _key(current_app.config.get("SMS_HMAC_KEY"), current_app.config["SECRET_KEY"])


@functools.lru_cache(maxsize=8)
def _key(configured: str | None, secret_key: str) -> bytes:
    # Cached: a webhook asks for the key several times a text (tests configure several apps).
    if configured:
        return str(configured).encode()
    return hmac.new(secret_key.encode(), b"belonging sms phone hash", hashlib.sha256).digest()


def keys() -> dict[str, bytes]:
    """Every key a stored hash may have been made with, by id; the current one first."""
    found = {current_key_id(): _current_key()}
    for key_id, key in _old_keys(current_app.config.get("SMS_HMAC_OLD_KEYS") or ""):
        found.setdefault(key_id, key)
    return found


@functools.lru_cache(maxsize=8)
def _old_keys(setting: str) -> tuple[tuple[str, bytes], ...]:
    """SMS_HMAC_OLD_KEYS ("id:key,id:key") read once per value, not once per lookup."""
    found: dict[str, bytes] = {}
    for pair in filter(None, (p.strip() for p in setting.split(","))):
        key_id, _, raw = pair.partition(":")
        if key_id.strip() and raw.strip():
            found.setdefault(key_id.strip(), raw.strip().encode())
    return tuple(found.items())


def _canonical(number: str) -> bytes:
    try:
        return normalise_number(number).encode()
    except NumberInvalid:
        return (number or "").strip().encode()  # short codes and test senders: hash as given


def _hmac(key: bytes, number: str) -> str:
    return hmac.new(key, _canonical(number), hashlib.sha256).hexdigest()


def phone_hash(number: str) -> str:
    """The key a number is stored under now: never the number itself."""
    return _hmac(_current_key(), number)


def phone_hashes(number: str) -> list[str]:
    """The number's hash under every key we hold, the current key's first (for lookups)."""
    return [_hmac(key, number) for key in keys().values()]


def rekey(model: Any, numbers: Iterable[str]) -> int:
    """Move ``model``'s rows (``phone_hash`` and ``key_id`` columns) for these numbers onto the
    current key; how many moved. The caller commits."""
    current, held = current_key_id(), keys()
    old = {key_id: key for key_id, key in held.items() if key_id != current}
    if not old:
        return 0
    moved = 0
    for number in set(numbers):
        new_hash = phone_hash(number)
        old_hashes = [_hmac(key, number) for key in old.values()]
        rows = db.session.scalars(sa.select(model).where(model.phone_hash.in_(old_hashes))).all()
        if not rows:
            continue
        keep, *extra = rows  # a number stored under two old keys: one row is enough
        already = db.session.scalar(sa.select(model).where(model.phone_hash == new_hash))
        if already is not None:
            extra.append(keep)
        else:
            keep.phone_hash, keep.key_id = new_hash, current
        for row in extra:
            db.session.delete(row)
        db.session.flush()
        moved += len(rows)
    return moved


def key_id_counts(models: Sequence[Any]) -> dict[str, dict[str, int]]:
    """{table: {key id: rows}} for the tables that store phone hashes."""
    counts: dict[str, dict[str, int]] = {}
    for model in models:
        rows = db.session.execute(
            sa.select(model.key_id, sa.func.count()).group_by(model.key_id)
        ).all()
        counts[model.__tablename__] = {str(key_id): n for key_id, n in rows}
    return counts


def missing_key_ids(models: Sequence[Any]) -> set[str]:
    """Key ids that stored hashes carry but no configured key has: lookups would miss them."""
    held = keys()
    return {
        key_id
        for per_table in key_id_counts(models).values()
        for key_id in per_table
        if key_id not in held
    }
