"""Invitations, reminders, letters, the personal link and the response-rate dashboard."""

from flask import Blueprint

bp = Blueprint("invitations", __name__)

from surveys.invitations import routes  # noqa: E402,F401
