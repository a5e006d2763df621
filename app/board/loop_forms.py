"""Forms for the board's front page and a board member's pack request (issue 23)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import SubmitField, TextAreaField
from wtforms.validators import Length

from app.core.forms import BaseForm

LONG = Length(max=4000, message="Use 4,000 characters or fewer")


class FrontPageForm(BaseForm):
    working_well = TextAreaField(
        "What is working well",
        widget=GovTextArea(),
        description="One point a line. We drafted this from what care leavers said were the "
        "best things: change it as you need.",
        validators=[LONG],
    )
    to_improve = TextAreaField(
        "What needs to improve",
        widget=GovTextArea(),
        description="One point a line. We drafted this from what care leavers said were the "
        "worst things.",
        validators=[LONG],
    )
    decisions = TextAreaField(
        "Decisions the board is asked to make",
        widget=GovTextArea(),
        description="One decision a line, for example: Agree to fund a bus pass for care "
        "leavers up to 25",
        validators=[LONG],
    )
    submit = SubmitField("Save the front page", widget=GovSubmitInput())
