"""GOV.UK-style error pages. Whatever goes wrong, people see a plain page, never a stack trace."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.core.extensions import db

MESSAGES: dict[int, tuple[str, str]] = {
    400: (
        "Sorry, there is a problem with what was sent",
        "Go back, check what you entered and try again.",
    ),
    401: ("You need to sign in", "Sign in to use this page."),
    403: (
        "You cannot see this page",
        "Your account does not allow this. Ask your admin if you think it should.",
    ),
    404: (
        "Page not found",
        "If you typed the web address, check it is correct. If you pasted it, check you "
        "copied the whole address.",
    ),
    405: (
        "Sorry, that did not work",
        "This page cannot be used that way. Go back and use the buttons on the page.",
    ),
    413: (
        "What you sent is too big",
        "Go back and send something smaller. Files must be smaller than 5 MB.",
    ),
    429: ("Too many attempts", "Wait a minute, then try again."),
    500: (
        "Sorry, there is a problem with the service",
        "Try again later. Nothing you sent has been half-saved.",
    ),
}


def render_error(code: int, title: str | None = None, message: str | None = None):
    default_title, default_message = MESSAGES.get(code, MESSAGES[500])
    context = {"code": code, "title": title or default_title, "message": message or default_message}
    try:
        return render_template("errors/error.html", **context), code
    except Exception:  # the database (branding) or a template may be what failed
        db.session.rollback()
        return render_template("errors/minimal.html", **context), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        app.logger.info("CSRF failure: %s", error.description)
        return render_error(
            400,
            "Your form timed out or was sent twice",
            "For your security, please go back, reload the page and try again.",
        )

    @app.errorhandler(DataError)
    def data_error(error: DataError):
        """Input the database cannot hold (e.g. a NUL in a URL): the sender's problem."""
        app.logger.info("Refused data: %s", type(error.orig).__name__)
        db.session.rollback()
        return render_error(400)

    @app.errorhandler(ValueError)
    @app.errorhandler(OverflowError)
    def invalid_value(error: Exception):
        """The guard behind every form and URL: a value no rule expected (a number too large
        for the database, an impossible date, bytes that are not text) is the sender's problem,
        answered 400 with a page. Logged by kind and route only: the value may be personal."""
        app.logger.warning("Refused a value (%s)", type(error).__name__)
        db.session.rollback()
        return render_error(400)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        body, code = render_error(error.code)
        response = app.make_response((body, code))
        for name in ("Allow", "Retry-After", "WWW-Authenticate"):
            if name in error.get_response().headers:
                response.headers[name] = error.get_response().headers[name]
        return response

    @app.errorhandler(Exception)
    def unhandled(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        app.logger.exception("Unhandled error on %s", request.method)
        db.session.rollback()
        return render_error(InternalServerError.code)
