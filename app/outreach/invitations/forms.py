"""Forms for invitations, reminders and the reminder schedule."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import SelectField, SelectMultipleField, StringField, SubmitField
from wtforms.validators import Length, ValidationError

from app.core.forms import BaseForm, InputRequired
from app.outreach.contacts.forms import AGE_CHOICES, LEGAL_CHOICES

CHANNEL_CHOICES = [("sms", "Text message"), ("email", "Email"), ("letter", "Letter")]


class FilterFields(BaseForm):
    team = SelectField(
        "Team", widget=GovSelect(), choices=[("", "Any team")], validate_choice=False
    )
    age_band = SelectField("Age", widget=GovSelect(), choices=AGE_CHOICES, validate_choice=False)


class InviteForm(FilterFields):
    legal_status = SelectField(
        "Legal status",
        widget=GovSelect(),
        choices=[("", "Any status"), *LEGAL_CHOICES[1:]],
        validate_choice=False,
    )
    in_touch = SelectField(
        "In touch",
        widget=GovSelect(),
        choices=[("", "Either"), ("yes", "In touch"), ("no", "Not in touch")],
        validate_choice=False,
    )
    channels = SelectMultipleField(
        "How to send the invitations",
        widget=GovCheckboxesInput(),
        choices=CHANNEL_CHOICES,
        description="Each person gets every way you choose that we have details for.",
        validators=[InputRequired("Choose at least one way to send the invitations")],
    )
    submit = SubmitField("Check the invitations", widget=GovSubmitInput())


class ReminderForm(FilterFields):
    submit = SubmitField("Check the reminder", widget=GovSubmitInput())


class ScheduleForm(BaseForm):
    numbers: list[int]  # the days, once validate_days has read them
    days = StringField(
        "Remind on these days after the invitation",
        widget=GovTextInput(),
        description="Numbers separated by commas, for example 7, 14, 28",
        validators=[InputRequired("Enter the days, for example 7, 14, 28"), Length(max=60)],
    )
    submit = SubmitField("Save the schedule", widget=GovSubmitInput())

    def validate_days(self, field):
        parts = [p.strip() for p in field.data.replace(";", ",").split(",") if p.strip()]
        if not parts or not all(p.isdigit() for p in parts):
            raise ValidationError("Enter whole numbers of days, like 7, 14, 28")
        self.numbers = [int(p) for p in parts]
        if any(n < 1 or n > 365 for n in self.numbers):
            raise ValidationError("Each day must be between 1 and 365")
