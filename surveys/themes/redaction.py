"""Find what could identify someone in free text and propose a redaction ("[name]").

What is looked for: email addresses, UK phone numbers (the phonenumbers library, plus a plain
pattern for numbers written with odd spacing), postcodes, street addresses ("12 Acacia Road"),
names we know (staff, and later the contacts list: pass them in ``names``), and capitalised
names after cue words ("my PA Sarah", "a worker called Dave Smith"), and places we are told
about (``places``).

Proposals only: a participation worker reads and edits the redacted text before approving a
quote, and a quote is only ever stored redacted (services.approve_quote checks it again).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import phonenumbers

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
PHONE_LOOSE = re.compile(r"(?<!\w)(?:\+44\s?\(?0?\)?|0)(?:[\s-]?\d){9,10}(?!\d)")
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
STREET_WORDS = (
    "road|rd|street|st|avenue|ave|lane|ln|close|drive|dr|way|crescent|court|ct|place|grove|"
    "gardens|terrace|walk|row|hill|park|square|mews|view|rise"
)
ADDRESS = re.compile(
    rf"\b(?:flat\s+\d+[a-z]?,?\s+)?\d{{1,4}}[a-z]?,?\s+(?:[A-Z][a-z']+\s+){{1,3}}(?:{STREET_WORDS})\b",
    re.IGNORECASE,
)
NAMED_STREET = re.compile(rf"\b(?:[A-Z][a-z']+\s+){{1,2}}(?:{STREET_WORDS.title()})\b")
CUE = re.compile(
    r"\b(?:my|our|the|a|new|old)?\s*(?:pa|p\.a\.|personal advis[eo]r|social worker|worker|sw|"
    r"key ?worker|carer|foster carer|foster mum|foster dad|manager|mentor|teacher|tutor|"
    r"called|named|name is|name's|mate|friend|boyfriend|girlfriend|partner|sister|brother|"
    r"cousin|auntie|aunt|uncle|nan|son|daughter)\s+(?P<name>[A-Z][a-z'\u2019-]+(?:\s+[A-Z][a-z'\u2019-]+)?)",
    re.IGNORECASE,
)
# Capitalised words after a cue that are not names.
NOT_NAMES = {
    "i",
    "is",
    "was",
    "and",
    "but",
    "has",
    "had",
    "who",
    "at",
    "in",
    "on",
    "the",
    "a",
    "so",
    "never",
    "always",
    "keeps",
    "helped",
    "helps",
    "said",
    "says",
    "does",
    "did",
    "from",
    "for",
    "to",
    "not",
    "will",
    "would",
    "can",
    "could",
    "should",
    "team",
    "when",
    "because",
    "she",
    "he",
    "they",
    "them",
    "her",
    "him",
    "it",
    "this",
    "that",
    "there",
    "then",
    "about",
    "changed",
    "left",
    "leaves",
    "left.",
    "got",
    "gets",
    "really",
    "just",
    "also",
    "too",
    "meeting",
    "meetings",
    "review",
    "reviews",
    "plan",
    "care",
    "leaving",
    "after",
    "before",
    "told",
    "tells",
    "come",
    "came",
    "comes",
    "visit",
    "visits",
    "visited",
    "be",
    "are",
    "were",
}
# First names that are also everyday words: matched only when written with a capital letter.
COMMON_WORDS = {
    "will",
    "hope",
    "grace",
    "joy",
    "may",
    "rose",
    "mark",
    "bill",
    "sunny",
    "faith",
    "dawn",
    "june",
    "april",
    "summer",
    "autumn",
    "amber",
    "ruby",
    "crystal",
    "holly",
    "ivy",
    "jack",
    "frank",
    "rob",
    "sue",
    "pat",
    "sky",
    "star",
    "river",
    "storm",
    "chance",
    "guy",
    "max",
    "bob",
    "ray",
    "jay",
    "lee",
    "cliff",
    "dean",
    "drew",
    "gene",
    "hunter",
    "penny",
    "gay",
    "sam",
}

LABELS = {
    "email": "[email]",
    "phone": "[phone number]",
    "postcode": "[postcode]",
    "address": "[address]",
    "name": "[name]",
    "place": "[place]",
}


@dataclass(frozen=True)
class Finding:
    start: int
    end: int
    kind: str
    text: str

    @property
    def replacement(self) -> str:
        return LABELS[self.kind]


@dataclass
class Proposal:
    original: str
    redacted: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        return sorted({f.kind for f in self.findings})


def find(text: str, names: Iterable[str] = (), places: Iterable[str] = ()) -> list[Finding]:
    """Everything in ``text`` that may identify someone, without overlaps, in order."""
    found: list[Finding] = []
    for match in EMAIL.finditer(text):
        found.append(Finding(match.start(), match.end(), "email", match.group()))
    for number in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.VALID):
        found.append(Finding(number.start, number.end, "phone", number.raw_string))
    for match in PHONE_LOOSE.finditer(text):
        found.append(Finding(match.start(), match.end(), "phone", match.group()))
    for match in POSTCODE.finditer(text):
        found.append(Finding(match.start(), match.end(), "postcode", match.group()))
    for pattern in (ADDRESS, NAMED_STREET):
        for match in pattern.finditer(text):
            found.append(Finding(match.start(), match.end(), "address", match.group()))
    for match in CUE.finditer(text):
        name = match.group("name")
        first = name.split()[0]
        if first.lower() in NOT_NAMES or not first[0].isupper():
            continue
        parts = name.split()
        if len(parts) > 1 and parts[1].lower() in NOT_NAMES:
            name = first
        start = match.start("name")
        found.append(Finding(start, start + len(name), "name", name))
    found.extend(_known(text, names, "name"))
    found.extend(_known(text, places, "place"))
    return _without_overlaps(found)


def propose(text: str, names: Iterable[str] = (), places: Iterable[str] = ()) -> Proposal:
    """The text with each finding replaced by its label, e.g. "my PA [name] rang me"."""
    findings = find(text, names, places)
    pieces, last = [], 0
    for finding in findings:
        pieces.append(text[last : finding.start])
        pieces.append(finding.replacement)
        last = finding.end
    pieces.append(text[last:])
    return Proposal(text, "".join(pieces), findings)


def name_parts(full_names: Iterable[str]) -> set[str]:
    """First names, surnames and full names from a list such as staff names."""
    parts: set[str] = set()
    for full in full_names:
        full = (full or "").strip()
        if not full:
            continue
        parts.add(full)
        for part in re.split(r"[\s-]+", full):
            if len(part) >= 2 and part.lower() not in {"cllr", "dr", "mr", "mrs", "ms", "miss"}:
                parts.add(part)
    return parts


def _known(text: str, words: Iterable[str], kind: str) -> list[Finding]:
    found = []
    for word in sorted({w.strip() for w in words if w and w.strip()}, key=len, reverse=True):
        common = all(part.lower() in COMMON_WORDS for part in word.split()) or len(word) < 3
        flags = 0 if common else re.IGNORECASE
        for match in re.finditer(rf"(?<!\w){re.escape(word)}(?!\w)", text, flags):
            found.append(Finding(match.start(), match.end(), kind, match.group()))
    return found


def _without_overlaps(found: list[Finding]) -> list[Finding]:
    """Keep the earliest, then the longest, of overlapping findings."""
    kept: list[Finding] = []
    for finding in sorted(found, key=lambda f: (f.start, -(f.end - f.start))):
        if kept and finding.start < kept[-1].end:
            if finding.end > kept[-1].end:
                previous = kept.pop()
                kept.append(Finding(previous.start, finding.end, previous.kind, previous.text))
            continue
        kept.append(finding)
    return kept
