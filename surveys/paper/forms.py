"""Forms for paper keying. The answers themselves are read by services.read_form, because
their fields come from the questionnaire; these forms hold the fixed parts and the CSRF token."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, SubmitField
from wtforms.validators import NumberRange

from app.core.forms import BaseForm, InputRequired
from surveys.models import CHANNEL_LABELS
from surveys.paper.services import KEYING_CHANNELS, VOID_REASONS
from surveys.rounds.forms import GovDateField, WholeNumberField

CHANNEL_CHOICES = [(c.value, CHANNEL_LABELS[c]) for c in KEYING_CHANNELS]


class KeyingForm(BaseForm):
    channel = SelectField(
        "How the answers were collected",
        widget=GovSelect(),
        choices=CHANNEL_CHOICES,
        default="paper",
        validators=[InputRequired("Choose how the answers were collected")],
    )
    assisted = BooleanField(
        "A worker helped the young person answer (assisted)", widget=GovCheckboxInput()
    )
    serial = StringField("Serial number", widget=GovTextInput())
    submit = SubmitField("Save and next", widget=GovSubmitInput())


class SettleForm(BaseForm):
    submit = SubmitField("Save the settled answers", widget=GovSubmitInput())


class PrintForm(BaseForm):
    count = WholeNumberField(
        "How many forms",
        widget=GovTextInput(),
        default=20,
        description="Each form gets its own serial number. Up to 500 at a time.",
        validators=[
            InputRequired("Enter how many forms to print, like 20"),
            NumberRange(min=1, max=500, message="Enter a number from 1 to 500"),
        ],
    )
    large_print = BooleanField("Large print (16 point and bigger)", widget=GovCheckboxInput())
    # choices: the languages this round's questionnaire can be printed in (the route sets them)
    language = SelectField("Language of the form", widget=GovSelect(), default="en")
    submit = SubmitField("Download the forms (PDF)", widget=GovSubmitInput())


class PaperSettingsForm(BaseForm):
    entry_deadline = GovDateField(
        "Data entry deadline",
        "data entry deadline",
        description="Forms can be keyed until the end of this day. It can be after the round "
        "closes, for forms that arrive late.",
    )
    double_entry = BooleanField(
        "Double entry: every paper form is keyed by two people and checked",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save settings", widget=GovSubmitInput())


class VoidForm(BaseForm):
    serial = StringField(
        "Serial number of the keyed form",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the serial number from the top of the form")],
    )
    reason = RadioField(
        "Why is it being voided?",
        widget=GovRadioInput(),
        choices=list(VOID_REASONS.items()),
        validators=[InputRequired("Choose why the form is being voided")],
    )
    # Set by the confirm page: the first post only shows what voiding would do.
    confirmed = HiddenField()
    submit = SubmitField("Continue", widget=GovSubmitInput())


class ReprintForm(BaseForm):
    serial = StringField(
        "Serial number to reprint",
        widget=GovTextInput(),
        description="For a form that was lost, spoilt or voided. The new copy has the same "
        "number, so do not hand out the old one too.",
        validators=[InputRequired("Enter the serial number to reprint, like 42")],
    )
    language = SelectField("Language of the form", widget=GovSelect(), default="en")
    submit = SubmitField("Download the replacement (PDF)", widget=GovSubmitInput())
