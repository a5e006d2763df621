"""Forms for the translations page: an import, and an admin's "checked by a translator"."""

from __future__ import annotations

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField

from app.core.forms import BaseForm, InputRequired


class ImportForm(BaseForm):
    file = FileField(
        "Upload a translated file",
        widget=GovFileInput(),
        description="The PO file or Excel workbook (.xlsx) you downloaded here, with the "
        "translations filled in. Nothing is saved if any row has a problem.",
    )
    submit = SubmitField("Import the translations", widget=GovSubmitInput())


class CheckedForm(BaseForm):
    checked = RadioField(
        "Has a translator checked this language?",
        widget=GovRadioInput(),
        choices=[("yes", "Yes"), ("no", "No")],
        validators=[InputRequired("Choose yes or no")],
        description="Until a translator has checked it, help and safeguarding wording is "
        "shown in English.",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())
