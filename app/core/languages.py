"""Which language a public page is shown in, and the Flask-Babel set-up that shows it.

The languages are data (app/translations/languages.toml): a code (BCP 47, written into
``<html lang>``), a name in its own script for the chooser, whether a translator has checked it,
and whether it is a generated test language. The fixed wording of the public pages is marked in
the templates with ``_()``; the questionnaire's wording per language is data beside the English
(surveys/translations.py). Decisions a newcomer might undo:

- The page's language is, in order: the person's own choice (the start page's language links,
  kept in the signed session), the language their personal invitation suggested (the contact's
  preferred language, ``suggest``: only where it is offered and nothing was chosen before),
  else English.
- A text or an email to one person is worded with ``translator(code)``: their language's
  catalogue where it is offered, English otherwise (or where a string is not translated).
- Only the public blueprints the composition root names are translated; staff pages stay in
  English even in a browser that chose another language (staff exports must not change language).
- Help and safeguarding wording is marked with ``_help()``: it is shown translated only in a
  language a translator has checked, and in English otherwise. A mistranslated "call 999" or a
  wrong helpline is worse than English.
- A text conversation has no page: its replies are made inside ``speaking(code)``, which sets the
  language for that block (the conversation keeps the code). The same ``gettext`` and
  ``help_text`` apply, so the checked-only rule for help wording is this one copy.
- What a person texts to choose a language is data here too: ``sms_code`` (after LANG, e.g.
  "LANG XB") and ``sms_keywords`` (the survey keyword in that language, which starts the survey
  in it). Both are matched after ``app.core.text.fold``.
- A council's translator imports wording through staff pages (surveys/translator); it is kept
  in the database and laid over the shipped catalogue (``Store``, handed in by the composition
  root, as this layer may not import that one). An admin's "checked by a translator" there
  overrides ``checked`` in languages.toml (``is_checked``).
- The test languages (en-XA, ar-XB) have no Babel locale data, so the catalogue is chosen by the
  language's code and dates and numbers by its ``babel`` locale (``LanguageBabel`` below).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from babel import support
from flask import Flask, current_app, g, has_app_context, has_request_context, request, session
from flask_babel import Babel, Domain

from app.core.text import fold

TRANSLATIONS_DIR = Path(__file__).resolve().parent.parent / "translations"
LANGUAGES_FILE = TRANSLATIONS_DIR / "languages.toml"
DEFAULT = "en"
SESSION_KEY = "language"
# Scripts written right to left, by primary language subtag: Arabic, Pashto, Dari (fa-AF) and
# Persian, Kurdish (Sorani), Urdu, Hebrew; "ar-XB" is the right-to-left test language.
RIGHT_TO_LEFT = frozenset({"ar", "ps", "fa", "ckb", "ur", "he"})


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    babel: str
    checked: bool
    test: bool = False
    sms_code: str = ""
    sms_keywords: tuple[str, ...] = field(default=())

    @property
    def direction(self) -> str:
        return "rtl" if self.code.split("-")[0] in RIGHT_TO_LEFT else "ltr"

    @property
    def catalogue(self) -> str:
        """The catalogue's directory name: ``ar-XB`` → ``ar_XB``."""
        return self.code.replace("-", "_")


@cache
def all_languages() -> dict[str, Language]:
    data = tomllib.loads(LANGUAGES_FILE.read_text(encoding="utf-8"))
    return {
        code: Language(
            code=code,
            name=entry["name"],
            babel=entry["babel"],
            checked=entry["checked"],
            test=entry.get("test", False),
            sms_code=entry.get("sms_code", ""),
            sms_keywords=tuple(entry.get("sms_keywords", ())),
        )
        for code, entry in data.items()
    }


def offered() -> list[Language]:
    """The languages a person may choose here: real ones, and test ones where configured."""
    show_tests = current_app.config.get("OFFER_TEST_LANGUAGES", False)
    return [lang for lang in all_languages().values() if show_tests or not lang.test]


def choose(code: str) -> bool:
    """Keep a person's choice of language in their session; False if it is not offered."""
    if code not in {lang.code for lang in offered()}:
        return False
    session[SESSION_KEY] = code
    return True


@cache
def _folded(words: tuple[str, ...]) -> frozenset[str]:
    """The matching keys of a language's own words (shipped data: folded once, not per text)."""
    return frozenset(fold(word) for word in words)


def by_sms_code(text: str) -> Language | None:
    """The offered language whose ``sms_code`` (or code) is ``text`` ("xb", "ar-XB")."""
    key = fold(text)
    for language in offered():
        if key and key in _folded((language.sms_code, language.code)):
            return language
    return None


def by_sms_keyword(text: str) -> Language | None:
    """The offered language one of whose survey keywords is the whole of ``text``."""
    key = fold(text)
    for language in offered():
        if key and key in _folded(language.sms_keywords):
            return language
    return None


@dataclass(frozen=True)
class Store:
    """Where imported translations and checked statuses are read (surveys/translator/store)."""

    strings: Callable[[str], dict[str, str]]  # language code -> {English msgid: translation}
    checked: Callable[[str], bool | None]  # language code -> an admin's answer, or None


def _store() -> Store | None:
    return current_app.extensions.get("language_store") if has_app_context() else None


def is_checked(language: Language) -> bool:
    """Whether a translator has checked ``language``: an admin's answer, else languages.toml."""
    store = _store()
    answer = store.checked(language.code) if store and language.code != DEFAULT else None
    return language.checked if answer is None else answer


@contextmanager
def speaking(code: str | None) -> Iterator[Language]:
    """Within the block, ``gettext`` and ``help_text`` speak ``code`` (a text conversation's
    language; English for None or a code not known here), whatever page is being served."""
    language = all_languages().get(code or DEFAULT) or all_languages()[DEFAULT]
    previous = g.get("speaking")
    g.speaking = language
    try:
        yield language
    finally:
        g.speaking = previous


def N_(message: str) -> str:  # the name gettext's extractor looks for
    """Marks wording for the catalogue where it is defined; translated later, where it is used."""
    return message


def suggest(code: str) -> bool:
    """A personal invitation's suggestion (the contact's preferred language): kept unless this
    browser already chose a language; False if it is not offered or a choice was made."""
    if SESSION_KEY in session:
        return False
    return choose(code)


def _translated_here() -> bool:
    return request.blueprint in current_app.extensions["languages"]


def current() -> Language:
    """The language being spoken: a text conversation's (``speaking``), else the page's
    (English outside a public request)."""
    if has_app_context():
        known = g.get("speaking") or g.get("page_language")  # asked several times a page
        if known is not None:
            return known
    if not has_request_context() or not _translated_here():
        return all_languages()[DEFAULT]
    code = session.get(SESSION_KEY, DEFAULT)
    chosen = {lang.code: lang for lang in offered()}.get(code)
    g.page_language = chosen or all_languages()[DEFAULT]
    return g.page_language


def _select_locale() -> str:
    return current().babel


class _LanguageDomain(Domain):
    """Loads the catalogue of the page's language by its code (``en_XA`` has no Babel locale)."""

    def get_translations(self) -> support.NullTranslations:
        if not has_app_context():
            return support.NullTranslations()
        return self.catalogue(current())

    def catalogue(self, language: Language) -> support.NullTranslations:
        key = language.catalogue
        if key not in self.cache:
            self.cache[key] = support.Translations.load(
                str(TRANSLATIONS_DIR), [key], self.domain[0]
            )
        store = _store()
        imported = store.strings(language.code) if store and language.code != DEFAULT else {}
        if not imported:
            return self.cache[key]
        # The store hands back the same dict while it keeps the rows, so the overlay is built
        # once per import (and per process), not per string.
        kept = _OVERLAYS.get(key)
        if kept is None or kept[0] is not imported:
            _overlays_built[0] += 1
            overlay = _overlay(imported, self.cache[key])
            overlay.generation = _overlays_built[0]  # type: ignore[attr-defined]
            kept = _OVERLAYS[key] = (imported, overlay)
        return kept[1]


_OVERLAYS: dict[str, tuple[dict[str, str], support.Translations]] = {}
_overlays_built = [0]


def wording_version() -> tuple[str, bool, int]:
    """What the page's words are made from besides the shipped catalogues: its language, whether
    a translator has checked it (help wording), and which imported translations are laid over
    them (the overlay's number in this process, 0 for none: an import, or taking the imported
    strings away, changes it). Part of the key of every kept piece with words in it
    (app/core/fragments.py). Worked out once a request for each language it speaks: a page
    asks for each of its kept pieces."""
    language = current()
    known: dict[str, tuple[str, bool, int]] = g.setdefault("wording_versions", {})
    if language.code not in known:
        translations = LanguageBabel._domain.get_translations()  # lays a new import over
        generation = getattr(translations, "generation", 0)
        known[language.code] = (language.code, is_checked(language), generation)
    return known[language.code]


def _overlay(imported: dict[str, str], base: support.NullTranslations) -> support.Translations:
    """The imported strings first, then the shipped catalogue."""
    overlay = support.Translations()
    catalog: dict[Any, str] = dict(imported)  # gettext's table: keys are msgid, or (msgid, n)
    overlay._catalog = catalog
    overlay.plural = lambda n: int(n != 1)
    overlay.add_fallback(base)
    return overlay


class LanguageBabel(Babel):
    _domain = _LanguageDomain(translation_directories=str(TRANSLATIONS_DIR))

    @property
    def domain_instance(self) -> Domain:
        return self._domain


def gettext(message: str, **variables: object) -> str:
    """``message`` in the page's language (English where it has no translation)."""
    text = LanguageBabel._domain.get_translations().ugettext(message)
    return text % variables if variables else text


def translator(code: str) -> Callable[..., str]:
    """``_`` for a message to one person in language ``code`` (a contact's preferred language):
    its catalogue where the language is offered here, English otherwise. Call it ``_`` so that
    ``flask translations extract`` finds the strings."""
    language = {lang.code: lang for lang in offered()}.get(code)
    catalogue = (
        LanguageBabel._domain.catalogue(language) if language else support.NullTranslations()
    )

    def translate(message: str, **variables: object) -> str:
        text = catalogue.ugettext(message)
        return text % variables if variables else text

    return translate


def help_text(message: str, **variables: object) -> str:
    """Help or safeguarding wording: translated only in a language a translator has checked."""
    text = gettext(message) if is_checked(current()) else message
    return text % variables if variables else text


def init_app(app: Flask, translated_blueprints: set[str], store: Store | None = None) -> None:
    """Translate the pages of ``translated_blueprints`` (the public ones), laying what ``store``
    holds over the catalogues; Jinja gets ``_``, ``_help``, ``translated``, ``page_language``
    and ``offered_languages``."""
    app.extensions["languages"] = frozenset(translated_blueprints)
    app.extensions["language_store"] = store
    LanguageBabel(app, locale_selector=_select_locale)
    app.add_template_global(help_text, "_help")
    # A message made elsewhere (an answer's error): looked up, never trusted as markup as
    # Jinja's ``_`` would trust it.
    app.add_template_global(gettext, "translated")
    app.add_template_global(current, "page_language")
    app.add_template_global(wording_version, "wording_version")
    app.add_template_global(offered, "offered_languages")
