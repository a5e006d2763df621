"""Forms for the authority's settings and public page texts."""

from __future__ import annotations

from zoneinfo import available_timezones

from flask_wtf.file import FileAllowed, FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import Email, Length, NumberRange, Optional, ValidationError

from app.core.forms import BaseForm, InputRequired


def _valid_timezone(_form, field) -> None:
    if field.data not in available_timezones():
        raise ValidationError("Enter a time zone like Europe/London")


class SettingsForm(BaseForm):
    name = StringField(
        "Authority name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the authority's name"), Length(max=120)],
    )
    service_name = StringField(
        "Service name",
        widget=GovTextInput(),
        description="Shown in the header of every page",
        validators=[InputRequired("Enter the service name"), Length(max=80)],
    )
    brand_colour = StringField(
        "Brand colour",
        widget=GovTextInput(),
        description="A # followed by 6 characters, like #1d70b8. "
        "White text must be readable on it.",
        validators=[InputRequired("Enter the brand colour"), Length(max=7)],
    )
    duty_phone = StringField(
        "Duty or help phone number",
        widget=GovTextInput(),
        description="Shown to young people on every survey page",
        validators=[InputRequired("Enter the duty phone number"), Length(max=40)],
    )
    duty_hours = StringField(
        "When the duty number is answered",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=200)],
    )
    out_of_hours_phone = StringField(
        "Out-of-hours phone number",
        widget=GovTextInput(),
        description="The emergency duty team, for evenings, nights and weekends",
        validators=[Optional(), Length(max=40)],
    )
    contact_email = EmailField(
        "Leaving care team email",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Email("Enter an email address like team@example.gov.uk"),
            Length(max=254),
        ],
    )
    safeguarding_lead_name = StringField(
        "Safeguarding lead's name", widget=GovTextInput(), validators=[Optional(), Length(max=120)]
    )
    safeguarding_lead_email = EmailField(
        "Safeguarding lead's email",
        widget=GovTextInput(),
        description="Safeguarding flags are sent here",
        validators=[
            Optional(),
            Email("Enter an email address like lead@example.gov.uk"),
            Length(max=254),
        ],
    )
    safeguarding_lead_phone = StringField(
        "Safeguarding lead's phone", widget=GovTextInput(), validators=[Optional(), Length(max=40)]
    )
    safeguarding_deputy_email = EmailField(
        "Safeguarding deputy's email",
        widget=GovTextInput(),
        description="Flags nobody has reviewed in time are sent here too",
        validators=[
            Optional(),
            Email("Enter an email address like deputy@example.gov.uk"),
            Length(max=254),
        ],
    )
    safeguarding_escalate_hours = IntegerField(
        "Hours before an unreviewed flag goes to the deputy",
        widget=GovTextInput(),
        default=24,
        description="Leave empty for 24",
        filters=[lambda hours: 24 if hours is None else hours],
        validators=[
            Optional(),
            NumberRange(1, 720, "Enter a number of hours between 1 and 720"),
        ],
    )
    sms_quiet_start = TimeField(
        "Quiet hours start",
        widget=GovTextInput(),
        description="No texts are sent after this time, like 21:00",
        validators=[InputRequired("Enter a time like 21:00")],
        render_kw={"type": "time"},
    )
    sms_quiet_end = TimeField(
        "Quiet hours end",
        widget=GovTextInput(),
        description="Texts may be sent again from this time, like 09:00",
        validators=[InputRequired("Enter a time like 09:00")],
        render_kw={"type": "time"},
    )
    timezone = StringField(
        "Time zone",
        widget=GovTextInput(),
        validators=[InputRequired("Enter a time zone"), _valid_timezone],
    )
    submit = SubmitField("Save settings", widget=GovSubmitInput())


class LogoForm(BaseForm):
    logo = FileField(
        "Logo",
        widget=GovFileInput(),
        description="A PNG, JPG or SVG file smaller than 200 KB",
        validators=[
            FileAllowed(["png", "jpg", "jpeg", "svg"], "The logo must be a PNG, JPG or SVG file")
        ],
    )
    remove = BooleanField("Remove the logo", widget=GovCheckboxInput())
    submit = SubmitField("Save logo", widget=GovSubmitInput())


class PageTextForm(BaseForm):
    text = TextAreaField(
        "Page text",
        widget=GovTextArea(),
        description="Leave a blank line between paragraphs. Start a line with "
        '"## " for a heading or "- " for a bullet point.',
        validators=[InputRequired("Enter the page text"), Length(max=20000)],
    )
    submit = SubmitField("Save page", widget=GovSubmitInput())
