"""Security headers on every response.

The Content-Security-Policy allows no inline script or style: the GOV.UK "js-enabled" class and
htmx set-up live in static/js, and the brand colour is served as /brand.css. Pages for signed-in
staff are marked no-store so personal data does not linger in shared browsers' caches.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from flask import Flask, Response, abort, make_response, request
from flask_login import current_user

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


def _policy(app: Flask) -> str:
    """CSP for this app. Signing out with the council's OpenID provider is a form post that
    redirects to the provider (RP-initiated logout), so form-action must name its origin."""
    issuer = urlsplit(app.config.get("OIDC_ISSUER") or "")
    if not issuer.scheme or not issuer.netloc:
        return CSP
    return CSP.replace(
        "form-action 'self'", f"form-action 'self' {issuer.scheme}://{issuer.netloc}"
    )


def init_app(app: Flask) -> None:
    policy = _policy(app)

    @app.before_request
    def refuse_oversized_bodies() -> None:
        """Refuse a too-large body up front, whether or not the view would read it."""
        limit = app.config.get("MAX_CONTENT_LENGTH")
        if limit and request.content_length is not None and request.content_length > limit:
            abort(413)

    defaults = [
        ("Content-Security-Policy", policy),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        # same-origin keeps resume links and tokens out of other sites' logs, while still sending
        # the Referer that CSRF protection checks on HTTPS.
        ("Referrer-Policy", "same-origin"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]

    @app.after_request
    def set_headers(response: Response) -> Response:
        headers = response.headers
        # Each added unless the view set its own. Asked of the names in one pass: werkzeug's
        # setdefault looks each name up by raising and catching a KeyError when it is absent.
        present = {name.lower() for name, _value in headers}
        hsts = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        for name, value in [*defaults, hsts] if app.config.get("HSTS") else defaults:
            if name.lower() not in present:
                headers.add(name, value)
        # A response that says it never changes (a chart addressed by a hash of its data) keeps
        # its own caching; everything else for signed-in staff is no-store.
        immutable = "immutable" in headers.get("Cache-Control", "")
        if current_user and current_user.is_authenticated and not immutable:
            headers["Cache-Control"] = "no-store"
        return response


def no_store(view):
    """A view whose every answer holds something personal (a code, answers): never cached."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        response.headers["Cache-Control"] = "no-store"
        return response

    return wrapper
