"""Forms for survey rounds. Messages say how to fix the problem, in plain English."""

from __future__ import annotations

from datetime import date

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import (
    Length,
    NumberRange,
    Optional,
    StopValidation,
    ValidationError,
)

from app.core.forms import BaseForm, InputRequired
from surveys.models import CHANNEL_LABELS
from surveys.rounds.services import ROUND_CHANNELS, STATUS_LABELS

CHANNEL_CHOICES = [(c.value, CHANNEL_LABELS[c]) for c in ROUND_CHANNELS]


class GovDateField(DateField):
    """The GOV.UK three-field date (day, month, year) with messages that say what to fix."""

    def __init__(self, label: str, what: str, **kwargs):
        super().__init__(label, format="%d %m %Y", widget=GovDateInput(), **kwargs)
        self.what = what

    def process(self, formdata, *args, **kwargs):
        super().process(formdata, *args, **kwargs)
        if formdata is not None and not self.raw_data:
            self.raw_data = ["", "", ""]  # a post without the field: three empty boxes again

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        # Exactly day, month and year, whatever was sent: the widget shows three boxes.
        self.raw_data = [*valuelist[:3], *[""] * (3 - len(valuelist[:3]))]
        parts = [(v or "").strip() for v in self.raw_data]
        self.data = None
        if not any(parts):
            return  # pre_validate says "Enter the ..."
        names = ["day", "month", "year"]
        missing = [name for name, part in zip(names, parts, strict=False) if not part]
        if missing:
            raise ValueError(f"The {self.what} must include a {' and a '.join(missing)}")
        if not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
            raise ValueError(f"Enter the {self.what} in numbers, like 27 3 2026")
        try:
            self.data = date(int(parts[2]), int(parts[1]), int(parts[0]))
        except (ValueError, OverflowError):
            raise ValueError(f"The {self.what} must be a real date") from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # one message is enough
        if self.data is None:
            raise StopValidation(f"Enter the {self.what}")


class WholeNumberField(IntegerField):
    """A number field that says "Enter a number" rather than "Not a valid integer value"."""

    def process_formdata(self, valuelist):
        if not valuelist or not (valuelist[0] or "").strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError("Enter a whole number, like 30") from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()  # one message is enough


class RoundForm(BaseForm):
    name = StringField(
        "Name of the round",
        widget=GovTextInput(),
        description="For example, Care leavers survey 2026",
        validators=[InputRequired("Enter a name for the round"), Length(max=120)],
    )
    questionnaire_id = SelectField(
        "Questionnaire version",
        widget=GovSelect(),
        coerce=int,
        validators=[InputRequired("Choose a questionnaire")],
    )
    opens_on = GovDateField(
        "Opening date",
        "opening date",
        description="For example, 1 3 2026",
    )
    closes_on = GovDateField(
        "Closing date",
        "closing date",
        description="People can answer until the end of this day",
    )
    cohort_size = WholeNumberField(
        "Number of care leavers you will ask",
        widget=GovTextInput(),
        description=(
            "An estimate, used for the response rate only if there is no contact list when "
            "the round opens."
        ),
        validators=[
            Optional(),
            NumberRange(min=0, max=1_000_000, message="Enter a number from 0 to 1,000,000"),
        ],
    )
    target_rate = WholeNumberField(
        "Target response rate (%)",
        widget=GovTextInput(),
        default=30,
        validators=[
            InputRequired("Enter a target response rate, for example 30"),
            NumberRange(min=1, max=100, message="Enter a target from 1 to 100"),
        ],
    )
    channels = SelectMultipleField(
        "Ways people can answer",
        widget=GovCheckboxesInput(),
        choices=CHANNEL_CHOICES,
        default=["web"],
        validators=[InputRequired("Choose at least one way for people to answer")],
    )
    includes_wellbeing = BooleanField(
        "Add the 4 personal well-being questions (ONS4)",
        widget=GovCheckboxInput(),
        description=(
            "The Office for National Statistics' questions about life satisfaction, feeling "
            "that things are worthwhile, happiness and anxiety, each from 0 to 10, asked after "
            "the questionnaire. You can compare the answers with figures published by the ONS."
        ),
    )
    submit = SubmitField("Save round", widget=GovSubmitInput())

    def validate_closes_on(self, field):
        if field.data and self.opens_on.data and field.data < self.opens_on.data:
            raise ValidationError("The closing date must be the same as or after the opening date")


class ResponseFilterForm(BaseForm):
    """The responses table filter: a GET form, so a filtered view can be bookmarked."""

    class Meta:
        csrf = False

    channel = SelectField(
        "Channel",
        widget=GovSelect(),
        choices=[("", "Any channel"), *((c.value, CHANNEL_LABELS[c]) for c in CHANNEL_LABELS)],
        validators=[Optional()],
    )
    status = SelectField(
        "Status",
        widget=GovSelect(),
        choices=[*STATUS_LABELS.items(), ("any", "Any status")],
        default="complete",
        validators=[Optional()],
    )
    submit = SubmitField("Filter", widget=GovSubmitInput())
