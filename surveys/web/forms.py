"""Forms for the public survey pages.

Questions are data, so their fields are read by ``raw_answer`` rather than declared as WTForms
classes; CSRF still applies to every POST (CSRFProtect checks the token app-wide).
"""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSubmitInput,
    GovTextInput,
)
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, EmailField, HiddenField, StringField, SubmitField, TelField
from wtforms.validators import Email, Length, Optional

from app.core.forms import BaseForm, InputRequired, MobileNumber
from surveys.models import Question, QuestionKind

# Posted fields that hold no words a young person typed.
_NOT_TYPED = frozenset({"csrf_token", "action", "choice", "choices"})


def typed_words(form: MultiDict) -> list[str]:
    """Everything typed on a question's page, whatever the answer keeps of it: screened for a
    risk (surveys.engine.save_answer's ``said``), so words typed and then skipped, or in the
    "other" box beside another choice, or refused as an answer, still reach the lead."""
    return [value for key, value in form.items(multi=True) if key not in _NOT_TYPED and value]


def raw_answer(question: Question, form: MultiDict) -> dict:
    """Collect the posted fields for one question into the engine's raw-answer shape."""
    kind = question.kind_enum
    if kind == QuestionKind.DATE_OF_BIRTH:
        return {part: form.get(part, "")[:10] for part in ("day", "month", "year")}
    if kind in (QuestionKind.SINGLE_CHOICE, QuestionKind.YES_NO_UNSURE):
        return {"choice": form.get("choice"), "other": form.get("other", "")}
    if kind == QuestionKind.MULTI_CHOICE:
        return {"choices": form.getlist("choices"), "other": form.get("other", "")}
    if kind == QuestionKind.SHORT_ITEMS:
        return {"items": [form.get(f"item-{i}", "") for i in range(1, question.max_items + 1)]}
    if kind == QuestionKind.LONG_TEXT:
        return {"text": form.get("text", "")}
    if kind == QuestionKind.SCALE:
        return {"score": form.get("score", "")}
    return {}


class ResumeForm(BaseForm):
    code = StringField(
        "Your code",
        widget=GovTextInput(),
        description="It looks like ABCD-EFGH-JKMN",
        validators=[InputRequired("Enter the code you were given"), Length(max=40)],
    )
    submit = SubmitField("Carry on", widget=GovSubmitInput())


class ContactRequestForm(BaseForm):
    kind = HiddenField()
    name = StringField(
        "Your name",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter your name, or the name you like to be called"),
            Length(max=120, message="Your name must be 120 characters or fewer"),
        ],
    )
    phone = TelField(
        "Mobile number (optional)",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=40, message="Enter a mobile number, like 07700 900123"),
            MobileNumber(),
        ],
    )
    email = EmailField(
        "Email address (optional)",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Email("Enter an email address like name@example.com"),
            Length(max=254),
        ],
    )
    consent = BooleanField(
        "I agree that the leaving care team can keep my name and contact details to get in "
        "touch with me about this",
        widget=GovCheckboxInput(),
        validators=[InputRequired("Tick the box to say we can keep your details")],
    )
    submit = SubmitField("Send my details", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.phone.data or "").strip() and not (self.email.data or "").strip():
            self.phone.errors = [
                *self.phone.errors,
                "Enter a mobile number or an email address so we can reach you",
            ]
            return False
        return valid
