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
- The test languages (en-XA, ar-XB) have no Babel locale data, so the catalogue is chosen by the
  language's code and dates and numbers by its ``babel`` locale (``LanguageBabel`` below).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import support
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import Babel, Domain

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


def suggest(code: str) -> bool:
    """A personal invitation's suggestion (the contact's preferred language): kept unless this
    browser already chose a language; False if it is not offered or a choice was made."""
    if SESSION_KEY in session:
        return False
    return choose(code)


def _translated_here() -> bool:
    return request.blueprint in current_app.extensions["languages"]


def current() -> Language:
    """The language of the page being rendered (English outside a public request)."""
    if not has_request_context() or not _translated_here():
        return all_languages()[DEFAULT]
    if "page_language" not in g:
        code = session.get(SESSION_KEY, DEFAULT)
        chosen = {lang.code: lang for lang in offered()}.get(code)
        g.page_language = chosen or all_languages()[DEFAULT]
    return g.page_language


def _select_locale() -> str:
    return current().babel


class _LanguageDomain(Domain):
    """Loads the catalogue of the page's language by its code (``en_XA`` has no Babel locale)."""

    def get_translations(self) -> support.NullTranslations:
        if not has_request_context():
            return support.NullTranslations()
        return self.catalogue(current())

    def catalogue(self, language: Language) -> support.NullTranslations:
        key = language.catalogue
        if key not in self.cache:
            self.cache[key] = support.Translations.load(
                str(TRANSLATIONS_DIR), [key], self.domain[0]
            )
        return self.cache[key]


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
    text = gettext(message) if current().checked else message
    return text % variables if variables else text


def init_app(app: Flask, translated_blueprints: set[str]) -> None:
    """Translate the pages of ``translated_blueprints`` (the public ones); Jinja gets ``_``,
    ``_help``, ``translated``, ``page_language`` and ``offered_languages``."""
    app.extensions["languages"] = frozenset(translated_blueprints)
    LanguageBabel(app, locale_selector=_select_locale)
    app.add_template_global(help_text, "_help")
    # A message made elsewhere (an answer's error): looked up, never trusted as markup as
    # Jinja's ``_`` would trust it.
    app.add_template_global(gettext, "translated")
    app.add_template_global(current, "page_language")
    app.add_template_global(offered, "offered_languages")
