"""Forms for benchmarking: export a round, upload another council's file, the settings."""

from __future__ import annotations

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovFileInput,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, HiddenField, StringField, SubmitField
from wtforms.validators import Length

from app.core.forms import BaseForm


class ExportForm(BaseForm):
    round_id = HiddenField()
    submit = SubmitField("Download this round's benchmarking file", widget=GovSubmitInput())


class UploadForm(BaseForm):
    file = FileField(
        "Upload another council's benchmarking file",
        widget=GovFileInput(),
        description="The .json file another council downloaded from its Belonging and sent you.",
    )
    submit = SubmitField("Check and import", widget=GovSubmitInput())


class SettingsForm(BaseForm):
    share_name = BooleanField(
        "Put our council's name in the files we share",
        widget=GovCheckboxInput(),
        description="Without this, a file says only a random code for this install, never who "
        "you are. Councils in your cluster see your figures by name only if you tick this.",
    )
    cluster = StringField(
        "Cluster (optional)",
        widget=GovTextInput(),
        description="The group of councils you agreed to share with by name, spelt the same "
        "way by each of you, for example North West New Belongings cluster",
        validators=[Length(max=120, message="Use 120 characters or fewer")],
    )
    submit = SubmitField("Save sharing settings", widget=GovSubmitInput())
