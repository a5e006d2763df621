"""A real OpenID provider for the tests: panva's oidc-provider (tests/oidc/provider.mjs) under
Node, started on a free port and used once it says "ready" (no sleeps). Installed by
`make install-test` (npm ci in tests/oidc); tests skip only when Node itself is absent.

The provider signs with a key made here, so a test can also sign tokens "as the provider" (to
show the app checks the nonce, audience and expiry, not only the signature) or with a rogue key.
"""

from __future__ import annotations

import json
import select
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import RSAKey

from app.core.clock import utcnow

HERE = Path(__file__).resolve().parent
CLIENT_ID, CLIENT_SECRET = "belonging", "test-client-secret"
# Which of the provider's groups give which role (the accounts are in provider.mjs).
ROLE_GROUPS = "belonging-admins=admin,belonging-participation=participation_worker"
START_SECONDS = 30


@dataclass
class OidcProvider:
    issuer: str
    key: RSAKey

    def app_settings(self) -> dict[str, str]:
        return {
            "OIDC_ISSUER": self.issuer,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_SCOPES": "openid email profile",
            "OIDC_ROLE_GROUPS": ROLE_GROUPS,
            "OIDC_PROVIDER_NAME": "the test council",
        }

    def next_id_token(self, *, claims: dict[str, Any] | None = None, token: str | None = None):
        """The provider's next token response carries this id token instead of its own:
        ``claims`` changed in its payload (the signature kept), or ``token`` entire."""
        body = {"claims": claims} if claims is not None else {"token": token}
        requests.post(f"{self.issuer}/test/next-id-token", json=body, timeout=5).raise_for_status()

    def sign(self, claims: dict[str, Any], key: RSAKey | None = None) -> str:
        key = key or self.key
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)

    def sign_in_as(self, authorize_url: str, username: str, callback_base: str) -> str:
        """Go through the provider's sign-in as ``username``; return the URL it sends the
        browser back to (our callback, with the code and state)."""
        browser = requests.Session()
        url = authorize_url
        for _ in range(10):
            response = browser.get(url, allow_redirects=False, timeout=5)
            if response.is_redirect:
                url = urljoin(url, response.headers["Location"])
            else:  # the provider's sign-in page
                response = browser.post(
                    url, data={"login": username}, allow_redirects=False, timeout=5
                )
                assert response.is_redirect, response.text
                url = urljoin(url, response.headers["Location"])
            if url.startswith(callback_base):
                return url
        raise AssertionError(f"the provider never sent us back (last at {url})")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_provider(tmp_path: Path, app_base_urls: list[str]) -> Iterator[OidcProvider]:
    """Start the provider for apps at ``app_base_urls``; stop it afterwards."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node.js is not installed: the OpenID provider for these tests runs under it")
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("tests/oidc/node_modules is missing: run `make install-test` (npm ci)")
    key = RSAKey.generate_key(2048, parameters={"kid": "provider-key", "use": "sig"}, private=True)
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [{**key.as_dict(private=True), "alg": "RS256"}]}))
    port = _free_port()
    env = {
        "PATH": str(Path(node).parent),
        "PORT": str(port),
        "JWKS_FILE": str(jwks),
        "CLOCK_START": str(int(utcnow().timestamp())),  # the tests' clock, not the machine's
        "REDIRECT_URIS": ",".join(f"{url}/sign-in/oidc/callback" for url in app_base_urls),
        "POST_LOGOUT_REDIRECT_URIS": ",".join(f"{url}/sign-in" for url in app_base_urls),
    }
    process = subprocess.Popen(
        [node, str(HERE / "provider.mjs")],
        cwd=HERE,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], deadline - time.monotonic())
        line = process.stdout.readline().strip() if ready else ""
        if line != "ready":
            process.kill()
            _, errors = process.communicate()
            raise AssertionError(f"the OpenID provider did not start: {line!r} {errors}")
        yield OidcProvider(issuer=f"http://127.0.0.1:{port}", key=key)
    finally:
        process.terminate()
        process.wait(timeout=10)
