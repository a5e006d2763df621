"""Tables for benchmarking: this install's settings, the keys other installs sign with, and the
files imported from them.

Decisions a newcomer might undo:
- ``BenchmarkSigner`` pins the first public key seen for an install id (trust on first use),
  apart from the files: deleting a file does not forget the key, so a file signed by another key
  that claims the same install id is refused for good.
- One file per install and questionnaire edition and version (a UNIQUE constraint): a newer
  file from the same council replaces the old one, so a council is never counted twice.
- The file's payload is stored as signed, so the figures shown are exactly what was checked.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.extensions import Model


class BenchmarkSettings(Model):
    """One row: this install's random id and whether it shares its name (and with which cluster)."""

    __tablename__ = "benchmark_settings"

    id: so.Mapped[int] = so.mapped_column(primary_key=True, default=1)
    install_id: so.Mapped[str] = so.mapped_column(sa.String(40), unique=True)
    share_name: so.Mapped[bool] = so.mapped_column(default=False)
    cluster: so.Mapped[str] = so.mapped_column(sa.String(120), default="")


class BenchmarkSigner(Model):
    """The public key an install signs with, pinned when its first file is imported."""

    __tablename__ = "benchmark_signer"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    install_id: so.Mapped[str] = so.mapped_column(sa.String(40), unique=True)
    public_key: so.Mapped[str] = so.mapped_column(sa.String(64))
    fingerprint: so.Mapped[str] = so.mapped_column(sa.String(80))
    first_seen_on: so.Mapped[date]


class BenchmarkFile(Model):
    """Another council's figures for one questionnaire edition and version, as signed."""

    __tablename__ = "benchmark_file"
    __table_args__ = (sa.UniqueConstraint("install_id", "edition", "version"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    install_id: so.Mapped[str] = so.mapped_column(
        sa.String(40), sa.ForeignKey("benchmark_signer.install_id")
    )
    edition: so.Mapped[str] = so.mapped_column(sa.String(64))
    version: so.Mapped[int]
    authority_name: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    cluster: so.Mapped[str | None] = so.mapped_column(sa.String(120))
    as_at: so.Mapped[date]
    imported_on: so.Mapped[date]
    payload: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)
