"""The words a person can text us at any time: STOP (and plain ways of saying it), START, HELP.

This is the one list. The SMS conversation asks ``classify(body)`` before anything else, whether
or not the number is in a conversation (so "please stop texting me" from an invited number opts
out and starts nothing), and its reply reader (surveys.sms.parsing) asks the same function on
every question. The messaging layer owns the list because opting out is about texting, not
about surveys.

Matching is on the whole message, after ``app.core.text.fold`` (case, accents, punctuation and
emoji do not count), a sign-off ("stop x", "stop thanks") and repeated letters ("stopp"): so
"STOP!!! 🛑" is STOP but "stop moving me around" is not a keyword.

Decisions:
- STOP is Twilio's opt-out words (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE, OPTOUT)
  plus plain ways of saying it ("please stop", "stop texting me", "leave me alone"): we would
  rather stop than keep texting someone who asked us not to.
- Who confirms a STOP. Twilio's opt-out handling (on by default, and with Advanced Opt-Out)
  recognises only a single keyword as the whole message: it blocks the number, answers with its
  own confirmation, then passes the message on to us. For those exact words
  (``TWILIO_OPT_OUT_WORDS``: the word alone, any case, spaces around it) we reply nothing: our
  reply could not be delivered and would be a second confirmation. Every other way of saying
  STOP ("please stop texting me", "Stop.", "OPTOUT", "REVOKE", which Twilio's default list may
  not hold) gets ``STOP_CONFIRMATION`` from us, once: only when the opt-out is new. If Twilio
  did block the number after all, it simply does not deliver ours.
- START is only START or UNSTOP (Twilio's YES opts back in too; the conversation honours YES
  only from a number that has opted out, as YES is also an answer).
- HELP is HELP, INFO and "who is this?"-style questions. "help me" is not a keyword: on a
  free-text question it may be a disclosure, so the reply reader decides.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from app.core.languages import N_
from app.core.text import fold


class Keyword(StrEnum):
    STOP = "STOP"
    START = "START"
    HELP = "HELP"


# Twilio's own opt-out words: it answers these itself when one is the whole message.
TWILIO_OPT_OUT_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})

# In the catalogue: the conversation says it in the person's language (surveys/sms).
STOP_CONFIRMATION = N_("You will get no more texts from us. To get texts again, reply START.")

SIGN_OFF = re.compile(r"(?: (?:x+|thanks|thank you|thanx|thx|ta|cheers|tbh|lol|haha|mate))+$")


def without_sign_off(key: str) -> str:
    """ "boy x", "no nothing else thanks", "5 cheers": the sign-off is not part of the reply."""
    return SIGN_OFF.sub("", key) or key


def squash(key: str) -> str:
    """Repeated letters as one ("yesss", "noo", "deffo", "stopp") for matching word lists."""
    return re.sub(r"(\D)\1+", r"\1", key)


def match_key(text: Any) -> str:
    """What a whole message is matched against word lists on."""
    return squash(without_sign_off(fold(text)))


def phrases(*texts: str) -> frozenset[str]:
    """A word list, in the form ``match_key`` gives."""
    return frozenset(match_key(t) for t in texts)


STOP_PHRASES = phrases(
    "stop", "stopall", "stop all", "unsubscribe", "cancel", "end", "quit", "revoke", "optout",
    "opt out", "stop please", "please stop", "stop it", "stop now", "stop stop",
    "stop texting", "stop texting me", "stop messaging me", "stop messaging", "stop sending",
    "stop sending me messages", "stop sending me texts", "unsubscribe me", "dont text me",
    "dont text me again", "no more texts", "no more messages", "leave me alone",
)  # fmt: skip
# Matched against the squashed key, so doubled letters are written once ("mesages", "al").
STOP_PATTERN = re.compile(
    r"(?:please |pls |plz |just |can you |can u |wil you )*(?:stop|unsubscribe|cancel)"
    r"(?: (?:it|now|please|pls|plz|texting|mesaging|sending|contacting|texts|mesages|"
    r"me|us|them|these|the|al|of|this|survey|thanks|thank you|ta))*"
)
START_PHRASES = phrases("start", "unstop")
HELP_PHRASES = phrases(
    "help", "info", "information", "more info", "help please", "help pls", "helpp",
    "who is this", "whos this", "who are you", "who r u", "what is this", "whats this",
    "what is this about", "what is this for", "why are you texting me",
)  # fmt: skip


def classify(text: Any) -> Keyword | None:
    """The keyword a whole inbound text is, or None if it is not one."""
    key = match_key(text)
    if key in STOP_PHRASES or STOP_PATTERN.fullmatch(key):
        return Keyword.STOP
    if key in START_PHRASES:
        return Keyword.START
    if key in HELP_PHRASES:
        return Keyword.HELP
    return None


def twilio_answers(text: Any) -> bool:
    """Whether Twilio's own opt-out handling has already confirmed this STOP."""
    return str(text or "").strip().upper() in TWILIO_OPT_OUT_WORDS
