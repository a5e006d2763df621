"""Self-assessment frameworks as data: the TOML files beside this module.

A framework has sections, each with statements; one scoring scale (whole numbers, low to high);
and the evidence fields asked for beside every statement. Answers refer to a statement by its
``key``, so a council may reword a statement (or paste in its licensed copy) without losing
earlier answers, but must keep the keys. ``verified = false`` means the wording is the app's
own, not the framework's: pages and the pack say so (``wording_note``).
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from pathlib import Path

FOLDER = Path(__file__).parent


@dataclass(frozen=True)
class ScalePoint:
    value: int
    label: str


@dataclass(frozen=True)
class EvidenceField:
    key: str
    label: str
    hint: str


@dataclass(frozen=True)
class Statement:
    key: str
    text: str


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    statements: tuple[Statement, ...]


@dataclass(frozen=True)
class Framework:
    key: str
    title: str
    short_title: str
    source: str
    verified: bool
    wording_note: str
    question: str
    scale: tuple[ScalePoint, ...]
    evidence: tuple[EvidenceField, ...]
    sections: tuple[Section, ...]

    @property
    def statements(self) -> list[Statement]:
        return [s for section in self.sections for s in section.statements]

    @property
    def lowest(self) -> int:
        return self.scale[0].value

    @property
    def highest(self) -> int:
        return self.scale[-1].value

    def scale_label(self, value: int | None) -> str:
        for point in self.scale:
            if point.value == value:
                return f"{point.value} {point.label}"
        return "Not scored"


class FrameworkError(ValueError):
    """A framework file that cannot be used, with what is wrong in it."""


def parse(data: dict) -> Framework:
    try:
        scale = tuple(ScalePoint(int(p["value"]), str(p["label"])) for p in data["scale"])
        framework = Framework(
            key=str(data["key"]),
            title=str(data["title"]),
            short_title=str(data.get("short_title", data["title"])),
            source=str(data.get("source", "")),
            verified=bool(data.get("verified", False)),
            wording_note=str(data.get("wording_note", "")),
            question=str(data.get("question", "How far is this in place?")),
            scale=scale,
            evidence=tuple(
                EvidenceField(str(e["key"]), str(e["label"]), str(e.get("hint", "")))
                for e in data.get("evidence", [])
            ),
            sections=tuple(
                Section(
                    str(s["key"]),
                    str(s["title"]),
                    tuple(Statement(str(t["key"]), str(t["text"])) for t in s["statements"]),
                )
                for s in data["sections"]
            ),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise FrameworkError(f"Missing or wrong value: {exc}") from exc
    values = [p.value for p in framework.scale]
    if len(values) < 2 or values != sorted(set(values)):
        raise FrameworkError("The scale needs two or more points, from lowest to highest")
    keys = [s.key for s in framework.statements]
    if len(keys) != len(set(keys)) or len({s.key for s in framework.sections}) != len(
        framework.sections
    ):
        raise FrameworkError("Every section and statement needs its own key")
    return framework


@functools.cache
def frameworks() -> dict[str, Framework]:
    """Every framework shipped, by key, in file-name order."""
    found: dict[str, Framework] = {}
    for path in sorted(FOLDER.glob("*.toml")):
        framework = parse(tomllib.loads(path.read_text(encoding="utf-8")))
        found[framework.key] = framework
    return found


def get_framework(key: str) -> Framework | None:
    return frameworks().get(key)
