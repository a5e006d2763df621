"""The translator workflow: the wording a translator needs, out (PO or XLSX) and back in.

An export holds, for one language, every string of the public pages (app/translations/
messages.pot: our fixed wording, the text conversation, the paper form) and every string of the
shipped questionnaires (surveys/translations.py: titles, questions as shown on the web, as
texted, hints, choices), each with its key, where it is used, the English and the current
translation (imported, else shipped). An import is checked whole before anything is saved:
a key we do not know, or a translation whose placeholders (``%(name)s``) are not exactly the
English's, is refused with its row, and nothing is saved. Saved translations are laid over the
shipped ones (surveys/translator/store.py); every import and status change is audited.

Help and safeguarding wording keeps its one rule (app/core/languages.help_text): imported or
not, it is shown only in a language a translator has checked (``set_checked``, admins).

Keys: a page string's key is empty (its English is its key, as in gettext); a questionnaire
string's is ``translations.context_of`` (``new-belongings-2026/Q2/web_text``), which a PO file
carries as ``msgctxt``.
"""

from __future__ import annotations

import io
import re
import tomllib
from dataclasses import dataclass

import sqlalchemy as sa
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from app.core import languages
from app.core.catalogues import TEMPLATE
from app.core.extensions import db
from app.core.languages import TRANSLATIONS_DIR, Language
from app.core.spreadsheets import Sheet, TableInvalid, TableWording, read_table, to_xlsx
from app.staff.audit.services import record
from surveys import translations
from surveys.services import SHIPPED
from surveys.translator import store
from surveys.translator.models import LanguageStatus, TranslationText

HEADERS = ["Key", "Where it is used", "English", "Translation"]
SHEET = "Translations"
WORDING = TableWording(
    contents="the translations", noun="translations", example_headers=", ".join(HEADERS),
    sheet=SHEET,
)  # fmt: skip
PLACEHOLDER = re.compile(r"%\(([A-Za-z_][A-Za-z0-9_]*)\)[sd]")
QUESTION_FIELDS = {
    "web_text": "the question on the web and paper",
    "sms_text": "the question as a text message",
    "hint": "the hint under the question",
    "scale_min_label": "the label of the scale's lowest end",
    "scale_max_label": "the label of the scale's highest end",
}
QUESTIONNAIRE_FIELDS = ("title", "introduction", "closing", "acknowledgement")


class LanguageUnknown(Exception):
    """Not a language offered here (or English, which is the source)."""


class ImportInvalid(Exception):
    """The file cannot be imported; ``errors`` says which rows and why (nothing was saved)."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Entry:
    key: str  # "" for a page string; translations.context_of(...) for a questionnaire string
    where: str
    english: str
    translation: str


@dataclass(frozen=True)
class LanguageState:
    language: Language
    checked: bool
    imported: int  # strings imported for it


def translatable(code: str) -> Language:
    """The language ``code`` names, if it may be translated here (an offered language, not
    English)."""
    for language in languages.offered():
        if language.code == code and language.code != languages.DEFAULT:
            return language
    raise LanguageUnknown(code)


def states() -> list[LanguageState]:
    counts: dict[str, int] = {
        code: n
        for code, n in db.session.execute(
            sa.select(TranslationText.language, sa.func.count()).group_by(TranslationText.language)
        )
    }
    return [
        LanguageState(lang, languages.is_checked(lang), counts.get(lang.code, 0))
        for lang in languages.offered()
        if lang.code != languages.DEFAULT
    ]


# --- What a translator gets ----------------------------------------------------------------


def _shipped_catalogue(language: Language) -> dict[str, str]:
    path = TRANSLATIONS_DIR / language.catalogue / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as f:
        return {str(m.id): str(m.string) for m in read_po(f) if m.id and m.string}


def entries(language: Language) -> list[Entry]:
    """Every string a translator can translate for ``language``, with its current translation."""
    shipped = _shipped_catalogue(language)
    imported = store.strings(language.code)
    found: list[Entry] = []
    with TEMPLATE.open("rb") as f:
        template = read_po(f)
    for message in template:
        if not message.id or not isinstance(message.id, str):
            continue
        where = ", ".join(sorted({path for path, _line in message.locations}))
        current = imported.get(message.id) or shipped.get(message.id, "")
        found.append(Entry("", f"Pages and texts: {where}", message.id, current))
    for key in SHIPPED:
        found += _questionnaire_entries(key, language.code)
    return found


def _questionnaire_entries(key: str, code: str) -> list[Entry]:
    english = tomllib.loads(
        (translations.TRANSLATIONS_DIR.parent / f"{key}.toml").read_text(encoding="utf-8")
    )
    current = translations.wording_data(key, code)
    found = [
        Entry(
            translations.context_of(key, field),
            f"{english['title']}: the {field}",
            english[field],
            current.get(field, ""),
        )
        for field in QUESTIONNAIRE_FIELDS
        if english.get(field)
    ]
    for question in english["questions"]:
        mine = current.get(question["code"], {})
        for field, where in QUESTION_FIELDS.items():
            if question.get(field):
                found.append(
                    Entry(
                        translations.context_of(key, question["code"], field),
                        f"{english['title']}, {question['code']}: {where}",
                        question[field],
                        mine.get(field, ""),
                    )
                )
        for option in question.get("options", []):
            found.append(
                Entry(
                    translations.context_of(key, question["code"], "options", option["value"]),
                    f"{english['title']}, {question['code']}: an answer to choose",
                    option["label"],
                    mine.get("options", {}).get(option["value"], ""),
                )
            )
    return found


def export_po(language: Language) -> bytes:
    catalog = Catalog(project="Belonging", fuzzy=False)
    catalog.language_team = language.name
    for entry in entries(language):
        catalog.add(
            entry.english,
            entry.translation,
            auto_comments=[entry.where],
            context=entry.key or None,
        )
    out = io.BytesIO()
    write_po(out, catalog, width=0, omit_header=False)
    return out.getvalue()


def export_xlsx(language: Language) -> bytes:
    rows = [[e.key, e.where, e.english, e.translation] for e in entries(language)]
    widths = {"A": 30.0, "B": 40.0, "C": 60.0, "D": 60.0}
    return to_xlsx([Sheet(title=SHEET, rows=[HEADERS, *rows], widths=widths)])


# --- What comes back -----------------------------------------------------------------------


def _rows_of(filename: str, data: bytes) -> list[tuple[int, str, str, str]]:
    """(row or PO line, key, English, translation) for each string in the file."""
    if filename.lower().endswith(".po"):
        try:
            catalog = read_po(io.BytesIO(data), abort_invalid=True)
        except Exception:  # Babel raises several kinds for a broken file
            raise ImportInvalid(["This file cannot be read as a PO file"]) from None
        return [
            (m.lineno or 0, str(m.context or ""), str(m.id), str(m.string or ""))
            for m in catalog
            if m.id and isinstance(m.id, str)
        ]
    try:
        headers, body = read_table(filename, data, wording=WORDING)
    except TableInvalid as exc:
        raise ImportInvalid([str(exc)]) from None
    if [h.lower() for h in headers[:4]] != [h.lower() for h in HEADERS]:
        raise ImportInvalid([f"The first row must be the column names: {', '.join(HEADERS)}"])
    return [(n, r[0], r[2], r[3]) for n, r in enumerate(body, start=2)]


def _placeholder_problem(english: str, text: str) -> str | None:
    wanted = sorted(PLACEHOLDER.findall(english))
    given = sorted(PLACEHOLDER.findall(text))
    if text.count("%(") != len(given) or wanted != given:
        names = ", ".join(f"%({n})s" for n in wanted) or "none"
        return f"its placeholders must be exactly the English's ({names}), written the same way"
    return None


def import_file(language: Language, filename: str, data: bytes) -> int:
    """Save the translations in a PO or XLSX file; the number saved. Nothing is saved if any
    row is refused (``ImportInvalid`` lists them)."""
    known = {(e.key, e.english) for e in entries(language)}
    errors: list[str] = []
    saved: dict[tuple[str, str], str] = {}
    row_word = "Line" if filename.lower().endswith(".po") else "Row"
    for row, key, english, text in _rows_of(filename, data):
        if (key, english) not in known:
            shown = f"key '{key}'" if key else f"'{english[:60]}'"
            errors.append(f"{row_word} {row}: we do not know {shown}. Export a new file")
            continue
        if not text.strip():
            continue  # not translated yet: the shipped translation (or English) stays
        problem = _placeholder_problem(english, text)
        if problem:
            errors.append(f"{row_word} {row}: {problem}")
            continue
        saved[(key, english)] = text.strip()
    if errors:
        raise ImportInvalid(errors)
    existing = {
        (row.context, row.source): row
        for row in db.session.scalars(
            sa.select(TranslationText).where(TranslationText.language == language.code)
        )
    }
    for (key, english), text in saved.items():
        kept = existing.get((key, english))
        if kept is None:
            db.session.add(
                TranslationText(language=language.code, context=key, source=english, text=text)
            )
        else:
            kept.text = text
    record(
        "translations.imported",
        object_type="Language",
        object_id=language.code,
        detail=f"{len(saved)} strings from {filename[:100]}",
    )
    db.session.commit()
    store.forget()
    return len(saved)


def set_checked(language: Language, checked: bool) -> None:
    """An admin's answer to "checked by a translator?"; until yes, help wording stays English."""
    status = db.session.get(LanguageStatus, language.code)
    if status is None:
        status = LanguageStatus(language=language.code)
        db.session.add(status)
    status.checked = checked
    record(
        "translations.checked",
        object_type="Language",
        object_id=language.code,
        detail="checked by a translator: " + ("yes" if checked else "no"),
    )
    db.session.commit()
    store.forget()
