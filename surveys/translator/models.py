"""What staff imported from a translator, and which languages a translator has checked.

- ``TranslationText``: one translated string. ``context`` is empty for the public pages' fixed
  wording (then ``source`` is the catalogue's English, the msgid) and names the questionnaire
  string otherwise: ``<questionnaire key>/<question code>/<field>`` (``.../options/<value>``
  for a choice) or ``<questionnaire key>/<field>`` (title, introduction...). ``source`` is the
  English it was translated from. Stored exactly once per language and key (a constraint).
- ``LanguageStatus``: an admin's answer to "checked by a translator?" for a language; without
  a row, app/translations/languages.toml's ``checked`` holds.
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.extensions import Model


class TranslationText(Model):
    __tablename__ = "translation_text"
    __table_args__ = (
        sa.UniqueConstraint("language", "context", "source", name="uq_translation_text_key"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    language: so.Mapped[str] = so.mapped_column(sa.String(16), index=True)
    context: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    source: so.Mapped[str] = so.mapped_column(sa.Text)
    text: so.Mapped[str] = so.mapped_column(sa.Text)


class LanguageStatus(Model):
    __tablename__ = "language_status"

    language: so.Mapped[str] = so.mapped_column(sa.String(16), primary_key=True)
    checked: so.Mapped[bool] = so.mapped_column(default=False)
