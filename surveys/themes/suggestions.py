"""Suggested themes for a piece of free text, best first, each with the reason it is suggested.

Two sources, both plain Python so they run anywhere the app runs:
- Keyword rules that staff edit per theme ("rent", "council tax", "budget*"). Words are matched
  after light stemming, so "bill" finds "bills" and "cooking" finds "cook". A phrase counts a
  little more than a single word.
- Learning from answers already coded, in this round and earlier ones (themes match across
  rounds by their key), and from each theme's example answers: a multinomial naive Bayes over
  words, which is quick to rebuild and explains itself ("like 12 coded answers: rent, flat").

The optional semantic suggestions (``pip install .[ml]``) live in semantic.py and add to these.
Nothing here touches the database: services.py builds a Suggester from the codebook.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from app.core.text import strip_accents

WORD = re.compile(r"[a-z0-9£&/][a-z0-9'&/.-]*")
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "from",
        "with",
        "by",
        "as",
        "is",
        "am",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "i",
        "me",
        "my",
        "mine",
        "we",
        "us",
        "our",
        "you",
        "your",
        "he",
        "him",
        "his",
        "she",
        "her",
        "it",
        "its",
        "they",
        "them",
        "their",
        "this",
        "that",
        "these",
        "those",
        "there",
        "here",
        "so",
        "too",
        "very",
        "really",
        "just",
        "also",
        "it's",
        "im",
        "i'm",
        "ive",
        "i've",
        "dont",
        "don't",
        "didnt",
        "didn't",
        "would",
        "could",
        "should",
        "can",
        "will",
        "shall",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "not",
        "get",
        "got",
        "getting",
        "more",
        "most",
        "some",
        "any",
        "all",
        "when",
        "what",
        "who",
        "how",
        "which",
        "while",
        "about",
        "into",
        "than",
        "then",
        "up",
        "down",
        "out",
        "over",
        "again",
        "even",
        "still",
        "yet",
        "because",
        "lot",
        "lots",
        "much",
        "many",
        "thing",
        "things",
        "stuff",
        "way",
        "bit",
        "one",
        "ones",
        "like",
        "want",
        "wanted",
        "need",
        "needed",
    ]
)
KEYWORD_WEIGHT, PHRASE_WEIGHT = 1.0, 1.5
LEARNED_WEIGHT = 2.0  # how far learning counts against one keyword
MIN_SCORE = 0.15
ALPHA = 0.2  # additive smoothing for naive Bayes


def stem(word: str) -> str:
    """A deliberately light English stemmer: plurals, -ing, -ed, possessives."""
    word = word.strip("'.-/")
    if word.endswith("'s"):
        word = word[:-2]
    word = word.replace("'", "")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
        return word[:-1] if len(word) > 3 and word[-1] == word[-2] else word
    if len(word) > 4 and word.endswith("ed") and not word.endswith("eed"):
        word = word[:-2]
        return word[:-1] if len(word) > 3 and word[-1] == word[-2] else word
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """Lower-case words, accents folded, without stemming."""
    text = strip_accents(text.lower()).replace("’", "'")  # noqa: RUF001
    return [w.strip("'.-/") for w in WORD.findall(text) if w.strip("'.-/")]


def tokens(text: str) -> list[str]:
    return [stem(w) for w in words(text)]


def content_tokens(text: str) -> list[str]:
    return [stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1]


@dataclass(frozen=True)
class ThemeRule:
    """What the suggester needs to know about one theme."""

    key: str
    name: str
    parent_key: str | None = None
    keywords: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


@dataclass
class Suggestion:
    key: str
    name: str
    score: float
    reasons: list[str] = field(default_factory=list)

    @property
    def why(self) -> str:
        return "; ".join(self.reasons)


@dataclass(frozen=True)
class _Rule:
    theme: str
    pattern: tuple[str, ...]  # stemmed words; a last item ending "*" is a prefix
    label: str
    weight: float


class Suggester:
    """Suggests themes from keyword rules and from coded examples."""

    def __init__(
        self, themes: Sequence[ThemeRule], coded: Iterable[tuple[str, Iterable[str]]] = ()
    ):
        self.themes = {t.key: t for t in themes}
        self._rules: dict[str, list[_Rule]] = defaultdict(list)
        self._prefix_rules: list[_Rule] = []
        for theme in themes:
            for keyword in theme.keywords:
                self._add_rule(theme.key, keyword)
        self._by_label = {(r.theme, r.label): r for rs in self._rules.values() for r in rs}
        self._by_label.update({(r.theme, r.label): r for r in self._prefix_rules})
        # Naive Bayes counts: per theme, documents and word counts.
        self.docs: Counter[str] = Counter()
        self.word_counts: dict[str, Counter[str]] = defaultdict(Counter)
        self.totals: Counter[str] = Counter()
        self.vocabulary: set[str] = set()
        self.coded_docs: Counter[str] = Counter()  # real coded answers (not examples) per theme
        for theme in themes:
            for example in theme.examples:
                self._learn(example, [theme.key], coded=False)
        for text, keys in coded:
            self._learn(text, keys, coded=True)

    # --- building ---------------------------------------------------------------------------

    def _add_rule(self, theme: str, keyword: str) -> None:
        raw = keyword.strip().lower()
        if not raw:
            return
        prefix = raw.endswith("*")
        parts = words(raw.rstrip("*"))
        if not parts:
            if raw.rstrip("*"):  # a symbol such as "£"
                parts = [raw.rstrip("*")]
            else:
                return
        pattern = [stem(p) for p in parts]
        if prefix:
            pattern[-1] = parts[-1] + "*"
        weight = PHRASE_WEIGHT if len(pattern) > 1 else KEYWORD_WEIGHT
        rule = _Rule(theme, tuple(pattern), raw, weight)
        if prefix and len(pattern) == 1:
            self._prefix_rules.append(rule)
        else:
            self._rules[pattern[0]].append(rule)

    def _learn(self, text: str, keys: Iterable[str], *, coded: bool) -> None:
        features = set(_features(text))
        if not features:
            return
        for key in keys:
            if key not in self.themes:
                continue
            self.docs[key] += 1
            if coded:
                self.coded_docs[key] += 1
            self.word_counts[key].update(features)
            self.totals[key] += len(features)
        self.vocabulary |= features

    # --- suggesting -------------------------------------------------------------------------

    def suggest(self, text: str, limit: int = 5, *, top_level: bool = False) -> list[Suggestion]:
        """The best ``limit`` themes for ``text``; ``top_level`` folds sub-themes into parents."""
        scores: dict[str, float] = defaultdict(float)
        reasons: dict[str, list[str]] = defaultdict(list)
        self._keyword_scores(text, scores, reasons)
        self._learned_scores(text, scores, reasons)
        if top_level:
            scores, reasons = self._fold(scores, reasons)
        ranked = sorted(
            (k for k, s in scores.items() if s >= MIN_SCORE),
            key=lambda k: (-scores[k], self.themes[k].name),
        )
        return [
            Suggestion(k, self.themes[k].name, round(scores[k], 3), reasons[k])
            for k in ranked[:limit]
        ]

    def _keyword_scores(self, text: str, scores, reasons) -> None:
        raw = words(text)
        stems = [stem(w) for w in raw]
        if "£" in text and "£" not in stems:
            raw.append("£")
            stems.append("£")
        seen: set[tuple[str, str]] = set()
        for i, first in enumerate(stems):
            for rule in self._rules.get(first, ()):
                if _matches(rule.pattern, raw, stems, i) and (rule.theme, rule.label) not in seen:
                    seen.add((rule.theme, rule.label))
            for rule in self._prefix_rules:
                if raw[i].startswith(rule.pattern[0][:-1]) and (rule.theme, rule.label) not in seen:
                    seen.add((rule.theme, rule.label))
        for theme, label in sorted(seen):
            rule = self._by_label[(theme, label)]
            # Several keywords for one theme add up, with diminishing returns.
            scores[theme] += rule.weight / (1 + 0.5 * len(reasons[theme]))
            reasons[theme].append(f"keyword: {label}")

    def _learned_scores(self, text: str, scores, reasons) -> None:
        features = [f for f in set(_features(text)) if f in self.vocabulary]
        if not features or not self.docs:
            return
        size = len(self.vocabulary)
        total_docs = sum(self.docs.values())
        logs: dict[str, float] = {}
        for key, docs in self.docs.items():
            counts, total = self.word_counts[key], self.totals[key]
            log_p = math.log(docs / total_docs)
            for f in features:
                log_p += math.log((counts[f] + ALPHA) / (total + ALPHA * size))
            logs[key] = log_p
        top = max(logs.values())
        weights = {k: math.exp(v - top) for k, v in logs.items()}
        norm = sum(weights.values())
        for key, weight in weights.items():
            probability = weight / norm
            if probability < 0.05:
                continue
            shared = [f for f in features if self.word_counts[key][f]]
            if not shared:
                continue
            scores[key] += LEARNED_WEIGHT * probability
            best = sorted(shared, key=lambda f: -self.word_counts[key][f])[:3]
            count = self.coded_docs[key]
            source = f"like {count} coded answers" if count else "like the theme's examples"
            shown = ", ".join(f.replace("_", " ") for f in best)
            reasons[key].append(f"{source} ({shown})")

    def _fold(
        self, scores: dict[str, float], reasons: dict[str, list[str]]
    ) -> tuple[dict[str, float], dict[str, list[str]]]:
        folded: dict[str, float] = defaultdict(float)
        why: dict[str, list[str]] = defaultdict(list)
        for key, score in scores.items():
            parent = self.themes[key].parent_key
            top = parent if parent in self.themes else key
            folded[top] = max(folded[top], score)
            why[top].extend(r for r in reasons[key] if r not in why[top])
        return folded, why


def _matches(pattern: tuple[str, ...], raw: list[str], stems: list[str], i: int) -> bool:
    if i + len(pattern) > len(stems):
        return False
    for offset, part in enumerate(pattern):
        if part.endswith("*"):
            if not raw[i + offset].startswith(part[:-1]):
                return False
        elif stems[i + offset] != part:
            return False
    return True


def _features(text: str) -> list[str]:
    """Content words and adjacent pairs ("council_tax")."""
    stems = content_tokens(text)
    return stems + [f"{a}_{b}" for a, b in itertools.pairwise(stems)]
