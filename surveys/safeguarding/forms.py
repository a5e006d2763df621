"""Forms for the safeguarding lead (flags) and the admin (screening list)."""

from __future__ import annotations

import re

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.forms import BaseForm
from surveys.safeguarding.models import FLAG_STATUS_LABELS

CATEGORIES = [
    ("self_harm_suicide", "Self-harm and suicide"),
    ("abuse", "Abuse"),
    ("domestic_abuse", "Domestic abuse"),
    ("sexual_exploitation", "Sexual exploitation"),
    ("criminal_exploitation", "Criminal exploitation"),
    ("violence", "Violence"),
    ("homeless_tonight", "Nowhere to sleep tonight"),
    ("unsafe", "Being unsafe"),
    ("neglect", "Neglect"),
    ("substance_crisis", "Drugs or alcohol crisis"),
    ("other", "Other"),
]


class FlagUpdateForm(BaseForm):
    status = RadioField(
        "What happens now?",
        widget=GovRadioInput(),
        choices=[(s.value, label) for s, label in FLAG_STATUS_LABELS.items()],
        validators=[InputRequired("Choose what happens now")],
    )
    note = TextAreaField(
        "Note",
        widget=GovTextArea(),
        description="What you did or decided, and why. Added to the record "
        "with your name and the time.",
        validators=[Optional(), Length(max=4000)],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


def _valid_pattern(form, field) -> None:
    if form.kind.data == "pattern":
        try:
            re.compile(field.data)
        except re.error as exc:
            raise ValidationError(f"This pattern cannot be used: {exc}") from None


class ScreeningRuleForm(BaseForm):
    key = StringField(
        "Short name",
        widget=GovTextInput(),
        description="Lower case letters, numbers and dashes, like want-to-die",
        validators=[InputRequired("Enter a short name"), Length(max=80)],
    )
    category = SelectField("Category", widget=GovSelect(), choices=CATEGORIES)
    kind = RadioField(
        "Kind",
        widget=GovRadioInput(),
        choices=[("phrase", "Words or a phrase"), ("pattern", "A pattern (regular expression)")],
        default="phrase",
        validators=[InputRequired("Choose a kind")],
    )
    text = StringField(
        "Words or pattern to look for",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the words to look for"), Length(max=500), _valid_pattern],
    )
    exclude = TextAreaField(
        "Ignore when the answer also says",
        widget=GovTextArea(),
        description="One pattern a line, for example: kill time",
        validators=[Optional(), Length(max=2000)],
    )
    enabled = BooleanField("Use this rule", widget=GovCheckboxInput(), default=True)
    submit = SubmitField("Save rule", widget=GovSubmitInput())

    def validate_key(self, field) -> None:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", field.data or ""):
            raise ValidationError("Use lower case letters, numbers and dashes only")

    def validate_exclude(self, field) -> None:
        for line in (field.data or "").splitlines():
            if line.strip():
                try:
                    re.compile(line.strip())
                except re.error as exc:
                    raise ValidationError(f"'{line.strip()}' cannot be used: {exc}") from None
