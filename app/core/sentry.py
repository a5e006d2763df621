"""Errors to staff, never to the public: optional Sentry reporting (SENTRY_DSN, off by default).

sentry-sdk is an optional extra (`pip install '.[sentry]'`); without SENTRY_DSN nothing is
imported or sent. Every event passes ``scrub`` before it leaves the server, because an error
report is a copy of the data held somewhere else, and the anonymity promise covers it too: no
request body (answers), exception message (it can quote answers), cookies, query string or
headers beyond a few harmless ones; no local variables in the stack trace (they hold answers,
numbers and codes); no user but the staff id; and any phone number or personal-link code left
in a message is blanked.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

_KEEP_HEADERS = {"content-type", "content-length", "accept", "hx-request"}
# A UK or international phone number, however it is spaced, and what could be one.
_PHONE = re.compile(r"(?<![\w/])\+?\d[\d\s().-]{8,}\d(?!\w)")
# Personal invitation links (/i/<code>) and resume codes ("code" fields, ?code=...).
_CODE_PATH = re.compile(r"(/i/)[^/?#\s\"']+")
_CODE_FIELD = re.compile(r"(?i)\b((?:resume[_ ]?)?code[\"']?\s*[:=]\s*[\"']?)[\w-]+")


def init_app(app: Flask) -> None:
    dsn = app.config.get("SENTRY_DSN")
    if not dsn:
        return
    # Imported here: sentry-sdk is an optional extra, needed only when a DSN is set.
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=app.config.get("SENTRY_ENVIRONMENT") or None,
        integrations=[FlaskIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=0,
        # Events are plain dicts; the SDK's TypedDicts say no more than that here.
        before_send=scrub,  # type: ignore[arg-type]
        before_breadcrumb=_scrub_breadcrumb,
    )


def scrub(event: dict[str, Any], hint: Any = None) -> dict[str, Any]:
    """The event without answers, phone numbers, codes, request bodies or cookies."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("data", "cookies", "query_string", "env"):
            request.pop(key, None)
        headers = request.get("headers") or {}
        request["headers"] = {k: v for k, v in headers.items() if k.lower() in _KEEP_HEADERS}
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    for frame in _frames(event):
        frame.pop("vars", None)
    # An exception's message can quote anything (a database error quotes the answers it was
    # saving): staff get its type and where it happened, and our own log messages, which
    # never hold answers or bodies (app/core/logs.py).
    for value in (event.get("exception") or {}).get("values", []):
        if value.get("value"):
            value["value"] = "[removed]"
    event.pop("extra", None)
    for crumb in (event.get("breadcrumbs") or {}).get("values", []):
        _scrub_breadcrumb(crumb)
    return _blank(event)


def _scrub_breadcrumb(crumb: dict[str, Any], hint: Any = None) -> dict[str, Any]:
    crumb.pop("data", None)
    return _blank(crumb)


def _frames(event: dict[str, Any]):
    for holder in ("exception", "threads"):
        for value in (event.get(holder) or {}).get("values", []):
            yield from (value.get("stacktrace") or {}).get("frames", [])


def _blank(value: Any) -> Any:
    if isinstance(value, str):
        value = _CODE_PATH.sub(r"\1[code]", value)
        value = _CODE_FIELD.sub(r"\1[code]", value)
        return _PHONE.sub("[number]", value)
    if isinstance(value, dict):
        return {k: _blank(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_blank(v) for v in value]
    return value
