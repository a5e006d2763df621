"""Rendering helpers shared by every blueprint."""

from __future__ import annotations

from flask import make_response, render_template, request


def render_page_or_partial(page: str, partial: str, **context):
    """Full page normally; just the fragment for a non-boosted htmx request (STYLE.md: HTMX)."""
    htmx = getattr(request, "htmx", None)
    template = partial if htmx and not htmx.boosted else page
    response = make_response(render_template(template, **context))
    response.vary.add("HX-Request")
    return response
