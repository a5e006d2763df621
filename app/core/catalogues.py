"""The translation catalogues: extract the English, compile the PO files, make the test languages.

``flask translations extract`` writes app/translations/messages.pot from the public pages
(babel.cfg) and updates each real language's PO file; ``flask translations compile`` builds the
.mo files the app reads (``make install`` runs it: .mo files are not committed);
``flask translations pseudo`` regenerates the two test languages from the English:

- en-XA, accented and about 40% longer, in brackets: untranslated or clipped text shows at once.
- ar-XB, right to left: each word is wrapped in a right-to-left override, so English reads
  mirrored on a right-to-left page, the way Android's ar-XB does; and each string starts with
  the Arabic word تجربة ("test"), so Arabic script itself (fonts, joined letters, PDFs, UCS-2
  texts) is exercised end to end, not only the direction.

Placeholders (``%(name)s``) and markup stay as they are.
"""

from __future__ import annotations

import re
from contextlib import chdir
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from app.core.languages import TRANSLATIONS_DIR, all_languages

ROOT = TRANSLATIONS_DIR.parent.parent
TEMPLATE = TRANSLATIONS_DIR / "messages.pot"
_KEEP = re.compile(r"(%\([a-z_]+\)s|<[^>]*>|&[a-z]+;|\s+)")
_ACCENTS = str.maketrans(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "åƀçđéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇĐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ",
)
RLO, PDF = "\u202e", "\u202c"
ARABIC_TAG = "تجربة"  # "test", in Arabic script


def _pieces(text: str) -> list[tuple[bool, str]]:
    """(is_word, piece) for ``text``: placeholders, markup and spaces are not words."""
    return [(not _KEEP.fullmatch(p), p) for p in _KEEP.split(text) if p]


def accented(text: str) -> str:
    """en-XA: every letter accented, about 40% longer, bracketed."""
    words = [p.translate(_ACCENTS) if is_word else p for is_word, p in _pieces(text)]
    letters = sum(len(p) for is_word, p in _pieces(text) if is_word)
    return "[" + "".join(words) + " " + "·" * max(1, round(letters * 0.4)) + "]" if text else ""


def mirrored(text: str) -> str:
    """ar-XB: an Arabic word, then every word wrapped in a right-to-left override."""
    if not text:
        return ""
    return (
        ARABIC_TAG + " " + "".join(RLO + p + PDF if is_word else p for is_word, p in _pieces(text))
    )


PSEUDO = {"en-XA": accented, "ar-XB": mirrored}


def extract() -> None:
    """Write messages.pot from the public pages, then update each real language's PO file."""
    cli = CommandLineInterface()
    with chdir(ROOT):  # locations in the catalogue relative to the repository, not this machine
        # templates/**/_partials hold wording too: Babel skips "_*" folders unless told
        extract_args = ["-F", "babel.cfg", "-k", "_help", "--no-wrap", "--ignore-dirs", ".*"]
        cli.run(
            ["pybabel", "-q", "extract", *extract_args, "--sort-by-file", "-o", str(TEMPLATE), "."]
        )
    for language in all_languages().values():
        po = TRANSLATIONS_DIR / language.catalogue / "LC_MESSAGES" / "messages.po"
        if language.code != "en" and not language.test and po.exists():
            update_args = ["--no-wrap", "-i", str(TEMPLATE), "-d", str(TRANSLATIONS_DIR)]
            cli.run(["pybabel", "-q", "update", *update_args, "-l", language.catalogue])


def write_pseudo() -> list[Path]:
    """Regenerate the test languages' PO files from messages.pot."""
    written = []
    for code, transform in PSEUDO.items():
        with TEMPLATE.open("rb") as f:
            catalog = read_po(f)
        catalog.locale = None
        for message in catalog:
            if message.id:
                message.string = transform(str(message.id))
        path = TRANSLATIONS_DIR / code.replace("-", "_") / "LC_MESSAGES" / "messages.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as f:
            write_po(f, catalog, width=0, omit_header=True)
        written.append(path)
    return written


def compile_all() -> list[Path]:
    """Build each PO file's .mo beside it (what the app reads)."""
    written = []
    for po in sorted(TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as f:
            catalog = read_po(f)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as f:
            write_mo(f, catalog)
        written.append(mo)
    return written
