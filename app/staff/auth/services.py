"""Staff sign-in and account management: the rules, separate from the pages that use them.

Passwords are hashed with scrypt (Werkzeug's default). After LOCKOUT_THRESHOLD failed sign-ins in
a row an account is locked for LOCKOUT_MINUTES; the same message is shown whether the email is
unknown or the password wrong, so sign-in cannot be used to find out who has an account.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from app.core.clock import utcnow
from app.core.extensions import db
from app.staff.audit.services import record
from app.staff.auth.models import Role, StaffUser

MIN_PASSWORD_LENGTH = 12
# A dummy hash so an unknown email costs as much time as a wrong password: the hash of
# "not-a-real-password" with Werkzeug's default scrypt settings, written out rather than made at
# import (making it cost 0.1 s and 32 MB at every start of every process).
_DUMMY_HASH = (
    "scrypt:32768:8:1$woUltWEA3F0bfdUw$c9916b63ac42407bd1534119e1280e923526c1756975580be459dd03"
    "d142876ceedbc50f34cab4bfb5261b3118563c00efedaf3beed528405439ce2d84cd7adb"
)


class SignInFailed(Exception):
    """Email or password wrong (deliberately does not say which)."""


class AccountLocked(Exception):
    """Too many failed attempts: try again later."""


class AccountInvalid(ValueError):
    """An account change cannot be made; the message says why in plain English."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> StaffUser | None:
    return db.session.scalar(sa.select(StaffUser).where(StaffUser.email == normalise_email(email)))


def authenticate(email: str, password: str, *, known_device_of: int | None = None) -> StaffUser:
    """Check a sign-in attempt, counting failures and locking the account when needed.

    A lock stops guessing from anywhere except a browser this person has signed in from before
    (``known_device_of`` is the account id its device cookie names, see sessions.py): so a
    stranger who types wrong passwords on purpose cannot keep the real person out."""
    user = find_by_email(email)
    now = utcnow()
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        record(
            "sign_in.failure",
            object_type="StaffUser",
            detail="unknown email",
            actor_label=normalise_email(email)[:254] or "anonymous",
        )
        db.session.commit()
        raise SignInFailed
    if user.locked_until and user.locked_until > now and known_device_of != user.id:
        record("sign_in.locked", user, actor_label=user.email)
        db.session.commit()
        raise AccountLocked
    if not user.is_enabled or not check_password_hash(user.password_hash, password):
        user.failed_sign_ins += 1
        detail = "disabled account" if not user.is_enabled else "wrong password"
        if user.failed_sign_ins >= current_app.config["LOCKOUT_THRESHOLD"]:
            user.locked_until = now + timedelta(minutes=current_app.config["LOCKOUT_MINUTES"])
            user.failed_sign_ins = 0
            detail += "; account locked"
        record("sign_in.failure", user, actor_label=user.email, detail=detail)
        db.session.commit()
        raise SignInFailed
    user.failed_sign_ins = 0
    user.locked_until = None
    user.last_sign_in_at = now
    record("sign_in.success", user, actor=user)
    db.session.commit()
    return user


def load_user(user_id: str) -> StaffUser | None:
    """Flask-Login loader: the id carries a session token, so a reset signs out old sessions."""
    raw_id, _, token = user_id.partition(":")
    if not raw_id.isdigit():
        return None
    user = db.session.get(StaffUser, int(raw_id))
    if user is None or not user.is_enabled or not secrets.compare_digest(user.session_token, token):
        return None
    return user


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountInvalid(f"Password must be {MIN_PASSWORD_LENGTH} characters or more")
    if len(set(password)) < 5:
        raise AccountInvalid("Password is too easy to guess: use a mix of words or characters")


def create_user(
    email: str,
    name: str,
    role: Role,
    password: str,
    *,
    must_change: bool = True,
    actor: StaffUser | None = None,
) -> StaffUser:
    email = normalise_email(email)
    if find_by_email(email):
        raise AccountInvalid("An account with this email address already exists")
    check_password_strength(password)
    user = StaffUser(
        email=email,
        name=name.strip(),
        role=role.value,
        password_hash=generate_password_hash(password),
        must_change_password=must_change,
    )
    db.session.add(user)
    db.session.flush()
    record("user.create", user, detail=f"role={role.value}", actor=actor)
    db.session.commit()
    return user


def update_user(user: StaffUser, *, name: str, role: Role, enabled: bool, actor: StaffUser) -> None:
    """Change a user's name, role or whether they can sign in. Admins cannot lock themselves out."""
    if user.id == actor.id and (not enabled or role != Role.ADMIN):
        raise AccountInvalid("You cannot disable your own account or remove your own admin role")
    changes = []
    if user.name != name.strip():
        changes.append("name")
        user.name = name.strip()
    if user.role != role.value:
        changes.append(f"role {user.role}->{role.value}")
        user.role = role.value
    if user.is_enabled != enabled:
        changes.append("enabled" if enabled else "disabled")
        user.is_enabled = enabled
        if not enabled:
            end_every_session(user)
        else:
            user.failed_sign_ins, user.locked_until = 0, None
    record("user.update", user, detail="; ".join(changes) or "no change", actor=actor)
    db.session.commit()


def reset_password(user: StaffUser, *, actor: StaffUser) -> str:
    """Give the user a new one-time password they must change at next sign-in; return it."""
    temporary = generate_temporary_password()
    user.password_hash = generate_password_hash(temporary)
    user.must_change_password = True
    user.failed_sign_ins, user.locked_until = 0, None
    end_every_session(user)
    record("user.reset_password", user, actor=actor)
    db.session.commit()
    return temporary


def end_every_session(user: StaffUser) -> None:
    """Sign the user out everywhere: every copy of every session cookie stops working, because
    the session token they carry no longer matches (see ``load_user``)."""
    user.session_token = secrets.token_hex(16)


def sign_out(user: StaffUser) -> None:
    end_every_session(user)
    record("sign_out", user, actor=user)
    db.session.commit()


def change_password(user: StaffUser, current: str, new: str) -> None:
    if not check_password_hash(user.password_hash, current):
        raise AccountInvalid("Your current password is wrong")
    if current == new:
        raise AccountInvalid("Your new password must be different from your current password")
    check_password_strength(new)
    user.password_hash = generate_password_hash(new)
    user.must_change_password = False
    end_every_session(user)  # other devices sign in again; the caller re-signs this one in
    record("user.change_password", user, actor=user)
    db.session.commit()


def generate_temporary_password() -> str:
    words = secrets.token_urlsafe(12)
    return f"{words[:4]}-{words[4:8]}-{words[8:12]}-{words[12:]}"


def list_users() -> list[StaffUser]:
    return list(db.session.scalars(sa.select(StaffUser).order_by(StaffUser.name)))
