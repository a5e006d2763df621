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
from wtforms.validators import Length, Optional, ValidationError

from app.core.forms import BaseForm, InputRequired
from surveys.safeguarding import screening
from surveys.safeguarding.models import FLAG_STATUS_LABELS

CATEGORY_LABELS = {
    "self_harm_suicide": "Self-harm and suicide",
    "abuse": "Abuse",
    "sexual_abuse": "Sexual abuse",
    "sexual_exploitation": "Sexual exploitation",
    "criminal_exploitation": "Criminal exploitation",
    "trafficking": "Trafficking",
    "domestic_abuse": "Domestic abuse",
    "violence": "Violence",
    "unsafe": "Being unsafe",
    "homeless_tonight": "Nowhere to sleep tonight",
    "housing_insecure": "Housing at risk",
    "neglect": "Neglect",
    "substance_crisis": "Drugs or alcohol crisis",
    "unsafe_accommodation": "Unsafe accommodation",
    "acute_need": "No food, money or medicine",
    "help_me": "Asking for help",
}
CATEGORIES = [
    (c, CATEGORY_LABELS.get(c, c.replace("_", " ").capitalize())) for c in screening.CATEGORIES
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


def _valid_rule(form, field) -> None:
    """Compile the rule exactly as screening will, so a saved rule always works."""
    try:
        screening.Rule.build(
            id=form.key.data or "new-rule",
            category=form.category.data,
            kind=form.kind.data or "phrase",
            text=field.data or "",
            exclude=[e for e in (form.exclude.data or "").splitlines() if e.strip()],
        )
    except screening.RuleError as exc:
        message = str(exc).split(": ", 1)[-1]
        raise ValidationError(f"This rule cannot be used: {message}") from None


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
        choices=[
            ("phrase", "Words or a phrase"),
            ("pattern", "A pattern (regular expression)"),
            ("example", "An example answer (matched loosely, by spelling and meaning)"),
        ],
        default="phrase",
        validators=[InputRequired("Choose a kind")],
    )
    text = TextAreaField(
        "Words or pattern to look for",
        widget=GovTextArea(),
        validators=[InputRequired("Enter the words to look for"), Length(max=5000), _valid_rule],
    )
    exclude = TextAreaField(
        "Ignore when the answer also says",
        widget=GovTextArea(),
        description="One pattern a line, for example: kill time",
        validators=[Optional(), Length(max=5000)],
    )
    enabled = BooleanField("Use this rule", widget=GovCheckboxInput(), default=True)
    submit = SubmitField("Save rule", widget=GovSubmitInput())

    def validate_key(self, field) -> None:
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", field.data or ""):
            raise ValidationError("Use lower case letters and numbers, with single dashes between")
