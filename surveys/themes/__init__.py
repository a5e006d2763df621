"""Themes: code free-text answers into themes together (codebook, coding queue, suggestions,
agreement between coders, redaction and approved quotes, results)."""

from flask import Blueprint

bp = Blueprint("themes", __name__)

from surveys.themes import routes  # noqa: E402,F401
