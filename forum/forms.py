"""Forms for the forum and "you said, we did". Messages say how to fix it, in plain English."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Email, Length, Optional, StopValidation

from app.core.forms import BaseForm, InputRequired, MobileNumber
from forum.models import (
    CONTACT_PREFERENCES,
    MEMBER_ROLE_LABELS,
    MILESTONE_STATUS_LABELS,
    PAYMENT_TYPES,
    SOURCE_LABELS,
    STATUS_LABELS,
)
from surveys.rounds.forms import GovDateField


class OptionalDateField(GovDateField):
    """A GOV.UK date that may be left blank."""

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


class IdChoice(SelectField):
    """A select of database ids, where 0 means "none", that never fails on a bad value."""

    def __init__(self, label, **kwargs):
        super().__init__(label, widget=GovSelect(), coerce=int, validate_choice=False, **kwargs)

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "") or "0"
        self.data = int(raw) if raw.strip().isdigit() and len(raw) < 10 else 0

    def pre_validate(self, form):
        if self.data and self.data not in {value for value, _ in self.choices or []}:
            raise StopValidation("Choose from the list")


class MoneyField(StringField):
    """Pounds and pence ("10" or "10.50"), held as pence."""

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip().lstrip("£")
        self.pence = 0
        if not raw:
            return super().process_formdata(valuelist)
        try:
            pounds, _, pence = raw.partition(".")
            if (not pounds.isdigit() and pounds != "") or (pence and not pence.isdigit()):
                raise ValueError
            if len(pence) > 2 or len(pounds) > 5:
                raise ValueError
            self.pence = int(pounds or 0) * 100 + int((pence + "00")[:2] if pence else 0)
        except ValueError:
            self.data = raw[:20]
            raise ValueError("Enter an amount in pounds, like 10 or 7.50") from None
        self.data = raw


class MemberForm(BaseForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[InputRequired("Enter the member's name"), Length(max=120)],
    )
    preferred_name = StringField(
        "Preferred name (optional)",
        widget=GovTextInput(),
        description="What they like to be called",
        validators=[Length(max=120, message="Use 120 characters or fewer")],
    )
    phone = StringField(
        "Mobile number (optional)",
        widget=GovTextInput(),
        validators=[Length(max=40, message="Use 40 characters or fewer"), MobileNumber()],
    )
    email = StringField(
        "Email address (optional)",
        widget=GovTextInput(),
        validators=[
            Optional(),
            Length(max=254),
            Email("Enter an email address like name@example.com"),
        ],
    )
    contact_preference = RadioField(
        "How they want to hear from us",
        widget=GovRadioInput(),
        choices=list(CONTACT_PREFERENCES.items()),
        default="sms",
        validators=[InputRequired("Choose how they want to hear from us")],
    )
    date_of_birth = OptionalDateField(
        "Date of birth (optional)",
        "date of birth",
        description="So we know when they turn 25 and move on. For example, 27 3 2004",
    )
    roles = SelectMultipleField(
        "Roles",
        widget=GovCheckboxesInput(),
        choices=[(r.value, label) for r, label in MEMBER_ROLE_LABELS.items()],
        default=["member"],
        validators=[InputRequired("Choose at least one role")],
    )
    joined_on = GovDateField("Joined", "date they joined")
    left_on = OptionalDateField("Left (optional)", "date they left")
    consent_contact = BooleanField(
        "Agrees to be contacted (meetings and updates)", widget=GovCheckboxInput()
    )
    consent_photos = BooleanField("Agrees to photos", widget=GovCheckboxInput())
    consent_quotes = BooleanField("Agrees to be quoted", widget=GovCheckboxInput())
    submit = SubmitField("Save member", widget=GovSubmitInput())

    def validate_left_on(self, field):
        if field.data and self.joined_on.data and field.data < self.joined_on.data:
            raise StopValidation("The date they left must be on or after the date they joined")

    def validate_contact_preference(self, field):
        if field.data == "sms" and self.consent_contact.data and not self.phone.data.strip():
            raise StopValidation("Enter a mobile number, or choose another way to hear from us")
        if field.data == "email" and self.consent_contact.data and not self.email.data.strip():
            raise StopValidation("Enter an email address, or choose another way to hear from us")


class MeetingForm(BaseForm):
    held_on = GovDateField("Date of the meeting", "date of the meeting")
    place = StringField(
        "Place",
        widget=GovTextInput(),
        description="Where it was, or the online service used",
        validators=[InputRequired("Enter where the meeting was"), Length(max=200)],
    )
    online = BooleanField("The meeting was online", widget=GovCheckboxInput())
    agenda = TextAreaField(
        "Agenda",
        widget=GovTextArea(),
        validators=[Length(max=5000, message="Use 5,000 characters or fewer")],
    )
    notes = TextAreaField(
        "Notes",
        widget=GovTextArea(),
        validators=[Length(max=20000, message="Use 20,000 characters or fewer")],
    )
    submit = SubmitField("Save meeting", widget=GovSubmitInput())


class AttendanceForm(BaseForm):
    present = BooleanField("Came to the meeting", widget=GovCheckboxInput())
    amount = MoneyField("Amount given (£)", widget=GovTextInput())
    payment_type = SelectField(
        "Type",
        widget=GovSelect(),
        choices=list(PAYMENT_TYPES.items()),
        default="voucher",
        validate_choice=False,
    )
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate_payment_type(self, field):
        if field.data not in PAYMENT_TYPES:
            raise StopValidation("Choose voucher, cash or bank transfer")


class ItemForm(BaseForm):
    source = RadioField(
        "Where it came from",
        widget=GovRadioInput(),
        choices=[(s.value, label) for s, label in SOURCE_LABELS.items()],
        validators=[InputRequired("Choose where this came from")],
    )
    theme_id = IdChoice("Survey theme", description="For items from the survey")
    meeting_id = IdChoice("Forum meeting", description="For items raised at a forum meeting")
    text = TextAreaField(
        "What young people said",
        widget=GovTextArea(),
        description=(
            "In plain English, as they would put it. For example: "
            '"We want help with bills before we move into our own flat"'
        ),
        validators=[
            InputRequired("Write what young people said"),
            Length(max=1000, message="Use 1,000 characters or fewer"),
        ],
    )
    topic = StringField(
        "Heading on the public page (optional)",
        widget=GovTextInput(),
        description="Leave blank to use the theme's name",
        validators=[Length(max=120, message="Use 120 characters or fewer")],
    )
    quote_id = IdChoice(
        "Quote (optional)",
        description="Only quotes approved for public use can go on the public page",
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class ActionForm(BaseForm):
    what = TextAreaField(
        "What will be done",
        widget=GovTextArea(),
        description="Plain English: young people will read it",
        validators=[
            InputRequired("Say what will be done"),
            Length(max=1000, message="Use 1,000 characters or fewer"),
        ],
    )
    owner_id = IdChoice("Owner")
    owner_team = StringField(
        "Team",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the team"),
            Length(max=120, message="Use 120 characters or fewer"),
        ],
    )
    due_on = GovDateField("Due date", "due date", description="For example, 31 3 2027")
    confirm_past = BooleanField("Yes, the due date is in the past", widget=GovCheckboxInput())
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=[(s.value, label) for s, label in STATUS_LABELS.items()],
        default="not_started",
        validators=[InputRequired("Choose a status")],
    )
    wont_do_reason = TextAreaField(
        "If we won't do it, why not",
        widget=GovTextArea(),
        validators=[Length(max=1000, message="Use 1,000 characters or fewer")],
    )
    milestone_id = IdChoice("Plan milestone (optional)")
    evidence = TextAreaField(
        "Evidence links (optional)",
        widget=GovTextArea(),
        description="One web address a line",
        validators=[Length(max=4000, message="Use 4,000 characters or fewer")],
    )
    version = HiddenField(default="0")
    submit = SubmitField("Save action", widget=GovSubmitInput())

    def validate_owner_id(self, field):
        if not field.data:
            raise StopValidation("Choose the owner")

    def validate_wont_do_reason(self, field):
        if self.status.data == "wont_do" and not (field.data or "").strip():
            raise StopValidation("Say why this will not be done: young people will see the reason")

    def validate_evidence(self, field):
        for line in self.links():
            if not (line.startswith("https://") or line.startswith("http://")) or " " in line:
                raise StopValidation("Each evidence link must be a web address starting https://")

    def links(self) -> list[str]:
        return [line.strip() for line in (self.evidence.data or "").splitlines() if line.strip()]

    def seen_version(self) -> int:
        value = (self.version.data or "0").strip()
        return int(value) if value.isdigit() and len(value) < 10 else -1


class StatusForm(BaseForm):
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=[(s.value, label) for s, label in STATUS_LABELS.items()],
        validators=[InputRequired("Choose a status")],
    )
    reason = StringField(
        "Reason (for won't do)", widget=GovTextInput(), validators=[Length(max=1000)]
    )
    version = HiddenField(default="0")
    submit = SubmitField("Change status", widget=GovSubmitInput())

    def seen_version(self) -> int:
        value = (self.version.data or "0").strip()
        return int(value) if value.isdigit() and len(value) < 10 else -1


class ProgressForm(BaseForm):
    text = TextAreaField(
        "Progress update",
        widget=GovTextArea(),
        validators=[
            InputRequired("Write what has happened"),
            Length(max=2000, message="Use 2,000 characters or fewer"),
        ],
    )
    submit = SubmitField("Add update", widget=GovSubmitInput())


class RatingForm(BaseForm):
    rating = RadioField(
        "Rating",
        widget=GovRadioInput(),
        choices=[
            ("", "Work it out from the status and dates"),
            ("red", "Red"),
            ("amber", "Amber"),
            ("green", "Green"),
        ],
        validate_choice=False,
        default="",
    )
    reason = StringField(
        "Why you are changing it", widget=GovTextInput(), validators=[Length(max=500)]
    )
    version = HiddenField(default="0")
    submit = SubmitField("Save rating", widget=GovSubmitInput())

    def validate_rating(self, field):
        if field.data not in ("", "red", "amber", "green", None):
            raise StopValidation("Choose red, amber or green")

    def validate_reason(self, field):
        if self.rating.data and not (field.data or "").strip():
            raise StopValidation("Say why you are changing the rating")

    def seen_version(self) -> int:
        value = (self.version.data or "0").strip()
        return int(value) if value.isdigit() and len(value) < 10 else -1


class ForumCheckForm(BaseForm):
    member_ids = SelectMultipleField(
        "Members who checked it",
        widget=GovCheckboxesInput(),
        coerce=int,
        choices=[],
        validate_choice=False,
    )
    submit = SubmitField("Record the forum's check", widget=GovSubmitInput())


class MilestoneForm(BaseForm):
    title = StringField(
        "Milestone",
        widget=GovTextInput(),
        validators=[
            InputRequired("Enter the milestone"),
            Length(max=200, message="Use 200 characters or fewer"),
        ],
    )
    owner = StringField(
        "Owner (optional)",
        widget=GovTextInput(),
        description="The person or team who answers for it",
        validators=[Length(max=120, message="Use 120 characters or fewer")],
    )
    due_on = OptionalDateField("Due (optional)", "due date")
    submit = SubmitField("Add milestone", widget=GovSubmitInput())


class MilestoneEditForm(MilestoneForm):
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=[(s.value, label) for s, label in MILESTONE_STATUS_LABELS.items()],
        validators=[InputRequired("Choose a status")],
    )
    submit = SubmitField("Save milestone", widget=GovSubmitInput())


class RetireForm(BaseForm):
    reason = StringField(
        "Why it is being retired",
        widget=GovTextInput(),
        validators=[
            InputRequired("Say why this milestone is being retired"),
            Length(max=500, message="Use 500 characters or fewer"),
        ],
    )
    submit = SubmitField("Retire milestone", widget=GovSubmitInput())


def _plan_text(label: str, description: str = "", limit: int = 4000) -> TextAreaField:
    return TextAreaField(
        label,
        widget=GovTextArea(),
        description=description,
        validators=[Length(max=limit, message=f"Use {limit:,} characters or fewer")],
    )


class PlanForm(BaseForm):
    aims = _plan_text("Aims", "What the plan is for, in a few sentences")
    lead = StringField(
        "Plan lead",
        widget=GovTextInput(),
        validators=[Length(max=200, message="Use 200 characters or fewer")],
    )
    resources = _plan_text("Resources", "People, money and time the plan has")
    timeline = _plan_text("Timeline", "For example, April 2027 to March 2028")
    public_summary = _plan_text(
        "Summary for young people",
        "Shown on the public \u201cyou said, we did\u201d page. Short sentences, no jargon",
        1000,
    )
    submit = SubmitField("Save the plan", widget=GovSubmitInput())


class ObjectiveForm(BaseForm):
    text = TextAreaField(
        "Objective",
        widget=GovTextArea(),
        validators=[
            InputRequired("Enter the objective"),
            Length(max=1000, message="Use 1,000 characters or fewer"),
        ],
    )
    success_measure = _plan_text("What success will mean", "How you will know", 1000)
    target = StringField(
        "Target",
        widget=GovTextInput(),
        description="For example, 60% say they feel they belong by March 2028",
        validators=[Length(max=200, message="Use 200 characters or fewer")],
    )
    submit = SubmitField("Save objective", widget=GovSubmitInput())


class UpdateForm(BaseForm):
    body = TextAreaField(
        "Your update",
        widget=GovTextArea(),
        description=(
            "Short and plain: it goes by text message. We add a link to the page and how to stop."
        ),
        validators=[
            InputRequired("Write the update"),
            Length(max=240, message="Use 240 characters or fewer"),
        ],
    )
    # Set when the update passes on a board reply (the board meeting page links here).
    board_reply = HiddenField()
    submit = SubmitField("Check the update", widget=GovSubmitInput())
