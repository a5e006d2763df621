"""Every public page reads at a reading age of about 9.

Measure: the Flesch-Kincaid grade (textstat) of the words in each page's <main>, at most 4.0:
US grade 4 is a reading age of about 9. Each heading, paragraph, list item, label and button is
taken as a sentence of its own (a list item has no full stop, but a reader stops there).

Not measured: the questionnaire's own wording (its questions, hints, answer choices,
introduction, closing and acknowledgement, read from its TOML file). It stays as the 2015
survey wrote it, so that answers compare with other councils'. Its easy-read edition is measured
instead, at a lower grade (EASY_READ_MAX_GRADE), and in easy read every page is measured with
the questionnaire's words left in. The header and footer are short link labels, and the same
on every page, so they are left out too.
"""

from __future__ import annotations

import html.parser
import re
import tomllib
from pathlib import Path

import pytest
import textstat

from surveys.easy_read import EASY_READ
from surveys.services import BUILT_IN
from surveys.translations import TRANSLATIONS_DIR
from tests.surveys.conftest import SLUG
from tests.surveys.web.test_web_survey import ANSWERS, BASE

MAX_GRADE = 4.0
EASY_READ_MAX_GRADE = 2.0  # about a reading age of 7
QUESTIONNAIRE_FILE = f"surveys/questionnaires/{BUILT_IN}.toml"
BLOCKS = {
    "p", "li", "h1", "h2", "h3", "h4", "legend", "label", "button", "dt", "dd", "div", "span",
    "a", "summary", "td", "th", "caption",
}  # fmt: skip


def questionnaire_wording() -> list[str]:
    with open(QUESTIONNAIRE_FILE, "rb") as file:
        data = tomllib.load(file)
    found: list[str] = []

    def walk(value) -> None:
        if isinstance(value, str):
            found.extend(part.strip() for part in value.split("\n\n") if len(part.strip()) > 3)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(data)
    return sorted(set(found), key=len, reverse=True)


class MainText(html.parser.HTMLParser):
    """The text inside <main>, one line per block (heading, paragraph, list item...)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.lines: list[str] = [""]

    def handle_starttag(self, tag, attrs) -> None:
        if tag == "main":
            self.depth += 1
        if tag in BLOCKS:
            self.lines.append("")

    def handle_endtag(self, tag) -> None:
        if tag == "main":
            self.depth -= 1
        if tag in BLOCKS:
            self.lines.append("")

    def handle_data(self, data) -> None:
        if self.depth:
            self.lines[-1] += data


def readable_text(page_html: str, wording: list[str]) -> str:
    parser = MainText()
    parser.feed(page_html)
    sentences = []
    for line in parser.lines:
        line = " ".join(line.split())
        for text in wording:
            line = line.replace(" ".join(text.split()), "")
        line = line.strip(" ()")
        if not re.search(r"[A-Za-z]{2}", line):
            continue
        sentences.append(line if line[-1] in ".?!:" else line + ".")
    return " ".join(sentences)


def public_pages(client) -> dict[str, str]:
    """Every public page a care leaver can reach, as HTML, in the order they meet them."""
    pages = {"home": client.get("/").text, "start": client.get(BASE).text}
    pages["resume"] = client.get(f"{BASE}/resume").text
    pages["resume, wrong code"] = client.post(f"{BASE}/resume", data={"code": "AAAA-BBBB"}).text
    pages["help"] = client.get(f"{BASE}/help").text
    client.post(f"{BASE}/start")
    pages["date of birth, not a real date"] = client.post(
        f"{BASE}/q/Q1", data={"action": "answer", "day": "31", "month": "2", "year": "2005"}
    ).text
    for code, data in ANSWERS.items():
        pages[code] = client.get(f"{BASE}/q/{code}").text
        client.post(f"{BASE}/q/{code}", data={"action": "answer", **data})
    pages["save for later"] = client.get(f"{BASE}/save").text
    pages["check your answers"] = client.get(f"{BASE}/check").text
    client.post(f"{BASE}/check")
    pages["thanks"] = client.get(f"{BASE}/thanks").text
    for path in ("/you-said-we-did", "/privacy", "/accessibility", "/cookies"):
        pages[path] = client.get(path).text
    return pages


@pytest.mark.usefixtures("round_id")
def test_every_public_page_reads_at_about_age_9(client):
    wording = questionnaire_wording()
    grades = {}
    for name, page_html in public_pages(client).items():
        text = readable_text(page_html, wording)
        grades[name] = (textstat.flesch_kincaid_grade(text), text)
    print("\nFlesch-Kincaid grade per public page (at most 4.0, reading age about 9):")
    for name, (grade, _) in grades.items():
        print(f"  {grade:5.1f}  {name}")
    hard = {name: text for name, (grade, text) in grades.items() if grade > MAX_GRADE}
    assert not hard, f"Too hard to read (grade over {MAX_GRADE}): {hard}"


def test_the_measure_leaves_out_only_the_questionnaires_wording(client, round_id):
    """The question's own text is not measured, but the page's own words around it are."""
    client.post(f"{BASE}/start")
    text = readable_text(client.get(f"{BASE}/q/Q2").text, questionnaire_wording())
    assert "What stage are you at" not in text
    assert "Continue" in text and "Skip this question" in text
    assert SLUG not in text


def edition_sentences(path: Path) -> str:
    """An edition's words, each line a sentence (easy read puts one idea on a line)."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    sentences: list[str] = []

    def walk(value, key: str = "") -> None:
        if isinstance(value, str) and key not in ("picture", "key"):
            for line in value.splitlines():
                line = line.strip()
                if re.search(r"[A-Za-z]{2}", line):
                    sentences.append(line if line[-1] in ".?!:" else line + ".")
        elif isinstance(value, dict):
            for name, item in value.items():
                walk(item, name)
        elif isinstance(value, list):
            for item in value:
                walk(item, key)

    walk({k: v for k, v in data.items() if k not in ("acknowledgement", "version")})
    return " ".join(sentences)


@pytest.mark.parametrize(
    "path", sorted(TRANSLATIONS_DIR.glob(f"*.{EASY_READ}.toml")), ids=lambda p: p.name
)
def test_the_easy_read_edition_reads_easier_than_the_english(path):
    english = TRANSLATIONS_DIR.parent / f"{path.name.split('.')[0]}.toml"
    easy, usual = (textstat.flesch_kincaid_grade(edition_sentences(p)) for p in (path, english))
    print(f"\n{path.name}: grade {easy:.1f} (the English edition: {usual:.1f})")
    assert easy <= EASY_READ_MAX_GRADE < usual


@pytest.mark.usefixtures("round_id")
def test_every_public_page_in_easy_read_reads_at_about_age_9_questions_and_all(client):
    client.get(f"{BASE}?lang={EASY_READ}")
    grades = {}
    for name, page_html in public_pages(client).items():
        assert f'<html lang="{EASY_READ}"' in page_html or name.startswith("/") or name == "home"
        text = readable_text(page_html, [])  # nothing left out: the questions are measured too
        grades[name] = (textstat.flesch_kincaid_grade(text), text)
    print("\nFlesch-Kincaid grade per public page in easy read, questions included:")
    for name, (grade, _) in grades.items():
        print(f"  {grade:5.1f}  {name}")
    hard = {name: text for name, (grade, text) in grades.items() if grade > MAX_GRADE}
    assert not hard, f"Too hard to read (grade over {MAX_GRADE}): {hard}"
