"""Forms for contacts. Text fields are read by services.clean_contact, the rules imports use."""

from __future__ import annotations

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from app.core.forms import BaseForm, InputRequired
from app.outreach.contacts.groups import GROUPS
from app.outreach.contacts.models import LEGAL_STATUS_LABELS
from app.outreach.contacts.services import AGE_BANDS

LEGAL_CHOICES = [(str(k), v) for k, v in LEGAL_STATUS_LABELS.items()]
CHANNEL_CHOICES = [
    ("", "No preference"),
    ("sms", "Text message"),
    ("email", "Email"),
    ("letter", "Letter"),
]
AGE_CHOICES = [("", "Any age")] + [(label, label) for _l, _h, label in AGE_BANDS]


class ContactForm(BaseForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the young person's full name"), Length(max=120)],
    )
    preferred_name = StringField(
        "Preferred name (optional)", widget=GovTextInput(), validators=[Length(max=60)]
    )
    date_of_birth = StringField(
        "Date of birth (optional)",
        widget=GovTextInput(),
        description="For example, 14/02/2006",
        validators=[Length(max=20)],
    )
    mobile = StringField(
        "Mobile number (optional)",
        widget=GovTextInput(),
        description="Their own mobile, for example 07700 900123",
        validators=[Length(max=40)],
    )
    email = StringField(
        "Email address (optional)", widget=GovTextInput(), validators=[Length(max=254)]
    )
    address = TextAreaField(
        "Address (optional)",
        widget=GovTextArea(),
        description="Each part on its own line, without the postcode",
        validators=[Length(max=400)],
    )
    postcode = StringField(
        "Postcode (optional)", widget=GovTextInput(), validators=[Length(max=10)]
    )
    team = StringField("Team (optional)", widget=GovTextInput(), validators=[Length(max=80)])
    personal_adviser = StringField(
        "Personal Adviser (optional)", widget=GovTextInput(), validators=[Length(max=120)]
    )
    legal_status = SelectField(
        "Legal status", widget=GovSelect(), choices=LEGAL_CHOICES, default=""
    )
    preferred_channel = SelectField(
        "Best way to reach them", widget=GovSelect(), choices=CHANNEL_CHOICES, default=""
    )
    preferred_language = StringField(
        "Preferred language (optional)",
        widget=GovTextInput(),
        description="Their invitation opens the survey in it, if we offer it. For example, "
        "Arabic, Tigrinya or Easy read.",
        validators=[Length(max=40)],
    )
    in_touch = BooleanField("The service is in touch with them", widget=GovCheckboxInput())
    consent = BooleanField("They agreed to be contacted about surveys", widget=GovCheckboxInput())
    opted_out = BooleanField("They asked not to get surveys (opted out)", widget=GovCheckboxInput())
    number_bad = BooleanField("Their mobile number is known to be wrong", widget=GovCheckboxInput())
    do_not_contact = BooleanField("Do not contact", widget=GovCheckboxInput())
    do_not_contact_reason = StringField(
        "Reason not to contact (optional)",
        widget=GovTextInput(),
        description="For example, a safeguarding reason. Only staff see this.",
        validators=[Length(max=200)],
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def raw(self) -> dict:
        return {
            name: field.data
            for name, field in self._fields.items()
            if name not in ("csrf_token", "submit")
        }


# One checkbox per optional group (app/outreach/contacts/groups.py), named by its model field
# so ``ContactForm(obj=contact)`` fills them in; templates/contacts/form.html groups them.
for _group in GROUPS:
    setattr(ContactForm, _group.field, BooleanField(_group.label, widget=GovCheckboxInput()))


class ContactFilterForm(BaseForm):
    class Meta:
        csrf = False

    search = StringField(
        "Name or postcode", widget=GovTextInput(), validators=[Optional(), Length(max=80)]
    )
    team = SelectField(
        "Team", widget=GovSelect(), choices=[("", "Any team")], validate_choice=False
    )
    age_band = SelectField("Age", widget=GovSelect(), choices=AGE_CHOICES, validate_choice=False)
    in_touch = SelectField(
        "In touch",
        widget=GovSelect(),
        choices=[("", "Either"), ("yes", "In touch"), ("no", "Not in touch")],
        validate_choice=False,
    )
    submit = SubmitField("Filter", widget=GovSubmitInput())


class UploadForm(BaseForm):
    file = FileField(
        "Upload a file",
        widget=GovFileInput(),
        description="A CSV file or an Excel workbook (.xlsx) exported from your case-management "
        "system: one row for each young person and a row of column names at the top. Smaller "
        "than 5 MB.",
    )
    submit = SubmitField("Upload and continue", widget=GovSubmitInput())


class MappingForm(BaseForm):
    submit = SubmitField("Save and check the rows", widget=GovSubmitInput())


class ImportForm(BaseForm):
    submit = SubmitField("Import the good rows", widget=GovSubmitInput())


class DiscardForm(BaseForm):
    submit = SubmitField("Cancel this import", widget=GovSubmitInput())


class EraseForm(BaseForm):
    confirm = RadioField(
        "Are you sure?",
        widget=GovRadioInput(),
        choices=[("yes", "Yes, erase this person's details and history"), ("no", "No")],
        validators=[InputRequired("Choose yes to erase, or no to keep the record")],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())
