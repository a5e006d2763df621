"""Forms for the board. The dashboard's filters are a GET form (no CSRF: it changes nothing)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import DecimalField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional, StopValidation

from app.core.forms import BaseForm, InputRequired
from surveys.rounds.forms import GovDateField, WholeNumberField
from surveys.wellbeing import is_average


class FilterForm(BaseForm):
    class Meta:
        csrf = False

    round = SelectField("Survey round", widget=GovSelect(), choices=[], validate_choice=False)
    band = SelectField("Age", widget=GovSelect(), choices=[], validate_choice=False)
    submit = SubmitField("Show", widget=GovSubmitInput())


class PackForm(BaseForm):
    round_id = HiddenField()
    band = HiddenField()
    submit = SubmitField("Prepare the board pack", widget=GovSubmitInput())


class MeetingForm(BaseForm):
    held_on = GovDateField("Date of the meeting", "date of the meeting")
    title = StringField(
        "Title",
        widget=GovTextInput(),
        default="Corporate parenting board",
        validators=[InputRequired("Enter a title for the meeting"), Length(max=200)],
    )
    pack_id = SelectField(
        "Board pack used (the papers)", widget=GovSelect(), coerce=int, choices=[]
    )
    decisions = TextAreaField(
        "Decisions",
        widget=GovTextArea(),
        description="What the board decided, one decision a line",
        validators=[Length(max=10000, message="Use 10,000 characters or fewer")],
    )
    submit = SubmitField("Save meeting", widget=GovSubmitInput())


class RequestForm(BaseForm):
    text = TextAreaField(
        "What the board asked for",
        widget=GovTextArea(),
        description="It becomes a \u201cyou said\u201d item from the board, to be given actions",
        validators=[
            InputRequired("Enter what the board asked for"),
            Length(max=2000, message="Use 2,000 characters or fewer"),
        ],
    )
    topic = StringField(
        "Topic",
        widget=GovTextInput(),
        description="The heading it goes under, for example Housing or Money",
        validators=[Length(max=120, message="Use 120 characters or fewer")],
    )
    submit = SubmitField("Add to \u201cyou said\u201d", widget=GovSubmitInput())


class ReplyForm(BaseForm):
    item_id = SelectField(
        "What the forum asked about",
        widget=GovSelect(),
        coerce=int,
        choices=[],
        validate_choice=False,
    )
    ask = TextAreaField(
        "What the forum asked the board (optional)",
        widget=GovTextArea(),
        description="Leave blank to use the item's own words",
        validators=[Length(max=2000, message="Use 2,000 characters or fewer")],
    )
    reply = TextAreaField(
        "What the board said",
        widget=GovTextArea(),
        description="Young people will read this on the public page: use plain words",
        validators=[
            InputRequired("Enter what the board said"),
            Length(max=2000, message="Use 2,000 characters or fewer"),
        ],
    )
    decision = TextAreaField(
        "What the board decided (optional)",
        widget=GovTextArea(),
        validators=[Length(max=2000, message="Use 2,000 characters or fewer")],
    )
    submit = SubmitField("Record the board's reply", widget=GovSubmitInput())

    def validate_item_id(self, field):
        if field.data not in {value for value, _ in self.item_id.choices or []}:
            raise StopValidation("Choose what the forum asked about")


class ReferenceForm(BaseForm):
    measure = SelectField("Compare with", widget=GovSelect(), choices=[])
    source = StringField(
        "Where the figure comes from",
        widget=GovTextInput(),
        description="For example, National care leaver survey",
        validators=[InputRequired("Enter where the figure comes from"), Length(max=160)],
    )
    percent = DecimalField(
        "Figure (%)",
        widget=GovTextInput(),
        description="For an average well-being score, enter a number from 0 to 10, like 7.4",
        validators=[
            InputRequired("Enter the figure as a percentage, like 42"),
            NumberRange(0, 100, "Enter a percentage from 0 to 100"),
        ],
    )
    year = WholeNumberField(
        "Year (optional)",
        widget=GovTextInput(),
        validators=[Optional(), NumberRange(1990, 2100, "Enter a year like 2025")],
    )
    submit = SubmitField("Save figure", widget=GovSubmitInput())

    def validate_percent(self, field):
        if is_average(self.measure.data or "") and field.data is not None and field.data > 10:
            raise StopValidation("Enter an average score from 0 to 10, like 7.4")
