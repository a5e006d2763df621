"""Imports of responses collected elsewhere (CSV or XLSX), into a round, channel "import"."""

from flask import Blueprint

bp = Blueprint("imports", __name__)

from surveys.imports import routes  # noqa: E402,F401
