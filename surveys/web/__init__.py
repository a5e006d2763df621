"""The web channel: the anonymous one-question-a-page survey at /s/<slug>."""

from flask import Blueprint

bp = Blueprint("survey", __name__)

from surveys.web import routes  # noqa: E402,F401
