"""Forms for the questionnaire editor. The rules live in services.py; these check the shape."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import HiddenField, RadioField, StringField, SubmitField, TextAreaField
from wtforms.validators import AnyOf, Length, Optional, ValidationError

from app.core.forms import BaseForm, InputRequired
from surveys.editor.services import KIND_LABELS, SMS_MAX, QuestionWording
from surveys.engine import MAX_ITEMS

KIND_MESSAGE = "Choose what kind of answer the question asks for"
KIND_CHOICES = [(kind.value, label) for kind, label in KIND_LABELS.items()]
OPTIONS_HINT = (
    "Write one answer a line, starting with its number and a colon, like '1: Male'. "
    "Results are counted by number, so keep an answer's number when you change its words. "
    "Add ' [other]' at the end of the answer that asks people to describe it, "
    "like '6: Other [other]'. A line with no number gets the next free one."
)


def _at_most(limit: int, what: str) -> Length:
    return Length(max=limit, message=f"{what} must be {limit} characters or fewer")


def _whole_number(_form, field) -> None:
    text = str(field.data or "").strip()
    if text and not (text.isdigit() and len(text) <= 2):
        raise ValidationError(f"Enter a whole number from 1 to {MAX_ITEMS}, like 3")


class QuestionnaireDetailsForm(BaseForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        validators=[InputRequired("Enter a title"), _at_most(200, "The title")],
    )
    introduction = TextAreaField(
        "Introduction",
        widget=GovTextArea(),
        description="Shown before the first question. Leave a blank line between paragraphs.",
        validators=[Optional(), _at_most(5000, "The introduction")],
    )
    closing = TextAreaField(
        "Closing words",
        widget=GovTextArea(),
        description="Shown after the last question.",
        validators=[Optional(), _at_most(2000, "The closing words")],
    )
    submit = SubmitField("Save changes", widget=GovSubmitInput())


class QuestionKindForm(BaseForm):
    """Step 1 of adding a question: what kind of answer it asks for (sent with GET)."""

    class Meta:
        csrf = False

    kind = RadioField(
        "What kind of answer does the question ask for?",
        widget=GovRadioInput(),
        description="You cannot change this later: a different kind of answer is a new question.",
        choices=KIND_CHOICES,
        validate_choice=False,
        validators=[
            InputRequired(KIND_MESSAGE),
            AnyOf([value for value, _label in KIND_CHOICES], KIND_MESSAGE),
        ],
    )
    submit = SubmitField("Continue", widget=GovSubmitInput())


class QuestionForm(BaseForm):
    """A question's wording. The page shows only the fields its kind uses."""

    section = StringField(
        "Section",
        widget=GovTextInput(),
        description="A heading shared by questions next to each other, like 'Your experience'",
        validators=[Optional(), _at_most(100, "The section")],
    )
    web_text = TextAreaField(
        "Question (online)",
        widget=GovTextArea(),
        validators=[InputRequired("Enter the question as people will see it online")],
    )
    hint = TextAreaField(
        "Hint",
        widget=GovTextArea(),
        description="Shown under the question online. Use it for prompts or examples.",
        validators=[Optional()],
    )
    options_text = TextAreaField(
        "Answers to choose from",
        widget=GovTextArea(),
        description=OPTIONS_HINT,
        validators=[Optional()],
    )
    max_items = StringField(
        "How many things to ask for",
        widget=GovTextInput(),
        description=f"From 1 to {MAX_ITEMS}. People may give fewer.",
        validators=[Optional(), _whole_number],
    )
    scale_min_label = StringField(
        "What 0 means",
        widget=GovTextInput(),
        description="For example, 'Not at all'",
        validators=[Optional(), _at_most(60, "What 0 means")],
    )
    scale_max_label = StringField(
        "What 10 means",
        widget=GovTextInput(),
        description="For example, 'Completely'",
        validators=[Optional(), _at_most(60, "What 10 means")],
    )
    sms_text = TextAreaField(
        "Text message wording",
        widget=GovTextArea(),
        description="Include how to answer, like 'Reply 1 or 2, or SKIP'. "
        "One text holds 160 characters, or 70 if it has curly quotes or emoji.",
        validators=[Optional(), _at_most(SMS_MAX, "The text message wording")],
    )
    paper_text = TextAreaField(
        "Paper and phone wording",
        widget=GovTextArea(),
        validators=[Optional()],
    )
    submit = SubmitField("Save question", widget=GovSubmitInput())

    def wording(self, current_max_items: int = 3) -> QuestionWording:
        max_items = str(self.max_items.data or "").strip()
        return QuestionWording(
            web_text=self.web_text.data or "",
            section=self.section.data or "",
            hint=self.hint.data or "",
            sms_text=self.sms_text.data or "",
            paper_text=self.paper_text.data or "",
            options_text=self.options_text.data or "",
            max_items=int(max_items)
            if max_items.isdigit() and len(max_items) <= 2
            else current_max_items,
            scale_min_label=self.scale_min_label.data or "",
            scale_max_label=self.scale_max_label.data or "",
        )


class NewQuestionForm(QuestionForm):
    """Step 2 of adding a question: its code and wording."""

    kind = HiddenField()
    code = StringField(
        "Code",
        widget=GovTextInput(),
        description="Used in results and on paper. We suggest the next free local code.",
        validators=[InputRequired("Enter a code, like L1"), _at_most(16, "The code")],
    )
    submit = SubmitField("Add question", widget=GovSubmitInput())
