"""Staff sessions, kept apart from the care leavers' survey sessions.

- A care leaver's place in the survey lives in the session cookie, which must last as long as
  they need: PERMANENT_SESSION_LIFETIME (the age at which Flask stops trusting any session
  cookie) is SURVEY_SESSION_DAYS, long enough for a round's open period.
- A member of staff's session is a browser-session cookie (gone when the browser closes) that
  the server also ends after STAFF_IDLE_MINUTES without use and STAFF_SESSION_HOURS after
  signing in, by times kept inside the signed session. Signing out, changing a password, a
  reset and disabling end every copy of every session of that person at once (the session
  token, see services.end_every_session), so a copied cookie is useless afterwards.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Response, current_app, g, request, session
from flask_login import login_user, logout_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app.core.clock import utcnow
from app.core.extensions import login_manager
from app.staff.auth.models import StaffUser

SINCE, SEEN = "staff_since", "staff_seen"
# The id token of a sign-in through the council's provider, for signing out there too.
ID_TOKEN = "staff_oidc_id_token"  # noqa: S105 - a session key name
DEVICE_COOKIE = "belonging_device"
DEVICE_DAYS = 180


def begin(user: StaffUser, *, id_token: str | None = None) -> None:
    """A fresh session for a member of staff who has just proved who they are."""
    session.clear()
    session.permanent = False
    login_user(user)
    session[SINCE] = session[SEEN] = utcnow().timestamp()
    if id_token:
        session[ID_TOKEN] = id_token


def renew(user: StaffUser) -> None:
    """The same person, a new session token (after a password change): stay signed in here."""
    since, id_token = session.get(SINCE), session.get(ID_TOKEN)
    begin(user, id_token=id_token)
    if since is not None:
        session[SINCE] = since


def end() -> str | None:
    """End the session here; return the provider's id token it held (to sign out there too)."""
    id_token = session.get(ID_TOKEN)
    logout_user()
    session.clear()
    return id_token if isinstance(id_token, str) else None


def anonymous_unless_signed_in() -> None:
    """before_request: a session that names no member of staff is a visitor's, so Flask-Login's
    user loading (its session-protection hash of the address and user agent, the remember-me
    cookie, which this app never sets) is skipped: the survey pages pay nothing for sign-in.
    It sets the anonymous user where Flask-Login keeps it, exactly as its own loader would for
    such a session (flask_login.utils._get_user reads ``g._login_user``)."""
    if "_user_id" not in session:
        g._login_user = login_manager.anonymous_user()


def expired() -> bool:
    """True (and the session ended) when the staff session has been idle or open too long;
    otherwise it is marked as used now."""
    now = utcnow().timestamp()
    idle = timedelta(minutes=current_app.config["STAFF_IDLE_MINUTES"]).total_seconds()
    longest = timedelta(hours=current_app.config["STAFF_SESSION_HOURS"]).total_seconds()
    since, seen = session.get(SINCE), session.get(SEEN)
    if not isinstance(since, float | int) or not isinstance(seen, float | int):
        end()
        return True
    if now - seen > idle or now - since > longest:
        end()
        return True
    session[SEEN] = now
    return False


# --- Known devices: a lockout never keeps the real person out of their own browser ----------


def _devices() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="belonging known device")


def known_device_of() -> int | None:
    """The staff account this browser has signed in as before (its signed device cookie)."""
    value = request.cookies.get(DEVICE_COOKIE, "")
    try:
        account = _devices().loads(value, max_age=DEVICE_DAYS * 86400) if value else None
    except BadSignature:
        return None
    return account if isinstance(account, int) else None


def remember_device(response: Response, user: StaffUser) -> Response:
    response.set_cookie(
        DEVICE_COOKIE,
        _devices().dumps(user.id),
        max_age=DEVICE_DAYS * 86400,
        httponly=True,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        samesite="Lax",
    )
    return response
