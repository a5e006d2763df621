"""The audit log filter: a GET form, so filtered views can be bookmarked and shared."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import DateField, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional

from app.core.forms import BaseForm


class AuditFilterForm(BaseForm):
    class Meta:
        csrf = False

    actor = StringField(
        "Who (email contains)", widget=GovTextInput(), validators=[Optional(), Length(max=254)]
    )
    action = SelectField(
        "Action", widget=GovSelect(), validators=[Optional()], validate_choice=False
    )
    object_type = SelectField(
        "Object", widget=GovSelect(), validators=[Optional()], validate_choice=False
    )
    date_from = DateField(
        "From date",
        widget=GovTextInput(),
        validators=[Optional()],
        description="For example, 2026-11-01",
        render_kw={"type": "date"},
    )
    date_to = DateField(
        "To date",
        widget=GovTextInput(),
        validators=[Optional()],
        description="For example, 2026-11-30",
        render_kw={"type": "date"},
    )
    submit = SubmitField("Filter", widget=GovSubmitInput())
