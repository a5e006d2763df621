"""Forms for imports. The mapping page's selects come from the file, so routes read them."""

from __future__ import annotations

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField

from app.core.forms import BaseForm


class UploadForm(BaseForm):
    file = FileField(
        "Upload a file",
        widget=GovFileInput(),
        description="A CSV file or an Excel workbook (.xlsx), one row for each person and a "
        "row of column names at the top. Smaller than 5 MB.",
    )
    submit = SubmitField("Upload and continue", widget=GovSubmitInput())


class MappingForm(BaseForm):
    submit = SubmitField("Save and continue", widget=GovSubmitInput())


class ImportForm(BaseForm):
    mode = RadioField(
        "What to import",
        widget=GovRadioInput(),
        choices=[
            ("all", "Everything (nothing is imported if any row has a problem)"),
            ("valid", "Valid rows only (rows with problems are left out)"),
        ],
        default="all",
    )
    submit = SubmitField("Import the responses", widget=GovSubmitInput())


class DiscardForm(BaseForm):
    submit = SubmitField("Cancel this import", widget=GovSubmitInput())
