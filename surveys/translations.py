"""The questionnaire's wording in other languages: data beside the English, per string.

A shipped edition's translation is a TOML file per language beside its English,
``surveys/questionnaires/translations/<key>.<language>.toml``, keyed by question code::

    title = "..."            # also introduction, closing, acknowledgement
    [Q2]
    web_text = "..."
    sms_text = "..."         # the question as texted, numbers and all (surveys/sms)
    hint = "..."
    options = { "1" = "...", "6" = "..." }    # by option value: answers keep English's codes
    paper_text = "..."       # the paper form's wording (falls back to the web wording)
    picture = "home"         # easy read: static/images/easy-read/home.svg, shown inline
    picture_alt = "A house"  # what the picture shows, for screen readers and as its title

Every string falls back to the English on its own, so a half-done translation still works, and a
question a council adds or rewords in a new version (its English differs from the shipped file's)
shows in English rather than in a translation of other words. Only the words change: codes, option
values and the order stay the English ones, so answers are stored exactly as in English.
The wording web pages show is a ``QuestionWording``; the engine and stored answers never see it.

What a council's translator imports (surveys/translator) is laid over the shipped file, string
by string (``wording_data``); its keys are ``context_of`` below, the same in the export and import.
Easy read is an edition of this kind, not a language of its own code base: ``en-x-easyread``
(BCP 47 private use: English, easy-read edition) in app/translations/languages.toml, chosen like
a language on the start page, with short sentences, one idea a line (a single newline in a
string starts a new line on the page and the paper form) and a picture for each question.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

from surveys.models import Question, Questionnaire
from surveys.translator import store

TRANSLATIONS_DIR = Path(__file__).parent / "questionnaires" / "translations"
ENGLISH = "en"


@cache
def _translation(key: str, language: str) -> dict[str, Any]:
    path = TRANSLATIONS_DIR / f"{key}.{language}.toml"
    if language == ENGLISH or not path.exists():
        return {}
    return tomllib.loads(path.read_text(encoding="utf-8"))


def _english_file(key: str) -> Path:
    """A shipped edition's English file, or a module's (surveys/questionnaires/modules/): a
    module's translations sit beside the editions', by its key."""
    path = TRANSLATIONS_DIR.parent / f"{key}.toml"
    return path if path.exists() else TRANSLATIONS_DIR.parent / "modules" / f"{key}.toml"


@cache
def _shipped_english(key: str, field: str = "web_text") -> dict[str, str]:
    """The shipped English ``field`` of each question, by code ({} for a key not shipped)."""
    path = _english_file(key)
    if not path.exists():
        return {}
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {q["code"]: q.get(field) or "" for q in data["questions"]}


def context_of(key: str, *path: str) -> str:
    """The key of one questionnaire string: ``new-belongings-2026/Q2/options/1``."""
    return "/".join((key, *path))


def wording_data(key: str, language: str) -> dict[str, Any]:
    """The shipped translation of ``key`` with what a translator imported laid over it."""
    data = _translation(key, language)
    imported = store.wording(language) if language != ENGLISH else {}
    prefix = context_of(key, "")
    mine = {c.removeprefix(prefix): t for c, t in imported.items() if c.startswith(prefix)}
    if not mine:
        return data
    merged: dict[str, Any] = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    for path, text in mine.items():
        parts = path.split("/")
        if len(parts) == 1:
            merged[parts[0]] = text
            continue
        question = merged.setdefault(parts[0], {})
        if parts[1] == "options" and len(parts) == 3:
            question["options"] = {**question.get("options", {}), parts[2]: text}
        else:
            question[parts[1]] = text
    return merged


def languages_with_translation(key: str) -> list[str]:
    """The languages a questionnaire key has a translation file (or imported wording) for."""
    shipped = {p.name.split(".")[1] for p in TRANSLATIONS_DIR.glob(f"{key}.*.toml")}
    return sorted(shipped)


@dataclass(frozen=True)
class QuestionnaireWording:
    title: str
    introduction: str
    closing: str
    acknowledgement: str


@dataclass(frozen=True)
class QuestionWording:
    web_text: str
    hint: str
    scale_min_label: str
    scale_max_label: str
    options: list[dict[str, Any]]
    paper_text: str = ""
    picture: str = ""
    picture_alt: str = ""

    def option_label(self, value: str) -> str:
        return next((o["label"] for o in self.options if o["value"] == value), value)


def questionnaire_wording(questionnaire: Questionnaire, language: str) -> QuestionnaireWording:
    data = wording_data(questionnaire.key, language)
    return QuestionnaireWording(
        title=data.get("title") or questionnaire.title,
        introduction=data.get("introduction") or questionnaire.introduction,
        closing=data.get("closing") or questionnaire.closing,
        acknowledgement=data.get("acknowledgement") or questionnaire.acknowledgement,
    )


def question_wording(question: Question, language: str) -> QuestionWording:
    """The question's web wording in ``language``, each string falling back to the English."""
    key = question.questionnaire.key
    data = wording_data(key, language).get(question.code, {})
    if _shipped_english(key).get(question.code) != question.web_text:
        data = {}  # a council reworded or added this question: its translation would mislead
    labels = data.get("options", {})
    return QuestionWording(
        web_text=data.get("web_text") or question.web_text,
        hint=(data.get("hint") or question.hint) if question.hint else "",
        scale_min_label=(data.get("scale_min_label") or question.scale_min_label)
        if question.scale_min_label
        else "",
        scale_max_label=(data.get("scale_max_label") or question.scale_max_label)
        if question.scale_max_label
        else "",
        options=[
            {**option, "label": labels.get(option["value"]) or option["label"]}
            for option in question.options
        ],
        paper_text=data.get("paper_text")
        or data.get("web_text")
        or question.paper_text
        or question.web_text,
        picture=data.get("picture", "") if data.get("picture_alt") else "",
        picture_alt=data.get("picture_alt", ""),
    )


def paper_wording(question: Question, language: str) -> QuestionWording:
    """The question as printed: the translated wording where there is one, else the English
    paper wording (a council may print different words from the web's)."""
    wording = question_wording(question, language)
    return replace(wording, web_text=wording.paper_text)


def sms_wording(question: Question, language: str) -> str:
    """The question as texted in ``language``: its translated ``sms_text`` while the council's
    SMS wording is still the shipped one, else the English SMS wording (or web wording)."""
    english = (question.sms_text or question.web_text).strip()
    key = question.questionnaire.key
    if _shipped_english(key, "sms_text").get(question.code, "").strip() != english:
        return english
    translated = wording_data(key, language).get(question.code, {}).get("sms_text", "")
    return translated.strip() or english


def write_generated(key: str, language: str, transform: Callable[[str], str]) -> Path:
    """Write a generated translation of shipped edition or module ``key`` (the test languages:
    app/core/catalogues.py), every string passed through ``transform``."""
    english = tomllib.loads(_english_file(key).read_text(encoding="utf-8"))
    lines = [f"# Generated by `flask translations pseudo` from {key}.toml: do not edit.", ""]
    for field in ("title", "introduction", "closing", "acknowledgement"):
        if english.get(field):
            lines.append(f"{field} = {_toml_string(transform(english[field]))}")
    for q in english["questions"]:
        lines += ["", f"[{q['code']}]"]
        for field in ("web_text", "sms_text", "hint", "scale_min_label", "scale_max_label"):
            if q.get(field):
                lines.append(f"{field} = {_toml_string(transform(q[field]))}")
        if q.get("options"):
            labels = ", ".join(
                f"{_toml_string(o['value'])} = {_toml_string(transform(o['label']))}"
                for o in q["options"]
            )
            lines.append(f"options = {{ {labels} }}")
    path = TRANSLATIONS_DIR / f"{key}.{language}.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _translation.cache_clear()
    return path


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string
