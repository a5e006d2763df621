"""Forms for the forum's monitoring of actions and its presentations to the board (issue 23)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length

from app.core.forms import BaseForm, InputRequired
from forum.monitoring import HAPPENED, SATISFACTION
from surveys.rounds.forms import GovDateField


class ReviewForm(BaseForm):
    action_id = SelectField(
        "Which action did the forum talk about?",
        widget=GovSelect(),
        coerce=int,
        choices=[],
        validate_choice=False,
    )
    happened = RadioField(
        "Did it happen?",
        widget=GovRadioInput(),
        choices=list(HAPPENED.items()),
        validators=[InputRequired("Say whether the forum thinks it happened")],
    )
    satisfaction = RadioField(
        "How satisfied is the forum?",
        widget=GovRadioInput(),
        choices=[("", "Not asked")]
        + [(str(n), f"{n}: {label}") for n, label in SATISFACTION.items()],
        default="",
        validate_choice=False,
    )
    comments = TextAreaField(
        "What the forum said (optional)",
        widget=GovTextArea(),
        description="Do not write anyone's name",
        validators=[Length(max=2000, message="Use 2,000 characters or fewer")],
    )
    submit = SubmitField("Record what the forum said", widget=GovSubmitInput())

    def satisfaction_value(self) -> int | None:
        raw = self.satisfaction.data or ""
        return int(raw) if raw.isdigit() else None


class PresentationForm(BaseForm):
    presents_on = GovDateField(
        "Date of the board meeting",
        "date of the board meeting",
        description="For example, 3 2 2027",
    )
    meeting = StringField(
        "Which meeting",
        widget=GovTextInput(),
        default="Corporate parenting board",
        validators=[Length(max=200, message="Use 200 characters or fewer")],
    )
    topic = StringField(
        "What the forum will present",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter what the forum will present"),
            Length(max=200, message="Use 200 characters or fewer"),
        ],
    )
    presenters = StringField(
        "Who presents",
        widget=GovTextInput(),
        description="First names or roles, for example: Chair and two members",
        validators=[
            InputRequired("Enter who will present"),
            Length(max=200, message="Use 200 characters or fewer"),
        ],
    )
    submit = SubmitField("Add to the schedule", widget=GovSubmitInput())
