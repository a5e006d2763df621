"""The authority's settings: one row holding its name, branding, help numbers and public pages."""

from __future__ import annotations

from datetime import datetime, time

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.clock import utcnow
from app.core.extensions import Model


class AuthoritySettings(Model):
    __tablename__ = "authority_settings"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True, default=1)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    service_name: so.Mapped[str] = so.mapped_column(sa.String(80), default="Belonging")
    brand_colour: so.Mapped[str] = so.mapped_column(sa.String(7), default="#1d70b8")
    # The logo and the public pages' texts are loaded only where used (the logo's own route, the
    # page itself, the settings form): every page reads this row, and they are most of its bytes.
    logo: so.Mapped[bytes | None] = so.mapped_column(sa.LargeBinary, deferred=True)
    logo_mimetype: so.Mapped[str | None] = so.mapped_column(sa.String(40))
    duty_phone: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    duty_hours: so.Mapped[str] = so.mapped_column(sa.String(200), default="")
    out_of_hours_phone: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    contact_email: so.Mapped[str] = so.mapped_column(sa.String(254), default="")
    safeguarding_lead_name: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    safeguarding_lead_email: so.Mapped[str] = so.mapped_column(sa.String(254), default="")
    safeguarding_lead_phone: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    # Flags still new after this many hours are emailed to the deputy (surveys/safeguarding).
    safeguarding_deputy_email: so.Mapped[str] = so.mapped_column(sa.String(254), default="")
    safeguarding_escalate_hours: so.Mapped[int] = so.mapped_column(default=24)
    sms_quiet_start: so.Mapped[time] = so.mapped_column(default=time(21, 0))
    sms_quiet_end: so.Mapped[time] = so.mapped_column(default=time(9, 0))
    timezone: so.Mapped[str] = so.mapped_column(sa.String(64), default="Europe/London")
    privacy_notice: so.Mapped[str] = so.mapped_column(sa.Text, default="", deferred=True)
    accessibility_statement: so.Mapped[str] = so.mapped_column(sa.Text, default="", deferred=True)
    cookies_page: so.Mapped[str] = so.mapped_column(sa.Text, default="", deferred=True)
    updated_at: so.Mapped[datetime] = so.mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def has_logo(self) -> bool:
        """Whether a logo is uploaded, without loading it (its type is set and cleared with it)."""
        return self.logo_mimetype is not None
