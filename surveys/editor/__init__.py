"""The questionnaire editor: staff copy a questionnaire version into a draft and change it."""

from flask import Blueprint

bp = Blueprint("questionnaires", __name__)

from surveys.editor import routes  # noqa: E402,F401
