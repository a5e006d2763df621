"""Imported translations and checked statuses, read from the database and kept per process.

Public pages ask for a translation many times a request, so each language's rows are read once
and kept for ``KEEP`` (a minute); an import or a status change in this process forgets them at
once (``forget``), other processes see it within the minute. app/core/languages.py is handed
``strings`` and ``checked`` by the composition root (it may not import this layer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.core.clock import utcnow
from app.core.extensions import db
from surveys.translator.models import LanguageStatus, TranslationText

KEEP = timedelta(minutes=1)


@dataclass(frozen=True)
class _Kept:
    at: datetime
    strings: dict[str, dict[str, str]]  # language -> {English msgid: translation}
    wording: dict[str, dict[str, str]]  # language -> {context: translation}
    checked: dict[str, bool]  # language -> an admin's answer


def _kept() -> _Kept:
    """Every imported row and status, read at most once a ``KEEP`` per app (one process may
    hold several apps, such as the tests: each has its own database)."""
    now = utcnow()
    kept: _Kept | None = current_app.extensions.get("translator_kept")
    if kept is None or now - kept.at > KEEP:
        strings: dict[str, dict[str, str]] = {}
        wording: dict[str, dict[str, str]] = {}
        rows = db.session.execute(
            sa.select(
                TranslationText.language,
                TranslationText.context,
                TranslationText.source,
                TranslationText.text,
            )
        )
        for language, context, source, text in rows:
            if context:
                wording.setdefault(language, {})[context] = text
            else:
                strings.setdefault(language, {})[source] = text
        statuses = db.session.execute(sa.select(LanguageStatus.language, LanguageStatus.checked))
        kept = _Kept(now, strings, wording, {code: bool(value) for code, value in statuses})
        current_app.extensions["translator_kept"] = kept
    return kept


def strings(language: str) -> dict[str, str]:
    """The public pages' fixed wording imported for ``language``: {English msgid: text}."""
    return _kept().strings.get(language, {})


def wording(language: str) -> dict[str, str]:
    """The questionnaire wording imported for ``language``: {context: text}."""
    return _kept().wording.get(language, {})


def checked(language: str) -> bool | None:
    """An admin's "checked by a translator" for ``language``, or None if never set."""
    return _kept().checked.get(language)


def forget() -> None:
    """Read the rows again at the next use (after an import or a status change)."""
    current_app.extensions.pop("translator_kept", None)
