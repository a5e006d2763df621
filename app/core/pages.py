"""Rendering helpers shared by every blueprint."""

from __future__ import annotations

from flask import make_response, render_template, request

from app.core.routing import LARGEST_KEY


def render_page_or_partial(page: str, partial: str, **context):
    """Full page normally; just the fragment for a non-boosted htmx request (STYLE.md: HTMX)."""
    htmx = getattr(request, "htmx", None)
    template = partial if htmx and not htmx.boosted else page
    response = make_response(render_template(template, **context))
    response.vary.add("HX-Request")
    return response


def render_partial(template: str, status: int = 200, **context):
    """An htmx fragment (a table row swapped in place), marked as varying by HX-Request: the
    same URL answers a request without JavaScript with a redirect."""
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response


def first_error(form) -> str | None:
    """The first of a form's error messages (for a one-line notice), or None."""
    return next((e for errors in form.errors.values() for e in errors), None)


def int_arg(name: str, default: int | None = None, *, largest: int = LARGEST_KEY) -> int | None:
    """A whole number from the query string (``?page=2``), or ``default`` when it is missing,
    not a number, below 1, or larger than the database can hold."""
    value = request.args.get(name, "")
    if not value.isdigit() or len(value) > len(str(largest)):
        return default
    number = int(value)
    return number if 1 <= number <= largest else default


def page_arg() -> int:
    """The page of a paged list (``?page=N``), 1 when missing or impossible."""
    return int_arg("page", 1, largest=100_000) or 1
