"""Forms for themes. Messages say how to fix the problem, in plain English."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from app.core.forms import BaseForm, InputRequired
from surveys.rounds.forms import WholeNumberField
from surveys.themes.models import AUDIENCE_LABELS, SENTIMENT_LABELS


class ThemeChoices(SelectMultipleField):
    """Theme checkboxes that say "Choose at least one theme" rather than a coercion error."""

    def process_formdata(self, valuelist):
        try:
            self.data = [int(v) for v in valuelist]
        except ValueError:
            self.data = []
            raise ValueError("Choose themes from the list") from None

    def pre_validate(self, form):
        known = {value for value, _ in self.choices or []}
        if any(value not in known for value in self.data or []):
            # ValidationError (not a bare ValueError, which WTForms lets through to the 400
            # page): the coding page is shown again, and the route names the missing theme.
            raise ValidationError("Choose themes from the list")


class CodingForm(BaseForm):
    themes = ThemeChoices("Themes", widget=GovCheckboxesInput(), coerce=int, choices=[])
    sentiment = RadioField(
        "Sentiment",
        widget=GovRadioInput(),
        choices=[(s.value, label) for s, label in SENTIMENT_LABELS.items()],
        validate_choice=False,
        validators=[Optional()],
    )
    notable = BooleanField(
        "Notable quote: suggest it for the board's report", widget=GovCheckboxInput()
    )
    version = HiddenField(default="0")
    submit = SubmitField("Save and next", widget=GovSubmitInput())

    def seen_version(self) -> int:
        value = (self.version.data or "0").strip()
        return int(value) if value.isdigit() else -1


class ThemeForm(BaseForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter a name for the theme"),
            Length(max=120, message="Use 120 characters or fewer"),
        ],
    )
    description = TextAreaField(
        "Description",
        widget=GovTextArea(),
        description="What belongs in this theme, in a sentence or two",
        validators=[Length(max=2000, message="Use 2,000 characters or fewer")],
    )
    parent_id = SelectField(
        "Part of",
        widget=GovSelect(),
        coerce=int,
        choices=[],
        validate_choice=True,  # a theme deleted meanwhile, or a made-up id, is refused
    )
    examples = TextAreaField(
        "Example answers",
        widget=GovTextArea(),
        description="One a line. They help coders, and teach the suggestions.",
        validators=[Length(max=20_000, message="Use 20,000 characters or fewer")],
    )
    keywords = TextAreaField(
        "Keyword rules",
        widget=GovTextArea(),
        description=(
            "One word or phrase a line. End a word with * to match words that start so, "
            'like "budget*".'
        ),
        validators=[Length(max=20_000, message="Use 20,000 characters or fewer")],
    )
    submit = SubmitField("Save theme", widget=GovSubmitInput())

    def process_parent(self, value) -> int | None:
        return value or None


class DeleteThemeForm(BaseForm):
    merge_into = SelectField(
        "Merge its coded answers into",
        widget=GovSelect(),
        coerce=int,
        choices=[],
        validate_choice=False,
    )
    submit = SubmitField("Delete theme", widget=GovSubmitInput())


class DoubleCodingForm(BaseForm):
    percent = WholeNumberField(
        "Share of answers to code twice",
        widget=GovTextInput(),
        description="Two coders code these blind, to check you agree. 20% is usual.",
        validators=[
            InputRequired("Enter a number from 0 to 100"),
            NumberRange(min=0, max=100, message="Enter a number from 0 to 100"),
        ],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class QuoteForm(BaseForm):
    text = TextAreaField(
        "Quote, as it will appear",
        widget=GovTextArea(),
        description=(
            "Check the proposed redaction. Replace anything that could identify someone "
            "with a label like [name]."
        ),
        validators=[
            InputRequired("Enter the quote as it should appear"),
            Length(max=2000, message="Use 2,000 characters or fewer"),
        ],
    )
    audience = RadioField(
        "Who may see it",
        widget=GovRadioInput(),
        choices=[(a.value, label) for a, label in AUDIENCE_LABELS.items()],
        validate_choice=False,
        validators=[InputRequired("Choose who may see the quote")],
    )
    theme_id = SelectField(
        "Theme it illustrates", widget=GovSelect(), coerce=int, choices=[], validate_choice=False
    )
    submit = SubmitField("Approve quote", widget=GovSubmitInput())


class ResultsFilterForm(BaseForm):
    class Meta:
        csrf = False

    question = SelectField("Question", widget=GovSelect(), choices=[], validate_choice=False)
    submit = SubmitField("Show", widget=GovSubmitInput())
