"""Every model module, imported in one place so migrations and tests see the whole schema."""

from app.board.assessments.models import (
    AssessmentAnswer,
    AssessmentEdit,
    AssessmentRound,
    SelfAssessment,
)
from app.board.benchmark.models import BenchmarkFile, BenchmarkSettings, BenchmarkSigner
from app.board.front_page import FrontPage  # noqa: F401 - issue 23's tables
from app.board.models import BoardMeeting, BoardPack, BoardRequest, ReferenceFigure
from app.board.outcomes.models import OutcomeComparison, OutcomeFigure, OutcomeTarget
from app.board.pack_requests import PackRequest  # noqa: F401
from app.messaging.models import OptOut, OutboundMessage, SmsRateLimit, UnreachableNumber
from app.outreach.contacts.models import Contact, ContactMapping, ContactMessage, ContactUpload
from app.outreach.invitations.letter_runs import LetterRun
from app.outreach.invitations.models import Invitation, ReminderSchedule
from app.staff.audit.models import AuditEvent
from app.staff.auth.models import StaffUser
from app.staff.authority.models import AuthoritySettings
from forum.models import (
    Action,
    ActionUpdate,
    Attendance,
    ForumCheck,
    ForumMeeting,
    ForumMember,
    Milestone,
    UpdateNotice,
    YouSaid,
)
from forum.monitoring import ActionReview  # noqa: F401
from forum.presentations import ForumPresentation  # noqa: F401
from surveys.imports.models import ImportMapping, ImportUpload
from surveys.models import Answer, ContactRequest, Question, Questionnaire, Response, SurveyRound
from surveys.paper.models import KeyedEntry, PaperForm, PaperSettings
from surveys.safeguarding.models import SafeguardingFlag, ScreeningRule
from surveys.sms.models import InboundMessage, SmsConversation
from surveys.themes.models import Codebook, Coding, Quote, Theme
from surveys.translator.models import LanguageStatus, TranslationText

__all__ = [
    "Action",
    "ActionUpdate",
    "Answer",
    "AssessmentAnswer",
    "AssessmentEdit",
    "AssessmentRound",
    "Attendance",
    "AuditEvent",
    "AuthoritySettings",
    "BenchmarkFile",
    "BenchmarkSettings",
    "BenchmarkSigner",
    "BoardMeeting",
    "BoardPack",
    "BoardRequest",
    "Codebook",
    "Coding",
    "Contact",
    "ContactMapping",
    "ContactMessage",
    "ContactRequest",
    "ContactUpload",
    "ForumCheck",
    "ForumMeeting",
    "ForumMember",
    "ImportMapping",
    "ImportUpload",
    "InboundMessage",
    "Invitation",
    "KeyedEntry",
    "LanguageStatus",
    "LetterRun",
    "Milestone",
    "OptOut",
    "OutboundMessage",
    "OutcomeComparison",
    "OutcomeFigure",
    "OutcomeTarget",
    "PaperForm",
    "PaperSettings",
    "Question",
    "Questionnaire",
    "Quote",
    "ReferenceFigure",
    "ReminderSchedule",
    "Response",
    "SafeguardingFlag",
    "ScreeningRule",
    "SelfAssessment",
    "SmsConversation",
    "SmsRateLimit",
    "StaffUser",
    "SurveyRound",
    "Theme",
    "TranslationText",
    "UnreachableNumber",
    "UpdateNotice",
    "YouSaid",
]
