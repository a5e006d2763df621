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

from flask import current_app, session
from flask_login import login_user, logout_user

from app.core.clock import utcnow
from app.staff.auth.models import StaffUser

SINCE, SEEN = "staff_since", "staff_seen"


def begin(user: StaffUser) -> None:
    """A fresh session for a member of staff who has just proved who they are."""
    session.clear()
    session.permanent = False
    login_user(user)
    session[SINCE] = session[SEEN] = utcnow().timestamp()


def renew(user: StaffUser) -> None:
    """The same person, a new session token (after a password change): stay signed in here."""
    since = session.get(SINCE)
    begin(user)
    if since is not None:
        session[SINCE] = since


def end() -> None:
    logout_user()
    session.clear()


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
