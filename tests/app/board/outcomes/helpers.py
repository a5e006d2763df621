"""Helpers for the outcome tests: store figures directly, and read a page's tables as text."""

from __future__ import annotations

import html
import re

from app.board.outcomes.models import OutcomeFigure
from app.core.extensions import db

TAGS = re.compile(r"<[^>]+>")


def store(app, figures: dict[int, dict[str, tuple[int, int, int, int]]]) -> None:
    """{year: {"17-18": (cohort, in touch, EET, suitable accommodation), ...}}"""
    with app.app_context():
        for year, groups in figures.items():
            for age_group, (cohort, in_touch, eet, accommodation) in groups.items():
                db.session.add(
                    OutcomeFigure(
                        year=year,
                        age_group=age_group,
                        cohort=cohort,
                        in_touch=in_touch,
                        eet=eet,
                        suitable_accommodation=accommodation,
                    )
                )
        db.session.commit()


def text(fragment: str) -> str:
    return " ".join(html.unescape(TAGS.sub(" ", fragment)).split())


def table(page: str, table_id: str) -> list[list[str]]:
    """The rows of the table with this id (header row first), each cell as plain text."""
    found = re.search(rf'<table[^>]*id="{re.escape(table_id)}"[^>]*>(.*?)</table>', page, re.S)
    assert found, f"no table {table_id}"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", found.group(1), re.S)
    return [[text(c) for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", r, re.S)] for r in rows]
