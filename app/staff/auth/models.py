"""Staff accounts. Care leavers never have an account: only staff sign in."""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin

from app.core.clock import utcnow
from app.core.extensions import Model


class Role(StrEnum):
    """What a member of staff may do. Values are stored; labels are shown."""

    ADMIN = "admin"
    PARTICIPATION_WORKER = "participation_worker"
    DATA_ENTRY = "data_entry"
    SAFEGUARDING_LEAD = "safeguarding_lead"
    BOARD_MEMBER = "board_member"
    PEER_RESEARCHER = "peer_researcher"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "Admin",
    Role.PARTICIPATION_WORKER: "Participation worker",
    Role.DATA_ENTRY: "Data entry",
    Role.SAFEGUARDING_LEAD: "Safeguarding lead",
    Role.BOARD_MEMBER: "Board member",
    Role.PEER_RESEARCHER: "Peer researcher",
}


class StaffUser(UserMixin, Model):
    __tablename__ = "staff_user"
    __table_args__ = (
        sa.CheckConstraint(
            "role IN ('admin','participation_worker','data_entry','safeguarding_lead',"
            "'board_member','peer_researcher')",
            name="role_known",
        ),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    role: so.Mapped[str] = so.mapped_column(sa.String(32))
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(255))
    is_enabled: so.Mapped[bool] = so.mapped_column(default=True)
    must_change_password: so.Mapped[bool] = so.mapped_column(default=False)
    failed_sign_ins: so.Mapped[int] = so.mapped_column(default=0)
    locked_until: so.Mapped[datetime | None]
    last_sign_in_at: so.Mapped[datetime | None]
    # Rotated on password reset or disabling, which signs the user out everywhere.
    session_token: so.Mapped[str] = so.mapped_column(
        sa.String(32), default=lambda: secrets.token_hex(16)
    )
    created_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
    # "<issuer> <subject>" for staff who sign in with the council's OpenID provider (their
    # password_hash is unusable); None for local accounts.
    oidc_identity: so.Mapped[str | None] = so.mapped_column(sa.String(512), unique=True)

    @property
    def uses_oidc(self) -> bool:
        return self.oidc_identity is not None

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def is_active(self) -> bool:  # Flask-Login: disabled accounts cannot sign in
        return self.is_enabled

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    def has_role(self, *roles: Role) -> bool:
        return self.role in {r.value for r in roles}

    def __repr__(self) -> str:
        return f"<StaffUser {self.id} {self.role}>"


class SignInRequest(Model):
    """Someone the council's provider signed in whose groups give no role: an admin approves them
    (choosing a role) or refuses. One request per identity, refreshed at each try."""

    __tablename__ = "staff_sign_in_request"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    oidc_identity: so.Mapped[str] = so.mapped_column(sa.String(512), unique=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254))
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    requested_at: so.Mapped[datetime] = so.mapped_column(default=utcnow)
