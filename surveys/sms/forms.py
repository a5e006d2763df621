"""Forms for the staff SMS pages (the phone simulator)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea, GovTextInput
from wtforms import StringField, SubmitField, TextAreaField
from wtforms.validators import Length, ValidationError

from app.core.forms import BaseForm, InputRequired
from app.core.phones import NumberInvalid, normalise_number


class SimulatorForm(BaseForm):
    number = StringField(
        "Pretend mobile number",
        widget=GovTextInput(),
        default="07700 900001",
        description="Use a number from Ofcom's drama range, 07700 900000 to 07700 900999",
        validators=[InputRequired("Enter a pretend mobile number"), Length(max=40)],
    )
    message = TextAreaField(
        "Text message",
        widget=GovTextArea(),
        description="Try BELONG to start, then answer. SKIP, BACK, HELP and STOP work too.",
        # Checked in validate_message, not InputRequired: its "required" attribute would make
        # the browser (and htmx) stop the form before our error message could be shown.
        validators=[Length(max=1600, message="A text message must be 1,600 characters or fewer")],
    )
    submit = SubmitField("Send text", widget=GovSubmitInput())

    def validate_message(self, field) -> None:
        if not (field.data or "").strip():
            raise ValidationError("Type a text message")

    def validate_number(self, field) -> None:
        try:
            normalise_number(field.data or "")
        except NumberInvalid as exc:
            raise ValidationError(str(exc)) from None


class ClearForm(BaseForm):
    submit = SubmitField("Start again with an empty phone", widget=GovSubmitInput())
