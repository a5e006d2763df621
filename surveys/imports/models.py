"""Imports of responses collected elsewhere: uploads waiting to be mapped, remembered mappings.

An upload's rows wait in ``import_upload`` between the upload, mapping and preview pages (so
several workers can serve the steps) and are deleted when they are imported or abandoned.
A mapping is remembered per questionnaire and "header signature" (a hash of the file's column
headers), so next year's file from the same tool is mapped already.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.clock import today
from app.core.extensions import Model


class ImportUpload(Model):
    __tablename__ = "import_upload"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("survey_round.id", ondelete="CASCADE"), index=True
    )
    filename: so.Mapped[str] = so.mapped_column(sa.String(200))
    signature: so.Mapped[str] = so.mapped_column(sa.String(64))
    headers: so.Mapped[list[str]] = so.mapped_column(sa.JSON)
    rows: so.Mapped[list[list[str]]] = so.mapped_column(sa.JSON)
    # {header: target} and {header: {file value: option value}}; see surveys/imports/services.py
    columns: so.Mapped[dict[str, str]] = so.mapped_column(sa.JSON, default=dict)
    values: so.Mapped[dict[str, dict[str, str]]] = so.mapped_column(sa.JSON, default=dict)
    uploaded_on: so.Mapped[date] = so.mapped_column(default=today)


class ImportMapping(Model):
    __tablename__ = "import_mapping"
    __table_args__ = (sa.UniqueConstraint("questionnaire_id", "signature"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    questionnaire_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("questionnaire.id", ondelete="CASCADE")
    )
    signature: so.Mapped[str] = so.mapped_column(sa.String(64))
    columns: so.Mapped[dict[str, str]] = so.mapped_column(sa.JSON, default=dict)
    values: so.Mapped[dict[str, dict[str, Any]]] = so.mapped_column(sa.JSON, default=dict)
