"""Logs that help operators without undoing anonymity.

Every line has a time, a level, the logger, a request id and the route's pattern (``/i/<code>``,
never the path with its code). Production writes JSON lines; development writes readable text.
Nothing here logs a client's address, user agent, query string or message bodies: a personal
link or resume code in a log beside the survey requests that follow would tie a named person
to their answers. The development server's own request lines (which hold all of those) are
silenced, and each request gets one line of our own instead: method, route, status, time taken,
and for signed-in staff their user id.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request
from flask_login import current_user

TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s %(route)s] %(name)s: %(message)s"


def _route() -> str:
    if not has_request_context():
        return "-"
    rule = request.url_rule
    return rule.rule if rule is not None else "(no route)"


class RequestContext(logging.Filter):
    """Adds ``request_id`` and ``route`` to every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        record.route = _route()
        return True


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "route": getattr(record, "route", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def init_app(app: Flask) -> None:
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "belonging", False)), None)
    if handler is None:  # once per process (tests build many apps; other handlers stay)
        handler = logging.StreamHandler()
        handler.belonging = True  # type: ignore[attr-defined]
        handler.addFilter(RequestContext())
        root.addHandler(handler)
    handler.setFormatter(
        JsonLines() if app.config["LOG_FORMAT"] == "json" else logging.Formatter(TEXT_FORMAT)
    )
    root.setLevel(app.config["LOG_LEVEL"])
    app.logger.handlers.clear()  # propagate to the root handler only
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # its lines hold address and path
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)
    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # per-step progress is noise

    @app.before_request
    def _start() -> None:
        g.request_id = secrets.token_hex(6)
        g.request_started = time.perf_counter()

    @app.after_request
    def _log_request(response):
        took = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        staff = ""
        if current_user and current_user.is_authenticated:
            staff = f" staff user {current_user.id}"
        app.logger.info("%s %s %.0f ms%s", request.method, response.status_code, took, staff)
        return response
