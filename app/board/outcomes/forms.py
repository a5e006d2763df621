"""Forms for outcomes: the upload, the confirmation of a replacement, targets and comparisons."""

from __future__ import annotations

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import DecimalField, HiddenField, SelectField, StringField, SubmitField
from wtforms.validators import Length, NumberRange

from app.board.outcomes.models import AGE_GROUP_LABELS as AGE_LABELS
from app.board.outcomes.models import (
    ALL_AGES,
    ALL_AGES_LABEL,
    COMPARISON_LABELS,
    MEASURE_LABELS,
)
from app.core.forms import BaseForm, InputRequired
from surveys.rounds.forms import WholeNumberField

MEASURE_CHOICES = [(m.value, label) for m, label in MEASURE_LABELS.items()]
GROUP_CHOICES = [(ALL_AGES, ALL_AGES_LABEL), *[(g.value, label) for g, label in AGE_LABELS.items()]]


def _percent(label: str) -> DecimalField:
    return DecimalField(
        label,
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the figure as a percentage, like 65"),
            NumberRange(0, 100, "Enter a percentage from 0 to 100"),
        ],
    )


class UploadForm(BaseForm):
    file = FileField(
        "Upload the outcome figures",
        widget=GovFileInput(),
        description="A CSV file or an Excel workbook (.xlsx) with the columns below.",
    )
    submit = SubmitField("Upload and check", widget=GovSubmitInput())


class ConfirmImportForm(BaseForm):
    token = HiddenField()
    submit = SubmitField("Replace these figures", widget=GovSubmitInput())


class TargetForm(BaseForm):
    measure = SelectField("Measure", widget=GovSelect(), choices=MEASURE_CHOICES)
    age_group = SelectField("Age group", widget=GovSelect(), choices=GROUP_CHOICES)
    percent = _percent("Target (% of the cohort)")
    submit = SubmitField("Save target", widget=GovSubmitInput())


class ComparisonForm(BaseForm):
    kind = SelectField(
        "Compare with",
        widget=GovSelect(),
        choices=[(k.value, label) for k, label in COMPARISON_LABELS.items()],
    )
    measure = SelectField("Measure", widget=GovSelect(), choices=MEASURE_CHOICES)
    age_group = SelectField("Age group", widget=GovSelect(), choices=GROUP_CHOICES)
    year = WholeNumberField(
        "Year ending 31 March",
        widget=GovTextInput(),
        description="For example 2025 for the year 2024 to 2025",
        validators=[
            InputRequired("Enter the year, like 2025"),
            NumberRange(2000, 2100, "Enter a year like 2025"),
        ],
    )
    percent = _percent("Figure (% of the cohort)")
    source = StringField(
        "Where the figure comes from",
        widget=GovTextInput(),
        description="For example, DfE: Children looked after in England, table F1",
        validators=[
            InputRequired("Enter where the figure comes from"),
            Length(max=200, message="Use 200 characters or fewer"),
        ],
    )
    submit = SubmitField("Save figure", widget=GovSubmitInput())
