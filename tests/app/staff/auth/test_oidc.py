"""Staff sign-in with the council's OpenID provider: a real one (panva's oidc-provider under
Node, tests/oidc), driven through its own sign-in page, with the app behind the test client.

An id token that was tampered with, signed by another key, meant for another client, expired,
or carrying another sign-in's nonce is refused; the same token made correctly with the
provider's key is accepted (so each refusal is for the flaw named, not for the way it was made).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from joserfc.jwk import RSAKey

from app.core.clock import utcnow
from app.core.extensions import db
from app.staff.audit.models import AuditEvent
from app.staff.auth.models import Role, SignInRequest, StaffUser
from tests.conftest import PASSWORD, build_app, make_staff
from tests.oidc.harness import CLIENT_ID, OidcProvider, running_provider

BASE = "http://localhost"
CALLBACK = f"{BASE}/sign-in/oidc/callback"
REFUSED = "We could not sign you in with your council account"


@pytest.fixture(scope="module")
def provider(tmp_path_factory) -> Iterator[OidcProvider]:
    with running_provider(tmp_path_factory.mktemp("oidc"), [BASE]) as running:
        yield running


@pytest.fixture
def oidc_app(database_uri: str, provider: OidcProvider) -> Iterator[Flask]:
    app = build_app(database_uri, **provider.app_settings())
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _begin(client) -> tuple[str, dict[str, str]]:
    response = client.get("/sign-in/oidc")
    assert response.status_code == 302
    url = response.headers["Location"]
    return url, {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def _sign_in(client, provider: OidcProvider, username: str):
    url, _ = _begin(client)
    back = provider.sign_in_as(url, username, CALLBACK)
    return client.get(back.removeprefix(BASE))


def _user(app: Flask, email: str) -> StaffUser | None:
    with app.app_context():
        return db.session.scalar(sa.select(StaffUser).where(StaffUser.email == email))


def _actions(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def test_a_worker_signs_in_with_pkce_state_and_nonce_and_gets_the_role_of_their_group(
    oidc_app, provider
):
    client = oidc_app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    assert "Sign in with the test council" in page and 'name="password"' in page
    url, params = _begin(client)
    assert url.startswith(provider.issuer)
    assert params["code_challenge_method"] == "S256" and params["code_challenge"]
    assert params["state"] and params["nonce"] and params["scope"] == "openid email profile"
    back = provider.sign_in_as(url, "worker", CALLBACK)
    response = client.get(back.removeprefix(BASE))
    assert response.status_code == 302
    assert client.get(response.headers["Location"]).status_code == 200
    user = _user(oidc_app, "pat.worker@council.example")
    assert user is not None and user.role == "participation_worker"
    assert user.oidc_identity == f"{provider.issuer} worker"
    assert _actions(oidc_app)[-2:] == ["user.create", "sign_in.success"]
    # Their password belongs to the council's account: no password page here.
    home = client.get("/staff").get_data(as_text=True)
    assert "Change your password" not in home
    refused = client.get("/account/password")
    assert refused.status_code == 302 and refused.headers["Location"] == "/staff"


def test_someone_without_a_listed_group_waits_for_an_admin_who_chooses_their_role(
    oidc_app, provider
):
    newcomer = oidc_app.test_client()
    response = _sign_in(newcomer, provider, "newcomer")
    assert response.status_code == 403
    assert "Your admin needs to approve you" in response.get_data(as_text=True)
    assert newcomer.get("/staff").status_code == 302  # not signed in
    make_staff(oidc_app, Role.ADMIN, "admin@example.org")
    admin = oidc_app.test_client()
    admin.post("/sign-in", data={"email": "admin@example.org", "password": PASSWORD})
    listing = admin.get("/admin/users").get_data(as_text=True)
    assert "Sam Newcomer (sam.newcomer@council.example)" in listing
    with oidc_app.app_context():
        [request_id] = db.session.scalars(sa.select(SignInRequest.id))
    response = admin.post(f"/admin/users/requests/{request_id}", data={"role": "data_entry"})
    assert response.status_code == 302
    response = _sign_in(newcomer, provider, "newcomer")
    assert response.status_code == 302
    user = _user(oidc_app, "sam.newcomer@council.example")
    assert user is not None and user.role == "data_entry"
    assert {"sign_in.pending", "user.approve"} <= set(_actions(oidc_app))


def test_a_tampered_id_token_is_refused(oidc_app, provider):
    client = oidc_app.test_client()
    provider.next_id_token(claims={"groups": ["belonging-admins"]})  # signature kept
    response = _sign_in(client, provider, "worker")
    assert response.status_code == 401 and REFUSED in response.get_data(as_text=True)
    assert _user(oidc_app, "pat.worker@council.example") is None
    assert _actions(oidc_app)[-1] == "sign_in.failure"
    assert client.get("/staff").status_code == 302


def _claims(provider: OidcProvider, nonce: str, changes: dict) -> dict:
    """A correct id token's claims, with ``changes`` ("exp" is seconds from now)."""
    now = int(utcnow().timestamp())
    if "exp" in changes:
        changes = {**changes, "exp": now + changes["exp"]}
    claims = {
        "iss": provider.issuer,
        "aud": CLIENT_ID,
        "sub": "worker",
        "nonce": nonce,
        "iat": now,
        "exp": now + 300,
        "email": "pat.worker@council.example",
        "name": "Pat Worker",
        "groups": ["belonging-participation"],
    }
    return {**claims, **changes}


ROGUE = RSAKey.generate_key(2048, parameters={"kid": "provider-key"}, private=True)


@pytest.mark.parametrize(
    ("flaw", "changes", "key"),
    [
        ("none: the control", {}, None),
        ("signed by a rogue key", {}, ROGUE),
        ("another sign-in's nonce", {"nonce": "not-the-nonce-we-sent"}, None),
        ("meant for another client", {"aud": "someone-else"}, None),
        ("from another issuer", {"iss": "https://rogue.example"}, None),
        ("expired an hour ago", {"exp": -3600}, None),
    ],
)
def test_an_id_token_is_accepted_only_when_every_check_passes(
    oidc_app, provider, flaw, changes, key
):
    client = oidc_app.test_client()
    url, params = _begin(client)
    token = provider.sign(_claims(provider, params["nonce"], changes), key)
    provider.next_id_token(token=token)
    response = client.get(provider.sign_in_as(url, "worker", CALLBACK).removeprefix(BASE))
    if not changes and key is None:
        assert response.status_code == 302, flaw
        assert client.get("/staff").status_code == 200
    else:
        assert response.status_code == 401, flaw
        assert REFUSED in response.get_data(as_text=True)
        assert client.get("/staff").status_code == 302


def test_a_callback_with_someone_elses_state_is_refused(oidc_app, provider):
    victim, attacker = oidc_app.test_client(), oidc_app.test_client()
    url, _ = _begin(attacker)
    back = provider.sign_in_as(url, "worker", CALLBACK)
    _begin(victim)
    response = victim.get(back.removeprefix(BASE))  # login CSRF: the attacker's code and state
    assert response.status_code == 401
    assert victim.get("/staff").status_code == 302


def test_signing_out_ends_the_session_here_and_at_the_provider(oidc_app, provider):
    client = oidc_app.test_client()
    assert _sign_in(client, provider, "worker").status_code == 302
    response = client.post("/sign-out")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(f"{provider.issuer}/session/end")
    query = parse_qs(urlsplit(location).query)
    assert query["post_logout_redirect_uri"] == [f"{BASE}/sign-in"] and query["id_token_hint"]
    assert client.get("/staff").status_code == 302
    assert _actions(oidc_app)[-1] == "sign_out"


def test_local_accounts_still_sign_in_beside_the_provider(oidc_app):
    make_staff(oidc_app, Role.ADMIN, "breakglass@example.org")
    client = oidc_app.test_client()
    response = client.post(
        "/sign-in", data={"email": "breakglass@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
