"""A survey conversation by text: what we reply to each inbound message.

``handle_inbound`` is the whole rule book, called by the webhook (and so by the phone simulator):
1. Idempotency: a MessageSid we have answered gets the stored TwiML again, and nothing else
   happens. Everything a text changes (its answer, the conversation, its InboundMessage row
   with the reply) is written in one transaction; a duplicate delivered at the same moment
   fails on the unique MessageSid and rolls back whole, then answers with the first one's reply.
   Another text from the same number committed in between (its answer to the same question, its
   BELONG's conversation, its STOP) fails this one's commit the same way: it is looked at again
   and answered from there (``ATTEMPTS``), so a phone sending two texts at once gets both
   answered.
2. Keywords first, in or out of a conversation (app.messaging.keywords, the one list): STOP
   and its plain phrasings ("please stop texting me") record an opt-out, end any conversation
   (an invited number's too, so nothing starts) and are confirmed once: Twilio's own opt-out
   handling answers its exact keywords (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT) and would
   block ours, so those get nothing from us; any other phrasing gets our confirmation when the
   opt-out is new. START or UNSTOP (or YES from an opted-out number) opts back in.
3. No conversation: the round's keyword (its slug, e.g. NB2026) or SMS_KEYWORD ("BELONG", the
   newest open round that takes texts) starts one; a number invited by text starts with any
   reply; anything else gets a short "Text BELONG to start" and nothing is stored but the SID.
4. In a conversation: one question per text in its SMS wording with how to answer, read by
   surveys.sms.parsing.read_reply. SKIP, BACK, HELP work at every question. When a reply cannot
   be read we ask once more, plainly; if it still cannot be read we skip the question and say
   BACK goes back to it, so nobody is stuck in a loop. Free text is screened by the engine like
   the web; a match puts the help numbers before the next question.
5. The end: the response is completed, the conversation row (the only hash -> response link) is
   deleted, and the reply thanks them with the "you said, we did" link. A conversation also ends
   when the round closes or after SMS_CONVERSATION_IDLE_DAYS without a message.
Wording is plain GSM-7 text (no curly quotes), so a question stays one text where it can. We say
nothing about what texts cost, rather than something that may not be true for every network.

Languages (app/core/languages.py): "LANG" gets the list of languages, each in its own words, and
"LANG XB" (a language's ``sms_code``) or a language's own survey keyword (``sms_keywords``)
starts the survey in that language, or carries on in it. The conversation keeps the code, and
every reply is made inside ``languages.speaking(code)``: our wording through gettext (marked
``_``, or ``N_`` where defined), help and safeguarding wording through ``_help`` (translated only
in a checked language), the question from the translation data (``translations.sms_wording``).
The reply words (SKIP, BACK, YES...) stay the English ones in every language; the reader folds
accents, so the test language's "ŠĶÎP" reads as SKIP. Re-ask hints the reader builds from
pieces fall back to English where the whole hint has no translation.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from xml.sax.saxutils import escape

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.core import phones
from app.core.clock import utcnow
from app.core.extensions import db, scrub_deleted
from app.core.languages import N_, Language, by_sms_code, by_sms_keyword, current, offered, speaking
from app.core.languages import gettext as _
from app.core.languages import help_text as _help
from app.core.text import fold
from app.messaging import services as messaging
from app.messaging.encoding import segments
from app.messaging.keys import phone_hashes, rekey
from app.messaging.keywords import STOP_CONFIRMATION, Keyword, classify, twilio_answers
from app.staff.authority.services import get_settings, settings_version, use_read_only_copy
from surveys import completion, engine, locked_questionnaires, translations
from surveys.engine import AnswerInvalid, SurveyClosed, UnknownQuestion
from surveys.models import (
    Channel,
    Question,
    QuestionKind,
    Response,
    RoundStatus,
    SurveyRound,
)
from surveys.safeguarding import services as safeguarding
from surveys.sms.models import InboundMessage, SmsConversation
from surveys.sms.parsing import Command, read_reply

MAX_BODY = 1600  # Twilio's limit for one message
BUSY_SECONDS = 30
# Looks a text may take: another text from the number committed first each time before the last
# would mean a phone sending many at once; the last conflict is then raised (Twilio retries).
ATTEMPTS = 3

HOW_TO_ANSWER = {
    QuestionKind.DATE_OF_BIRTH: N_("Reply like 27/3/2007, or SKIP."),
    QuestionKind.SINGLE_CHOICE: N_("Reply with a number, or SKIP."),
    QuestionKind.MULTI_CHOICE: N_("Reply with one or more numbers, or SKIP."),
    QuestionKind.SHORT_ITEMS: N_("Send 1 to 3 things, or SKIP."),
    QuestionKind.LONG_TEXT: N_("Reply in your own words, or SKIP."),
    QuestionKind.YES_NO_UNSURE: N_("Reply YES, NO or NOT SURE, or SKIP."),
    QuestionKind.SCALE: N_("Reply 0-10 or SKIP."),
}
LANG = "lang"  # "LANG" alone lists the languages; "LANG XB" chooses one


class InboundBusy(Exception):
    """The same MessageSid is being answered right now: ask Twilio to try again shortly."""


@dataclass(frozen=True)
class Inbound:
    message_sid: str
    from_number: str
    body: str
    num_media: int = 0
    # "twilio" (the reply goes back in the webhook's TwiML) or "notify" (sent through the API).
    provider: str = "twilio"


# --- Wording -------------------------------------------------------------------------------


def _authority():
    return get_settings()


def question_message(question: Question, number: int, total: int) -> str:
    """The SMS wording in the language being spoken, with how to answer if it does not say, and
    'n/9' if it still fits."""
    text = translations.sms_wording(question, current().code)
    if "skip" not in fold(text) and "reply" not in fold(text):
        how = _(HOW_TO_ANSWER[question.kind_enum])
        if question.kind_enum == QuestionKind.SINGLE_CHOICE and question.options:
            how = _("Reply 1-%(last)s or SKIP.", last=len(question.options))
        text = f"{text} {how}"
    numbered = f"{number}/{total} {text}"
    if segments(numbered)[1] <= segments(text)[1]:
        return numbered
    return text


def opening_message(survey_round: SurveyRound) -> str:
    total = len(survey_round.questions)
    text = _(
        "Hi from %(authority)s. Thank you for helping. This survey is anonymous: we do not ask "
        "your name. There are %(total)s questions. Reply SKIP to skip one, BACK to go back, "
        "HELP for help, STOP to stop.",
        authority=_authority().name,
        total=total,
    )
    if len(_by_text()) > 1:  # only where there is another language to choose by text
        text = f"{text} {_('Reply LANG for another language.')}"
    return text


def closing_message() -> str:
    link = f"{current_app.config['PUBLIC_BASE_URL']}/you-said-we-did"
    return _(
        "Thank you. Your answers have been sent. See what we do with them: %(link)s", link=link
    )


def _by_text() -> list[Language]:
    """The languages a person can choose by text, English among them: those with an
    ``sms_code`` (easy read, a web and paper edition, has none)."""
    return [lang for lang in offered() if lang.sms_code]


def language_list() -> str:
    """The languages offered by text, each named in its own words, and how to choose one."""
    choices = ", ".join(f"{lang.sms_code} {lang.name}" for lang in _by_text())
    return _("Reply LANG and the letters for your language: %(choices)s", choices=choices)


def _numbers() -> str:
    """The help numbers every help text carries: kept short so each reply fits 2 segments."""
    authority = _authority()
    team = (
        _help("Leaving care team %(phone)s.", phone=authority.duty_phone) + " "
        if authority.duty_phone
        else ""
    )
    night = (
        _help("Out of hours %(phone)s.", phone=authority.out_of_hours_phone) + " "
        if authority.out_of_hours_phone
        else ""
    )
    rest = _help("Samaritans 116 123. Text SHOUT to 85258. All free. In danger, call 999.")
    return f"{team}{night}{rest}"


def help_message() -> str:
    return _help(
        "Help: %(numbers)s Reply SKIP to skip, BACK to go back, STOP to stop.", numbers=_numbers()
    )


def help_now_message(level: str = "likely") -> str:
    if level == "possible":
        return _help(
            "If any of this is happening now, you can get help: %(numbers)s", numbers=_numbers()
        )
    return _help(
        "Thank you for telling us. Get help now: %(numbers)s You are still anonymous.",
        numbers=_numbers(),
    )


def start_hint() -> str:
    return _("Text %(keyword)s to start the survey.", keyword=current_app.config["SMS_KEYWORD"])


CLOSED = N_("This survey is closed. Thank you for wanting to take part.")
NO_SURVEY = N_("There is no survey to answer by text at the moment. Thank you.")
MEDIA = N_("Sorry, we can only read text. Please reply with words.")
TOO_LONG = N_("Sorry, that message is too long for us to read. Please send a shorter one.")
NOT_UNDERSTOOD = N_("Sorry, we did not understand that.")
SKIPPED_UNREAD = N_("We could not read that, so we skipped it. Reply BACK to try again.")
OPTED_IN = N_("You can get texts from us again.")


# --- Handling a message --------------------------------------------------------------------


TWIML_EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response />'
TWIML_MESSAGE = '<?xml version="1.0" encoding="UTF-8"?><Response><Message>{}</Message></Response>'


def twiml(messages: list[str]) -> str:
    """The TwiML the SDK's MessagingResponse writes for one message (or none), byte for byte,
    without building an XML tree for it: the text escaped as element content (& < >)."""
    text = "\n\n".join(m for m in messages if m)
    return TWIML_MESSAGE.format(escape(text)) if text else TWIML_EMPTY


def handle_inbound(
    inbound: Inbound,
    *,
    now: datetime | None = None,
    today: date | None = None,
    send_reply: Callable[[str, str], None] | None = None,
):
    """Answer one inbound text; return the TwiML reply (the same one for a retried MessageSid).

    A provider whose replies do not travel in the webhook's answer (GOV.UK Notify) passes
    ``send_reply(to, text)``: it is called once, after the answer is committed, and never for
    a retried id (which gets the stored TwiML back and sends nothing)."""
    now = now or utcnow()
    attempt = 0
    while True:
        attempt += 1
        found = _look_up(inbound)
        existing = _earlier_reply(found.earlier, now)
        if existing is not None:
            return existing
        try:
            text, reply = _answer(inbound, found, now=now, today=today)
        except (IntegrityError, StaleDataError):
            # Another delivery was committed between this one's look and its commit: a copy of
            # this text (its MessageSid, which the next look finds, with its reply), or another
            # text from the same number (its answer to the same question, its BELONG's
            # conversation, or its STOP or last answer, which ended the conversation this one
            # read). Nothing of this one was kept: look again and answer it from there.
            db.session.rollback()
            if attempt < ATTEMPTS:
                continue
            raise
        if found.conversation is not None and sa.inspect(found.conversation).was_deleted:
            scrub_deleted("sms_conversation")  # the ended link (finished, STOP...) leaves no trace
        if send_reply is not None and text:
            send_reply(inbound.from_number, text)
        return reply


def _answer(inbound: Inbound, found: _Found, *, now: datetime, today: date | None):
    """(the reply's words, its TwiML): everything the text changes, and the message's row with
    its reply, in one commit. IntegrityError if another delivery got in first (see above)."""
    with db.session.no_autoflush:
        messages, round_id = _respond(inbound, found, now=now, today=today)
    text = "\n\n".join(m for m in messages if m)
    reply = twiml(messages)
    # Then the writes, one after another and nothing else between them: on SQLite a
    # transaction holds the database's one write lock from its first write to its commit, and
    # every other text and answer waits for it, so everything worked out above (the answer,
    # the next question, the reply) is worked out before the first write. The ORM's changes
    # first (the unit of work prepares its statements before taking the lock), then the
    # reply's count, then the message's row with its reply (one INSERT, without the unit of
    # work): a retry finds the reply, and a copy delivered at the same moment fails on the
    # unique MessageSid and rolls back whole.
    db.session.flush()
    if text:
        messaging.record_reply(text, round_id)
    db.session.connection().execute(
        _record_statement(), {"sid": inbound.message_sid, "at": now, "reply": reply}
    )
    db.session.commit()
    return text, reply


# The webhook's statements are built once, when first used, their parameters bound at each
# text: SQLAlchemy keeps a statement's cache key on the statement, so a text skips rebuilding
# each select (and its loader options) and working out its key again. Not built on import: the
# loader options configure every mapper, which needs every model imported.


@functools.cache
def _answered_statement() -> sa.Select[tuple[str | None, datetime]]:
    return sa.select(InboundMessage.reply_twiml, InboundMessage.received_at).where(
        InboundMessage.message_sid == sa.bindparam("sid")
    )


@functools.cache
def _record_statement() -> sa.Insert:
    return sa.insert(InboundMessage).values(
        message_sid=sa.bindparam("sid"),
        received_at=sa.bindparam("at"),
        reply_twiml=sa.bindparam("reply"),
    )


@functools.cache
def _conversation_statement() -> sa.Select[
    tuple[str | None, datetime, SmsConversation, bool, datetime, bool, int, datetime]
]:
    """Everything a text from a number we reply to asks first, in one statement (one round
    trip, not two): the reply already made to its MessageSid and when it came (both None if it
    is new), the number's conversation (None if it has none), whether it has opted out, when
    the authority's settings last changed (for their read-only copy: a reply reads them, never
    writes them), whether the text's word is a round's slug (most words from a number with
    no conversation, "hello", "hi?", name none) and the screening list's version (so
    screening the text asks nothing more). One row always, from a one-row anchor the
    message and the conversation (each unique, so at most one row each) are outer-joined to.
    A conversation's response comes with its round's row and the answers so far (an answer by
    text, the commonest text, reads nothing more: ``conversation.response`` and
    ``conversation_round`` find them in the session); the round's questionnaire comes from the
    process's copy of its locked version (``_with_questions``)."""
    anchor = sa.select(sa.literal(1).label("one")).subquery()
    rules_count, rules_changed = safeguarding.rules_version()
    return (
        sa.select(
            InboundMessage.reply_twiml,
            InboundMessage.received_at,
            SmsConversation,
            messaging.opted_out_clause().label("opted_out"),
            settings_version().label("settings_changed"),
            sa.exists().where(_names_round()).label("names_round"),
            rules_count.label("rules_count"),
            rules_changed.label("rules_changed"),
        )
        .select_from(anchor)
        .outerjoin(InboundMessage, InboundMessage.message_sid == sa.bindparam("sid"))
        .outerjoin(SmsConversation, SmsConversation.phone_hash == sa.bindparam("phone_hash"))
        .options(
            so.joinedload(SmsConversation.response).options(
                so.joinedload(Response.round), so.joinedload(Response.answers)
            )
        )
    )


@functools.cache
def _keyword_round_statements() -> tuple[
    sa.Select[tuple[SurveyRound]], sa.Select[tuple[SurveyRound]]
]:
    """(open rounds, the round a slug names): their own rows only; the questionnaire a round
    asks comes from the process's copy of its locked version (``_with_questions``). Whether a
    word is a round's slug at all was asked with the conversation (``_conversation_statement``)."""
    open_rounds = (
        sa.select(SurveyRound)
        .where(SurveyRound.status == RoundStatus.OPEN)
        .order_by(SurveyRound.opens_on.desc(), SurveyRound.id.desc())
    )
    return open_rounds, sa.select(SurveyRound).where(_names_round())


def _names_round() -> sa.ColumnElement[bool]:
    """The round whose slug is the text's word (the ``word`` parameter)."""
    return sa.func.upper(SurveyRound.slug) == sa.bindparam("word")


def _with_questions(survey_round: SurveyRound) -> SurveyRound:
    """The round with its locked questionnaire (and module) from surveys/locked_questionnaires.py,
    as the survey pages read it: a text reads the questions, never changes them."""
    return locked_questionnaires.attach(survey_round)


@dataclass(frozen=True)
class _Found:
    """What the database says about a text before it is answered (``_look_up``)."""

    earlier: tuple[str | None, datetime] | None  # (reply, received at) if its SID came before
    can_reply: bool  # a mobile that is not ours (never answer a short code: loops)
    phone_hash: str = ""  # the number's, under the current key (for a number we reply to)
    word: str = ""  # the text's letters and digits, upper case (a keyword or a round's slug)
    conversation: SmsConversation | None = None
    opted_out: bool = False
    names_round: bool = False


def _look_up(inbound: Inbound) -> _Found:
    """Whether the text's MessageSid came before and, for a number we reply to, its
    conversation, opt-out and whether its word names a round: one statement either way."""
    if not _can_reply_to(inbound.from_number):
        return _Found(earlier=_answered(inbound.message_sid), can_reply=False)
    number = inbound.from_number
    # The number is in hand: move what an old key made (opt-out, conversation) onto the new key.
    messaging.rekey_number(number)
    rekey(SmsConversation, [number])
    hashed, word = messaging.phone_hash(number), _word(inbound.body)
    reply, received_at, conversation, opted_out, settings_changed, names_round, *rules = (
        db.session.execute(
            _conversation_statement(),
            {
                "sid": inbound.message_sid,
                "phone_hash": hashed,
                "opt_out_hashes": phone_hashes(number),
                "word": word,
            },
        )
        .unique()
        .one()
    )
    use_read_only_copy(settings_changed)
    safeguarding.use_rules_version(*rules)
    return _Found(
        earlier=None if received_at is None else (reply, received_at),
        can_reply=True,
        phone_hash=hashed,
        word=word,
        conversation=conversation,
        opted_out=bool(opted_out),
        names_round=bool(names_round),
    )


def _answered(message_sid: str) -> tuple[str | None, datetime] | None:
    """(reply, received at) of a MessageSid that came before; None for a new one. Core, not
    the ORM: two columns, and nothing is waiting to be flushed before it."""
    record = db.session.connection().execute(_answered_statement(), {"sid": message_sid}).first()
    return None if record is None else (record[0], record[1])


def _earlier_reply(earlier: tuple[str | None, datetime] | None, now: datetime) -> str | None:
    """The TwiML to answer a MessageSid that came before with (None for a new one): the reply
    it got. A row without its reply (its reply cleared after SMS_INBOUND_REPLY_DAYS, or written
    by an earlier version, which committed a text's answer before its reply) gets nothing, so
    nothing is said twice; InboundBusy while such a row is new, as its reply may still come."""
    if earlier is None:
        return None
    reply, received_at = earlier
    if reply is None:
        if now - received_at < timedelta(seconds=BUSY_SECONDS):
            raise InboundBusy()
        return twiml([])  # its answer was saved but the reply was lost: say nothing twice
    return reply


def _can_reply_to(sender: str) -> bool:
    """Only a mobile number that is not the service's own gets a reply."""
    try:
        number = phones.normalise_mobile(sender)
    except phones.NumberInvalid:
        return False
    own = _own_number(current_app.config.get("TWILIO_FROM_NUMBER") or "")
    return own is None or number != own


def _from_ourselves(sender: str) -> bool:
    own = _own_number(current_app.config.get("TWILIO_FROM_NUMBER") or "")
    try:
        return own is not None and phones.normalise_number(sender) == own
    except phones.NumberInvalid:
        return False


@functools.lru_cache(maxsize=4)
def _own_number(configured: str) -> str | None:
    """The service's own number, parsed once per setting rather than once per text."""
    try:
        return phones.normalise_number(configured) if configured else None
    except phones.NumberInvalid:
        return None


def _word(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def _respond(inbound: Inbound, found: _Found, *, now: datetime, today: date | None):
    """The texts to reply with, and the round they belong to (for the cost figures)."""
    if not found.can_reply:  # a short code, a sender name, a landline or our own number
        if not _from_ourselves(inbound.from_number):
            _help_outside_a_survey(inbound.body, None)  # a person's words still reach the lead
        return [], None  # never answered (loops)
    conversation = found.conversation
    if conversation is not None and conversation.last_activity_at < now - timedelta(
        days=current_app.config["SMS_CONVERSATION_IDLE_DAYS"]
    ):
        _end(conversation)
        conversation = None
    asked, chosen = _language_asked(inbound.body)
    if chosen is not None and conversation is not None:
        conversation.language = None if chosen.code == "en" else chosen.code
    code = chosen.code if chosen else (conversation.language if conversation else None)
    with speaking(code):
        return _respond_in(inbound, found, conversation, asked, chosen, now=now, today=today)


def _language_asked(body: str) -> tuple[bool, Language | None]:
    """(whether the text asks about languages, the language it chooses): "LANG" lists them,
    "LANG XB" or a language's own survey keyword chooses one."""
    words = fold(body).split()
    if words and words[0] == LANG:
        return True, by_sms_code(" ".join(words[1:])) if len(words) > 1 else None
    return False, by_sms_keyword(body)


def _respond_in(
    inbound: Inbound,
    found: _Found,
    conversation: SmsConversation | None,
    asked: bool,
    chosen: Language | None,
    *,
    now: datetime,
    today: date | None,
):
    """``conversation``: the one ``found``, unless it had been idle too long (then ended)."""
    number, word, opted_out = inbound.from_number, found.word, found.opted_out
    keyword = classify(inbound.body)
    round_id = conversation.round_id if conversation else None
    if keyword == Keyword.STOP:
        return _stop(number, conversation, inbound), round_id
    if keyword == Keyword.START or (opted_out and word == "YES"):
        messaging.opt_in(number)
        if conversation is not None and conversation.response_id is not None:
            conversation.last_activity_at = now
            return [_(OPTED_IN), _ask(conversation)], round_id
        return [_(OPTED_IN), start_hint()], round_id
    in_progress = conversation is not None and conversation.response_id is not None
    if opted_out:
        # No survey texts (START opts back in); only help, for a risk in their words, which
        # the provider may still deliver (Twilio blocks only after its own STOP words).
        return _help_for_unread(conversation, inbound.body, round_id), round_id
    if inbound.num_media and not inbound.body.strip():  # a picture with words: read the words
        messages = [_(MEDIA)]
        if in_progress:
            assert conversation is not None  # for mypy: in_progress says so
            messages.append(_ask(conversation))
        return messages, round_id
    if len(inbound.body) > MAX_BODY:  # not read as an answer, but screened all the same
        return [*_help_for_unread(conversation, inbound.body, round_id), _(TOO_LONG)], round_id
    if asked and chosen is None:  # "LANG", or a text that begins with it ("lang day. ...")
        messages = [*_help_for_unread(conversation, inbound.body, round_id), language_list()]
        if in_progress:
            assert conversation is not None  # for mypy: in_progress says so
            conversation.last_activity_at = now
            messages.append(_ask(conversation))
        return messages, round_id

    if conversation is None or conversation.response_id is None:
        messages, round_id = _no_conversation(
            found.phone_hash, conversation, keyword, word, found.names_round, now, chosen
        )
        if _only_a_keyword(inbound.body, found, chosen):  # "BELONG": no words of theirs to screen
            return messages, round_id
        return [*_help_outside_a_survey(inbound.body, round_id), *messages], round_id
    if chosen is not None:  # carry on in the language just chosen
        conversation.last_activity_at = now
        return [_ask(conversation)], round_id
    survey_round = conversation_round(conversation)
    if not survey_round.is_open:  # no answer is kept now: a risk in the words is flagged alone
        _end(conversation)
        return [*_help_outside_a_survey(inbound.body, survey_round.id), _(CLOSED)], survey_round.id
    messages = _in_conversation(conversation, inbound, today)
    if not sa.inspect(conversation).deleted:  # still going (not finished, not stopped)
        # Set with its new place, after the answer's flush: one UPDATE of the row, not two.
        conversation.last_activity_at = now
    return messages, survey_round.id


def conversation_round(conversation: SmsConversation) -> SurveyRound:
    survey_round = db.session.get(SurveyRound, conversation.round_id)
    assert survey_round is not None  # round_id is a NOT NULL foreign key
    return _with_questions(survey_round)


def _keyword_round(word: str, names_round: bool) -> tuple[SurveyRound | None, bool]:
    """(the round a keyword names, whether the word is a keyword at all); ``names_round``:
    whether the word is a round's slug."""
    if not word:
        return None, False
    open_rounds, by_slug = _keyword_round_statements()
    if word == _word(current_app.config["SMS_KEYWORD"]):
        for candidate in db.session.scalars(open_rounds):
            if candidate.is_open and "sms" in (candidate.channels or []):
                return _with_questions(candidate), True
        return None, True
    if not names_round:
        return None, False
    survey_round = db.session.scalars(by_slug, {"word": word}).first()
    if survey_round is None or "sms" not in (survey_round.channels or []):
        return None, False
    return _with_questions(survey_round), True


def _stop(number: str, conversation: SmsConversation | None, inbound: Inbound) -> list[str]:
    """Opt out, end any conversation, and confirm it once (unless Twilio already has: Notify
    has no opt-out handling of its own, so through Notify every new opt-out is confirmed)."""
    new = messaging.opt_out(number)
    if conversation is not None:
        _end(conversation)
    answered = inbound.provider == "twilio" and twilio_answers(inbound.body)
    return [_(STOP_CONFIRMATION)] if new and not answered else []


def _no_conversation(
    hashed,
    invited,
    keyword: Keyword | None,
    word: str,
    names_round: bool,
    now: datetime,
    chosen: Language | None,
):
    if keyword == Keyword.HELP:
        return [help_message(), start_hint()], None
    survey_round, is_keyword = _keyword_round(word, names_round)
    if not is_keyword and invited is not None:
        survey_round, is_keyword = conversation_round(invited), True
    if not is_keyword and chosen is not None:  # choosing a language starts like BELONG
        survey_round, is_keyword = _keyword_round(_word(current_app.config["SMS_KEYWORD"]), False)
    if not is_keyword:
        return [start_hint()], None
    if survey_round is None:
        return [_(NO_SURVEY)], None
    if not survey_round.is_open:
        if invited is not None:
            _end(invited)
        return [_(CLOSED)], survey_round.id
    try:
        # Written with the conversation and the message's row, in handle_inbound's one commit.
        response = engine.start_response(survey_round, Channel.SMS, commit=False)
    except SurveyClosed:
        return [_(CLOSED)], survey_round.id
    first = engine.next_question(response)
    conversation = invited or SmsConversation(phone_hash=hashed)
    conversation.round_id = survey_round.id
    conversation.language = None if chosen is None or chosen.code == "en" else chosen.code
    conversation.response = response
    conversation.question_code = first.code if first else None
    conversation.asked_again = False
    conversation.last_activity_at = now
    db.session.add(conversation)
    return [opening_message(survey_round), _ask(conversation)], survey_round.id


def _response(conversation: SmsConversation) -> Response:
    # Asked only of a conversation with a response (just started, so not yet written), or with
    # a response_id, a foreign key that keeps its response.
    response = conversation.response
    assert response is not None
    return response


def _current(conversation: SmsConversation, response: Response) -> Question | None:
    if conversation.question_code:
        try:
            return engine.question_by_code(response, conversation.question_code)
        except UnknownQuestion:
            pass
    return engine.next_question(response)


def _ask(conversation: SmsConversation) -> str:
    response = _response(conversation)
    question = _current(conversation, response)
    if question is None:
        return ""
    number, total = engine.position(response, question)
    return question_message(question, number, total)


def _in_conversation(conversation: SmsConversation, inbound: Inbound, today: date | None):
    response = _response(conversation)
    question = _current(conversation, response)
    if question is None:
        return _finish(conversation, response, [])
    reading = read_reply(question, inbound.body, today=today)
    command = reading.command
    if command == Command.HELP:
        return [help_message(), _ask(conversation)]
    if command == Command.STOP:  # asked first in _respond; kept so the reader alone is enough
        return _stop(inbound.from_number, conversation, inbound)
    if command == Command.START:
        return [_ask(conversation)]
    if command == Command.BACK:
        before, _after = engine.neighbours(response, question)
        if before is not None:
            conversation.question_code = before.code
        conversation.asked_again = False
        return [_ask(conversation)]
    if command == Command.SKIP:
        engine.save_answer(response, question, None, skipped=True, commit=False)
        return _advance(conversation, response, [])
    value = None
    reason = reading.reason
    if command == Command.ANSWER:
        try:
            value = engine.validate(question, reading.raw or {})
        except AnswerInvalid as exc:
            reason = str(exc).replace("choose 'Skip this question'", "reply SKIP")
            # the engine's English; its translation where the catalogue has this exact wording
    if value is None:
        help_first = _help_for_words_beside(response, question, None, inbound.body)
        if conversation.asked_again:
            engine.save_answer(response, question, None, skipped=True, commit=False)
            return _advance(conversation, response, [*help_first, _(SKIPPED_UNREAD)])
        conversation.asked_again = True
        reason = _(reason) if reason else ""
        return [*help_first, f"{_(NOT_UNDERSTOOD)} {reason}".strip(), _ask(conversation)]
    result = engine.save_answer(response, question, value, commit=False)
    if result.level:
        help_first = [help_now_message(result.level)]
    else:
        help_first = _help_for_words_beside(response, question, value, inbound.body)
    return _advance(conversation, response, help_first)


def _help_for_words_beside(
    response: Response, question: Question, value: dict | None, body: str
) -> list[str]:
    """The help numbers, if the text's words disclose a risk that its answer does not keep.

    A reply to a question that keeps no words (a date of birth, a yes or no, a number), or one
    that cannot be read as an answer at all, is screened as it was sent: by text, people write
    what they need to say in whatever reply they are sending ("no. he hits me and I am scared
    to go home"). A match is flagged for the lead on this question's answer (skipped for now if
    there is none yet, and replaced when they answer), the words kept on the flag. Words the
    answer keeps (free text, an "other") were screened with it."""
    if engine.free_text(value):
        return []  # screened with the answer
    level = engine.flag_words_beside(response, question, [body], commit=False)
    return [help_now_message(level)] if level else []


def _help_for_unread(conversation: SmsConversation | None, body: str, round_id: int | None):
    """The help numbers, if a text not read as an answer (too long, beginning "LANG", from a
    number that opted out) discloses a risk: flagged on the question it was sent to while a
    survey is in progress, and alone otherwise."""
    if conversation is not None and conversation.response_id is not None:
        response = _response(conversation)
        question = _current(conversation, response)
        if question is not None:
            return _help_for_words_beside(response, question, None, body)
    return _help_outside_a_survey(body, round_id)


def _only_a_keyword(body: str, found: _Found, chosen: Language | None) -> bool:
    """Whether the whole text is the survey keyword or a round's name, its letters and digits
    ("BELONG", "belong!"), or chooses a language ("LANG XB", a language's own keyword: only
    whole texts do): fixed words, none of them the sender's own, so nothing in it to screen.
    Anything more ("BELONG he hits me", "BELONG 💀": a skull reads as "die") is screened."""
    if not (body.isascii() and _PLAIN_WORDS.fullmatch(body)):  # fullwidth "kms" is screened
        return False
    return (
        found.word == _word(current_app.config["SMS_KEYWORD"])
        or found.names_round
        or chosen is not None
    )


_PLAIN_WORDS = re.compile(r"[A-Za-z0-9\s.!?]+")  # letters, digits, spaces, a full stop or two


def _help_outside_a_survey(body: str, round_id: int | None) -> list[str]:
    """The help numbers first, if a text from a number in no conversation discloses a risk: a
    first text ("I want to kill myself"), one sent after finishing, one beside BELONG. There is
    no answer to flag it on: the flag keeps the words, the date and the round the text was
    about (``round_id``, if any), and nothing of the number. The young person is shown help at
    once, as on every other path."""
    level = safeguarding.flag_words([body], round_id)
    return [help_now_message(level)] if level else []


def _advance(conversation: SmsConversation, response: Response, before: list[str]):
    following = engine.next_question(response)
    conversation.asked_again = False
    if following is None:
        return _finish(conversation, response, before)
    conversation.question_code = following.code
    return [*before, _ask(conversation)]


def _finish(conversation: SmsConversation, response: Response, before: list[str]):
    # A sealed notice, applied later in a shuffled batch, stops an invited number's reminders.
    completion.seal(
        completion.Finished(round_id=conversation.round_id, phone_hash=conversation.phone_hash)
    )
    _end(conversation)  # the link goes in the same commit as the response's completion
    engine.complete(response, commit=False)  # handle_inbound commits, then scrubs the link
    return [*before, closing_message()]


def _end(conversation: SmsConversation) -> None:
    """End a conversation: delete the row, and with it the only hash -> response link."""
    db.session.delete(conversation)
    db.session.flush()
