"""Staff pages for survey rounds: set up, open and close a round, follow its responses, export."""

from flask import Blueprint

bp = Blueprint("rounds", __name__)

from surveys.rounds import routes  # noqa: E402,F401
