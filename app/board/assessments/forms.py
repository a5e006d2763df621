"""Forms for self-assessments: a new round, one group's answers, the critical friend's ratings.

The answers form is built from the framework (one radio group and the evidence boxes for each
statement); its fields are named by the statement's position (``s3_score``, ``s3_evidence``),
since statement keys may hold characters a field name may not. ``version`` carries the version
the page was opened at (see services.save_answers).
"""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import HiddenField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from app.board.assessments.frameworks import Framework, frameworks
from app.board.assessments.models import AssessmentRound, SelfAssessment
from app.core.forms import BaseForm, InputRequired
from surveys.rounds.forms import GovDateField, WholeNumberField

NOT_SCORED = ""


class RoundForm(BaseForm):
    framework = SelectField("Framework", widget=GovSelect(), choices=[])
    held_on = GovDateField("Date of the assessment", "date of the assessment")
    name = StringField(
        "Name",
        widget=GovTextInput(),
        description="For example, Autumn 2026",
        validators=[InputRequired("Enter a name, like Autumn 2026"), Length(max=120)],
    )
    submit = SubmitField("Start the assessment", widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.framework.choices = [(f.key, f.title) for f in frameworks().values()]


class AnswersForm(BaseForm):
    version = HiddenField()
    people = WholeNumberField(
        "How many people took part (optional)",
        widget=GovTextInput(),
        description="A number only. Do not write anyone's name anywhere on this page.",
        validators=[Optional(), NumberRange(0, 10000, "Enter a number from 0 to 10,000")],
    )
    notes = TextAreaField(
        "Notes (optional)",
        widget=GovTextArea(),
        validators=[Length(max=5000, message="Use 5,000 characters or fewer")],
    )
    submit = SubmitField("Save answers", widget=GovSubmitInput())


def answers_form(framework: Framework, target: SelfAssessment, formdata=None) -> AnswersForm:
    """The answers form for ``framework``, filled from ``target`` (or from the post)."""

    class Form(AnswersForm):
        pass

    choices = [(str(p.value), f"{p.value} {p.label}") for p in framework.scale]
    for index, statement in enumerate(framework.statements):
        setattr(
            Form,
            f"s{index}_score",
            RadioField(
                statement.text,
                widget=GovRadioInput(),
                choices=[*choices, (NOT_SCORED, "Not scored")],
                default=NOT_SCORED,
            ),
        )
        for evidence in framework.evidence:
            setattr(
                Form,
                f"s{index}_{evidence.key}",
                TextAreaField(
                    evidence.label,
                    widget=GovTextArea(),
                    description=evidence.hint,
                    validators=[Length(max=3000, message="Use 3,000 characters or fewer")],
                ),
            )
    saved = {a.statement: a for a in target.answers}
    data: dict[str, object] = {
        "version": str(target.version),
        "people": target.people,
        "notes": target.notes,
    }
    for index, statement in enumerate(framework.statements):
        answer = saved.get(statement.key)
        data[f"s{index}_score"] = (
            str(answer.score) if answer is not None and answer.score is not None else NOT_SCORED
        )
        for evidence in framework.evidence:
            data[f"s{index}_{evidence.key}"] = (
                (answer.evidence or {}).get(evidence.key, "") if answer else ""
            )
    if formdata is None:
        return Form(formdata=None, data=data)
    return Form(formdata=formdata)


def submitted(
    framework: Framework, form: AnswersForm
) -> tuple[dict[str, int | None], dict[str, dict[str, str]]]:
    """(scores, evidence) by statement key, from a validated answers form."""
    scores: dict[str, int | None] = {}
    evidence: dict[str, dict[str, str]] = {}
    for index, statement in enumerate(framework.statements):
        raw = form[f"s{index}_score"].data or NOT_SCORED
        scores[statement.key] = int(raw) if raw != NOT_SCORED else None
        evidence[statement.key] = {
            e.key: form[f"s{index}_{e.key}"].data or "" for e in framework.evidence
        }
    return scores, evidence


def expected_version(form: AnswersForm | FriendForm) -> int:
    raw = (form.version.data or "").strip()
    return int(raw) if raw.isdigit() else -1  # a missing version is never current


RATING = [Optional(), NumberRange(0, 10, "Enter a rating from 0 to 10")]


class FriendForm(BaseForm):
    version = HiddenField()
    friend = StringField(
        "Critical friend (optional)",
        widget=GovTextInput(),
        description="Their role or organisation, for example a leaving care manager elsewhere",
        validators=[Length(max=160)],
    )
    rating_now_label = StringField(
        "Name of the first rating",
        widget=GovTextInput(),
        validators=[InputRequired("Enter a name for the first rating"), Length(max=160)],
    )
    rating_now = WholeNumberField("First rating, 0 to 10", widget=GovTextInput(), validators=RATING)
    comment_now = TextAreaField(
        "Comment on the first rating",
        widget=GovTextArea(),
        validators=[Length(max=5000, message="Use 5,000 characters or fewer")],
    )
    rating_improving_label = StringField(
        "Name of the second rating",
        widget=GovTextInput(),
        validators=[InputRequired("Enter a name for the second rating"), Length(max=160)],
    )
    rating_improving = WholeNumberField(
        "Second rating, 0 to 10", widget=GovTextInput(), validators=RATING
    )
    comment_improving = TextAreaField(
        "Comment on the second rating",
        widget=GovTextArea(),
        validators=[Length(max=5000, message="Use 5,000 characters or fewer")],
    )
    submit = SubmitField("Save the ratings", widget=GovSubmitInput())


def friend_form(assessment_round: AssessmentRound, formdata=None) -> FriendForm:
    if formdata is not None:
        return FriendForm(formdata=formdata)
    return FriendForm(
        formdata=None,
        data={
            "version": str(assessment_round.friend_version),
            "friend": assessment_round.friend,
            "rating_now_label": assessment_round.rating_now_label,
            "rating_now": assessment_round.rating_now,
            "comment_now": assessment_round.comment_now,
            "rating_improving_label": assessment_round.rating_improving_label,
            "rating_improving": assessment_round.rating_improving,
            "comment_improving": assessment_round.comment_improving,
        },
    )
