"""The corporate parenting board: the dashboard, board meetings, the board pack (PDF + XLSX)
and comparisons with earlier rounds and reference figures."""

from flask import Blueprint

bp = Blueprint("board", __name__)

from app.board import routes  # noqa: E402,F401
