"""Staff sign-in with the council's OpenID Connect provider (Microsoft Entra ID or any other).

Authlib's Flask client does the protocol: the authorization code flow with PKCE (S256), a
random state and nonce kept in the session, and the id token checked against the provider's
published keys (JWKS, fetched again when a new key id appears), its issuer, our client id as
audience, expiry and the nonce. We refuse a sign-in that came back without an id token
(Authlib would otherwise skip the checks). Time for the expiry check is the app's clock.

Who the person is: the id token's issuer and subject ("<iss> <sub>"), never its email: an email
claim can be set by the person in some tenants, so matching on it would let them take over a
local account (the "nOAuth" mistake). Their role comes from their groups (OIDC_ROLE_GROUPS; the
groups win at every sign-in) or, when no group is listed, from an admin who approves their
first sign-in (a SignInRequest). Removing someone from a group does not take away a role an
admin gave: disable them here, or stop them at the provider.

Local accounts stay: the break-glass admin, and councils without OpenID Connect.
"""

from __future__ import annotations

from typing import Any, NoReturn

import requests
import sqlalchemy as sa
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app, url_for
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from app.core.clock import utcnow
from app.core.extensions import db
from app.staff.audit.services import record
from app.staff.auth.models import Role, SignInRequest, StaffUser
from app.staff.auth.services import AccountInvalid, find_by_email, normalise_email

_EXTENSION = "belonging_oidc"
_CLIENT = "council"
# Seconds of clock difference allowed between us and the provider.
LEEWAY = 60
# A password hash nothing matches: accounts of the council's provider have no local password.
NO_PASSWORD = "!oidc"  # noqa: S105 - not a password: a hash nothing matches


class OidcSignInRefused(Exception):
    """The provider's answer did not prove who this is (or the account is disabled)."""


class AwaitingApproval(Exception):
    """Signed in at the provider, but no role yet: an admin must approve them first."""


def init_app(app: Flask) -> None:
    """Register the council's provider when OIDC_ISSUER is set (one client per app)."""
    issuer = app.config["OIDC_ISSUER"]
    if not issuer:
        return
    oauth = OAuth(app)
    oauth.register(
        _CLIENT,
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": app.config["OIDC_SCOPES"], "code_challenge_method": "S256"},
    )
    app.extensions[_EXTENSION] = oauth


def enabled() -> bool:
    return _EXTENSION in current_app.extensions


def _client() -> Any:
    return current_app.extensions[_EXTENSION].create_client(_CLIENT)


def _our_url(endpoint: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"] + url_for(endpoint)


def begin_sign_in() -> Response:
    """Send the browser to the provider (state, nonce and PKCE verifier kept in the session)."""
    return _client().authorize_redirect(_our_url("auth.oidc_callback"))


def finish_sign_in() -> tuple[StaffUser, str]:
    """Check the provider's answer on our callback and return the account and the id token."""
    try:
        token = _client().authorize_access_token(leeway=LEEWAY)
    except (OAuthError, JoseError, requests.RequestException, ValueError) as exc:
        _refuse(f"{type(exc).__name__}: {exc}")
    claims = token.get("userinfo")
    if not claims:  # set only when an id token came back and passed every check
        _refuse("no id token")
    return account_for(claims), token["id_token"]


def _refuse(reason: str) -> NoReturn:
    record(
        "sign_in.failure",
        object_type="StaffUser",
        detail=f"oidc: {reason}"[:1000],
        actor_label="anonymous",
    )
    db.session.commit()
    raise OidcSignInRefused(reason)


def role_from_groups(groups: object) -> Role | None:
    """The role the first listed group of OIDC_ROLE_GROUPS that the person is in gives them."""
    if isinstance(groups, str):
        groups = [groups]
    if not isinstance(groups, list):
        return None
    theirs = {str(group) for group in groups}
    for pair in current_app.config["OIDC_ROLE_GROUPS"].split(","):
        group, _, role = pair.strip().rpartition("=")
        if group and group in theirs:
            return Role(role.strip())
    return None


def account_for(claims: dict[str, Any]) -> StaffUser:
    """The staff account for a checked id token: found by identity, created when the groups
    give a role, otherwise a sign-in request for an admin (AwaitingApproval)."""
    identity = f"{claims['iss']} {claims['sub']}"
    email = normalise_email(str(claims.get("email") or claims.get("preferred_username") or ""))
    name = str(claims.get("name") or email)[:120]
    role = role_from_groups(claims.get(current_app.config["OIDC_GROUPS_CLAIM"]))
    user = db.session.scalar(sa.select(StaffUser).where(StaffUser.oidc_identity == identity))
    if user is None and role is not None and email and find_by_email(email) is None:
        user = StaffUser(
            email=email,
            name=name,
            role=role.value,
            password_hash=NO_PASSWORD,
            oidc_identity=identity,
        )
        db.session.add(user)
        db.session.flush()
        record(
            "user.create", user, detail=f"role={role.value} from the provider's groups", actor=user
        )
    if user is None:
        _request_approval(identity, email, name)
    if not user.is_enabled:
        _refuse(f"disabled account {user.email}")
    if role is not None and user.role != role.value:
        record(
            "user.update",
            user,
            detail=f"role {user.role}->{role.value} from the provider's groups",
            actor=user,
        )
        user.role = role.value
    user.last_sign_in_at = utcnow()
    user.failed_sign_ins, user.locked_until = 0, None
    record("sign_in.success", user, actor=user, detail="oidc")
    db.session.commit()
    return user


def _request_approval(identity: str, email: str, name: str) -> NoReturn:
    request = db.session.scalar(
        sa.select(SignInRequest).where(SignInRequest.oidc_identity == identity)
    )
    if request is None:
        request = SignInRequest(oidc_identity=identity, email=email, name=name)
        db.session.add(request)
    request.email, request.name, request.requested_at = email, name, utcnow()
    db.session.flush()
    record("sign_in.pending", request, actor_label=email or "anonymous")
    db.session.commit()
    raise AwaitingApproval


def list_requests() -> list[SignInRequest]:
    return list(db.session.scalars(sa.select(SignInRequest).order_by(SignInRequest.requested_at)))


def approve(request: SignInRequest, role: Role, *, actor: StaffUser) -> StaffUser:
    """Give the person a role. A local account with their email becomes theirs: the admin is
    the one who says it is the same person."""
    user = find_by_email(request.email)
    if user is not None and user.uses_oidc:
        raise AccountInvalid("Another council account already uses this email address")
    if user is None:
        user = StaffUser(
            email=request.email, name=request.name, role=role.value, password_hash=NO_PASSWORD
        )
        db.session.add(user)
    user.oidc_identity, user.role = request.oidc_identity, role.value
    db.session.delete(request)
    db.session.flush()
    record("user.approve", user, detail=f"role={role.value}", actor=actor)
    db.session.commit()
    return user


def refuse(request: SignInRequest, *, actor: StaffUser) -> None:
    record("user.refuse", request, detail=request.email, actor=actor)
    db.session.delete(request)
    db.session.commit()


def logout_url(id_token: str) -> str | None:
    """Where to send the browser to sign out at the provider too (RP-initiated logout), or
    None when the provider does not offer it."""
    try:
        metadata = _client().load_server_metadata()
    except requests.RequestException:
        return None
    if not metadata.get("end_session_endpoint"):
        return None
    return _client().create_logout_url(
        post_logout_redirect_uri=_our_url("auth.sign_in"),
        id_token_hint=id_token,
        client_id=current_app.config["OIDC_CLIENT_ID"],
    )["url"]
