"""Paper and assisted responses: printable forms, the keying screen, double-entry checks."""

from flask import Blueprint

bp = Blueprint("paper", __name__)

from surveys.paper import routes  # noqa: E402,F401
