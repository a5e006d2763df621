"""Fictional demo reference figures for the personal well-being module (ONS4).

Labelled as an example in their source line: they are made up to show how the comparison
looks, and are not the ONS's published estimates. A council types the real figures, with
their source, on the reference figures page. Idempotent: nothing is added if any well-being
reference figure exists.
"""

from __future__ import annotations

import sqlalchemy as sa

from app.board.models import ReferenceFigure
from app.core.extensions import db

EXAMPLE_SOURCE = "Example only, not real figures: national survey of 16 to 24-year-olds"
EXAMPLE_FIGURES = {
    "ONS1:mean": 7.2,
    "ONS2:mean": 7.5,
    "ONS3:mean": 7.1,
    "ONS4:mean": 3.4,
    "ONS1:low": 6,
    "ONS2:low": 5,
    "ONS3:low": 9,
    "ONS4:high": 24,
}


def seed_wellbeing_demo() -> None:
    exists = db.session.scalar(
        sa.select(ReferenceFigure.id).where(ReferenceFigure.measure.like("ONS%")).limit(1)
    )
    if exists is not None:
        return
    for measure, value in EXAMPLE_FIGURES.items():
        db.session.add(ReferenceFigure(measure=measure, source=EXAMPLE_SOURCE, percent=value))
    db.session.commit()
