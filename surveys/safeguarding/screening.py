"""Safeguarding screening: does a free-text answer disclose that a young person may be at risk?

Pure Python, no database and no Flask. ``load_rules()`` reads the screening list (by default
``default_rules.toml`` next to this file), ``screen(text, rules)`` checks one answer.

How an answer is read
---------------------
1. ``normalise()`` makes the text predictable: Unicode NFKC, lower case, curly quotes and dashes
   made plain, emoji/symbols/control characters dropped (the words around them kept; a skull
   or coffin reads as "die": "i want to 💀"), letters spaced or dotted out joined up
   ("k.i.l.l", "d i e"), words run together spaced ("imgonnakillmyself", "hehitsme"), hyphens
   read as spaces ("self-harm" = "self harm"), leetspeak inside words undone ("k1ll" = "kill"),
   letters repeated three or more times cut to two ("sooo" = "soo", "killll" = "kill"),
   contractions written out ("don't"/"dont" = "do not", "can't"/"cant"/"cannot" = "can not",
   "I'm"/"im" = "i am", "he'll" = "he will") and common text-speak expanded ("u" = "you",
   "wanna" = "want to", "2nite" = "tonight", "no1" = "no one", "rn" = "right now"). Apostrophes
   are then dropped. Rules are written against this form: a *phrase* rule is normalised the
   same way before use, a *pattern* rule (a Python regex) must be written in normalised form
   (lower case, no apostrophes: "do not", "i am", "mums"). Both only match whole words.
   Abbreviations that *are* the signal ("kms", "od") are left alone and matched by rules.
2. Every rule is searched for. A match is then dropped when:
   - an ``exclude`` pattern of the rule overlaps it ("cut my hours", "hit me up");
   - it is negated: a negation cue (not, never, no, no one, nobody, none, nothing, neither, nor)
     stands directly before it in the same clause, with at most three "filler" words between
     (be/been/am/feel/get/have/ever/really/think/i/going/to...). So "I don't feel unsafe",
     "I have never been abused", "I'm not homeless", "I'm no longer sofa surfing" do not flag,
     while "nobody knows he hits me" (the cue negates "knows") and "I'm not ok, I want to kill
     myself" (another clause) do. Clauses end at . ! ? ; : , brackets and but/although/
     though/however/because/while. A match whose own words contain a negation ("I don't want
     to live anymore", "I can't keep myself safe", "nowhere to sleep", "no one would miss
     me") is never cancelled, so double negatives ("I ain't got nowhere to stay") still flag.
     Rules with a subject ("he hits me") are marked ``negatable = false``: "he doesn't hit me"
     simply does not match them;
   - the rule is a ``topic`` (county lines, grooming, suicide, self harm, domestic abuse...)
     and the words around it are about learning or services: "county lines awareness
     session", "we had a talk about grooming", "suicide prevention training";
   - the rule has ``past_cancels`` (homelessness and sofa surfing only) and the words show it
     is over: "I was homeless last year but now I have a flat", "I used to sofa surf",
     "I had nowhere to live when I left care" -- unless a word such as now, still, tonight,
     currently, again or "last night" follows it.

Decisions on borderline answers (the tests pin these down)
-----------------------------------------------------------
- Past, resolved homelessness ("I was homeless last year but now I have a flat") does NOT flag:
  housing history is asked for in these surveys and flagging it would bury the lead in false
  alarms. Current or threatened homelessness flags ("I'm homeless", "I've been homeless for 3
  months", "about to be evicted").
- Past abuse, self-harm, suicide attempts or sexual violence DO flag ("I was raped when I was
  14", "I used to self harm"): a historic disclosure still needs a safeguarding response (support
  offered, an alleged perpetrator who may still be a risk to others).
- Sofa surfing flags as a concern (housing), not an emergency; "nowhere to sleep", sleeping
  rough, kicked out tonight flag as urgent (homeless_tonight).
- Hyperbole does not flag: "this survey is killing me lol", "killing it at college", "bored to
  death", "die hard fan", "dying to get my own place", "my mum will kill me", "killing myself
  laughing". There is no bare "kill"/"die"/"dead" rule; suicide rules need a first-person
  intent ("kill myself", "want to die", "kms").
- "lol", "haha" or an emoji after a real disclosure do NOT cancel it ("kms lol", "i want to die
  haha"): young people often soften a real disclosure with a joke, and the cost of a false alarm
  is small next to missing one.
- Emotional senses are excluded where the words are clear: "it hit me", "she hit me up",
  "that really touched me", "cut my hours", "my PA is a lifesaver", "drugs awareness course",
  "safe and settled accommodation", "I feel safe now", "leaving care was hard".
- "I don't want to die" and "I'm not suicidal" do not flag (negated); "I haven't self harmed in
  months" does not flag either (a negated statement; the lead sees the rest of the answer if
  anything else flags).

Speed: each rule carries ``needles``, strings worked out from its regex of which every match
must contain one; a rule whose needles are all absent from the answer is skipped without running
its regex. A 10,000-character answer screens in about 10 ms.

Each rule has a ``severity``: ``urgent`` (act today: suicidal intent, nowhere to sleep tonight,
current abuse) or ``concern``; a result's severity is the highest of its matches.
"""

from __future__ import annotations

import re
import re._constants as _sre_c  # the regex parse tree, for the literal prefilter
import re._parser as _sre_p
import tomllib
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from app.core.text import casefold_compatible, symbols_to_spaces
from surveys.safeguarding import layers as layers_mod

DEFAULT_RULES_PATH = Path(__file__).with_name("default_rules.toml")

CATEGORIES: tuple[str, ...] = (
    "self_harm_suicide",
    "abuse",
    "sexual_abuse",
    "sexual_exploitation",
    "criminal_exploitation",
    "trafficking",
    "domestic_abuse",
    "violence",
    "unsafe",
    "homeless_tonight",
    "housing_insecure",
    "neglect",
    "substance_crisis",
    "unsafe_accommodation",
    "acute_need",
    "help_me",
)
# "example": a whole example disclosure, matched by the fuzzy and semantic layers, not by regex.
KINDS = ("phrase", "pattern", "example")
LAYERS = ("rules", "spelling", "fuzzy", "semantic")
LEVELS = ("likely", "possible")
SEVERITIES = ("urgent", "concern")

_ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_MACRO_RE = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")
_WORD_BOUNDARY = r"(?<![a-z0-9])(?:{})(?![a-z0-9])"
_OPTIONS = ("severity", "negatable", "past_cancels", "topic", "examples", "note", "level")


_NEVER = re.compile(r"(?!x)x")
_ABSENT = "\x00"  # a needle no normalised text contains: the regex layer skips examples


class RuleError(ValueError):
    """A screening rule is invalid (bad id, category, kind or regex)."""


# --------------------------------------------------------------------------- normalisation

_CHAR_MAP = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u02bc": "'",
        "\u0060": "'",
        "\u00b4": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": " ",
        "\u2011": " ",
        "\u2012": " ",
        "\u2013": " ",
        "\u2014": " ",
        "\u2015": " ",
        "\u2212": " ",
        "-": " ",
        "_": " ",
        "/": " ",
        "\\": " ",
        "~": " ",
        "+": " ",
        "=": " ",
        "#": " ",
        "^": " ",
        "<": " ",
        ">": " ",
        "|": " ",
        "*": " ",
        # Emoji that say the word: "i want to 💀" (otherwise dropped as a symbol). A false
        # alarm ("lol 💀") matches no rule on its own.
        "\U0001f480": " die ",
        "\u2620": " die ",
        "\u26b0": " die ",
        "\U0001faa6": " die ",
    }
)
_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")

_LEET = {"0": "o", "1": "i", "!": "i", "3": "e", "4": "a", "@": "a", "$": "s", "5": "s", "7": "t"}
_LEET_RE = re.compile(r"(?<=[a-z])[0134@$5!7](?=[a-z])")
_APOS_CONTRACTION = re.compile(
    r"(?<![a-z0-9])(i|you|he|she|we|they|it|that|who|there)'(ll|d)(?![a-z0-9])"
)
_APOS_IS = re.compile(
    r"(?<![a-z0-9])(he|she|it|that|there|what|who|where|here|everyone|someone|somebody"
    r"|nobody|everything|nothing)'s(?![a-z0-9])"
)
_APOS_SUFFIX = re.compile(r"(?<=[a-z])'(m|re|ve)(?![a-z0-9])")
_OD = re.compile(r"(?<![a-z0-9])(?:od'?d|od'?ed|o\.d\.?'?d)(?![a-z0-9])")
_REPEATS = re.compile(r"([a-z])\1{2,}")
# Letters spaced or dotted out, three or more ("k i l l", "d.i.e", "d-i-e" once hyphens are
# spaces), joined up: the joined-word splitter then spaces them as words ("kill myself").
_SPACED_LETTERS = re.compile(r"(?<![a-z0-9])[a-z](?:[ .][a-z]){2,}(?![a-z0-9])")
_TOKEN = re.compile(r"[a-z0-9]+")
_SPACES = re.compile(r"\s+")
_TWO_AS_TO = re.compile(r"(?<=[a-z] )2(?= [a-z])")
_FOUR_AS_FOR = re.compile(r"(?<=[a-z] )4(?= [a-z])")
_LONG_TOKEN = re.compile(r"[a-z]{6,}")  # runs of words short enough to be one are left
_TWO_WORDS = re.compile(
    r"(?<![a-z0-9])(?:(no) (where|body)|(any|some|every) (where|one|body)|(my|me|ma|mi) (self)"
    r"|(self) (harm\w*)|(sofa|couch) (surf\w*))(?![a-z0-9])"
)

TEXT_SPEAK: dict[str, str] = {
    # pronouns and "to be"
    "u": "you",
    "yu": "you",
    "ya": "you",
    "ur": "your",
    "r": "are",
    "im": "i am",
    "ive": "i have",
    "youre": "you are",
    "theyre": "they are",
    "hes": "he is",
    "shes": "she is",
    "its": "it is",
    "thats": "that is",
    "whats": "what is",
    "theres": "there is",
    "weve": "we have",
    "theyve": "they have",
    "hed": "he would",
    "theyd": "they would",
    "theyll": "they will",
    "itll": "it will",
    "youll": "you will",
    "youd": "you would",
    "itd": "it would",
    "thatll": "that will",
    # negation
    "dont": "do not",
    "dnt": "do not",
    "doesnt": "does not",
    "dosent": "does not",
    "doesent": "does not",
    "didnt": "did not",
    "didint": "did not",
    "cant": "can not",
    "carnt": "can not",
    "cannot": "can not",
    "couldnt": "could not",
    "wont": "will not",
    "wouldnt": "would not",
    "shouldnt": "should not",
    "isnt": "is not",
    "aint": "is not",
    "arent": "are not",
    "wasnt": "was not",
    "werent": "were not",
    "havent": "have not",
    "havnt": "have not",
    "hasnt": "has not",
    "hadnt": "had not",
    "mustnt": "must not",
    "neva": "never",
    "nvr": "never",
    "noone": "no one",
    "no1": "no one",
    "nobdy": "nobody",
    "nuffin": "nothing",
    "nuthin": "nothing",
    "nothin": "nothing",
    "nowere": "nowhere",
    "dunno": "do not know",
    "idk": "i do not know",
    "idc": "i do not care",
    # people and places
    "sum1": "someone",
    "some1": "someone",
    "sumone": "someone",
    "any1": "anyone",
    "ne1": "anyone",
    "every1": "everyone",
    "evry1": "everyone",
    "anywere": "anywhere",
    "sumwhere": "somewhere",
    "somewere": "somewhere",
    "ppl": "people",
    "pepl": "people",
    "bf": "boyfriend",
    "gf": "girlfriend",
    "m8": "mate",
    "m8s": "mates",
    "myslef": "myself",
    "meself": "myself",
    "mysef": "myself",
    "myselfe": "myself",
    "mself": "myself",
    "selfharm": "self harm",
    "selfharming": "self harming",
    "selfharmed": "self harmed",
    "selfharms": "self harms",
    "homless": "homeless",
    "homeles": "homeless",
    "homelss": "homeless",
    "sofasurfing": "sofa surfing",
    "sofasurf": "sofa surf",
    "couchsurfing": "couch surfing",
    "oded": "overdosed",
    # verbs and time
    "wanna": "want to",
    "wana": "want to",
    "wna": "want to",
    "gonna": "going to",
    "ima": "i am going to",
    "imma": "i am going to",
    "h8": "hate",
    "kmss": "kms",  # "kmsss": letters held down are cut to two first
    "gona": "going to",
    "gunna": "going to",
    "gna": "going to",
    "gotta": "got to",
    "tryna": "trying to",
    "hafta": "have to",
    "kinda": "kind of",
    "cuz": "because",
    "coz": "because",
    "cos": "because",
    "bc": "because",
    "bcoz": "because",
    "bcos": "because",
    "becuz": "because",
    "rn": "right now",
    "atm": "at the moment",
    "tonite": "tonight",
    "2nite": "tonight",
    "2night": "tonight",
    "tonyt": "tonight",
    "tnight": "tonight",
    "2day": "today",
    "2moro": "tomorrow",
    "2morrow": "tomorrow",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "tomoz": "tomorrow",
    "b4": "before",
    "pls": "please",
    "plz": "please",
    "wiv": "with",
    "wid": "with",
    "wat": "what",
    "wot": "what",
    "wen": "when",
    "hav": "have",
    "av": "have",
    "nd": "and",
    "n": "and",
    "dat": "that",
    "dis": "this",
    "ded": "dead",
    "kno": "know",
    "knw": "know",
    "thru": "through",
    "tho": "though",
    "scard": "scared",
    "scaired": "scared",
    "skared": "scared",
    "afriad": "afraid",
    "thretened": "threatened",
    "threatend": "threatened",
    "thretend": "threatened",
    "beated": "beaten",
    # dropped g
    "cuttin": "cutting",
    "killin": "killing",
    "sleepin": "sleeping",
    "livin": "living",
    "hurtin": "hurting",
    "harmin": "harming",
    "sellin": "selling",
    "dealin": "dealing",
    "groomin": "grooming",
    "touchin": "touching",
    "beatin": "beating",
    "kickin": "kicking",
    "hittin": "hitting",
    "hitin": "hitting",
    "punchin": "punching",
    "slappin": "slapping",
    "usin": "using",
    "doin": "doing",
    "goin": "going",
    "tryin": "trying",
    "feelin": "feeling",
    "drinkin": "drinking",
    "takin": "taking",
    "smokin": "smoking",
    "threatenin": "threatening",
    "followin": "following",
    "stalkin": "stalking",
    "surfin": "surfing",
    "strugglin": "struggling",
    "starvin": "starving",
    "burnin": "burning",
    "chokin": "choking",
    "abusin": "abusing",
    "runnin": "running",
    "gettin": "getting",
    "thinkin": "thinking",
    "wantin": "wanting",
    "stayin": "staying",
    "cryin": "crying",
    "dyin": "dying",
    "carryin": "carrying",
    "holdin": "holding",
    "kippin": "kipping",
}


# Words run together ("iwanttodie", "killmyself"): a token made wholly of these words is read
# as them, spaced. Only words a disclosure is made of, so an ordinary long word is left alone.
_JOINABLE = frozenset(
    {"i", "im", "want", "wanna", "to", "die", "dead", "kill", "kil", "hurt", "cut", "harm", "end"}
    | {"my", "self", "myself", "me", "life", "live", "be", "not", "gonna", "going", "am"}
    | {"dont", "do", "he", "she", "they", "hits", "hit", "beats", "hurts", "touches"}
    | {"nowhere", "no", "where", "sleep", "stay", "go", "tonight", "home"}
)
_LONGEST_JOINABLE = max(map(len, _JOINABLE))


def _split_joined(m: re.Match[str]) -> str:
    """A token of _LONG_TOKEN's length or more, spaced if it is made wholly of those words."""
    return _split_joined_word(m.group())


def _split_joined_word(token: str) -> str:
    if token in _JOINABLE:
        return token
    # best[i]: the words token[:i] splits into, if it splits wholly into _JOINABLE words.
    best: list[list[str] | None] = [[]] + [None] * len(token)
    for end in range(1, len(token) + 1):
        for start in range(max(0, end - _LONGEST_JOINABLE), end):
            head = best[start]
            if head is not None and token[start:end] in _JOINABLE:
                best[end] = [*head, token[start:end]]
                break
    words = best[len(token)]
    if not words or len(words) == 1:
        return token
    return " ".join(TEXT_SPEAK.get(word, word) for word in words)  # "dont": "do not"


def _join_spaced(m: re.Match[str]) -> str:
    """Letters spaced or dotted out, joined, if they make a disclosure's words ("k i l l",
    "i w a n t t o d i e"); any other run ("a b c", "d.j.") is left as it was."""
    joined = m.group().replace(" ", "").replace(".", "")
    if joined in _JOINABLE:
        return joined
    spaced = _split_joined_word(joined)
    return spaced if spaced != joined else m.group()


# Plain English from a second-language writer or a hurried thumb, put the way the rules read it
# (after contractions are written out). A false alarm is better than a miss.
_REPHRASINGS = (
    # "wont to": "want" misspelt ("won't to" is not English), which read as "will not" negated
    (re.compile(r"\bwill not to\b"), "want to"),
    (re.compile(r"\bi no (want|wish|like|can|have)\b"), r"i do not \1"),  # "i no want to live"
    (re.compile(r"\b(want|wish) (live|die|exist|be alive|be here|wake up)\b"), r"\1 to \2"),
    (re.compile(r"\b(he|she|it) do not\b"), r"\1 does not"),  # "he dont let me leave"
    (re.compile(r"\b(he|she|they) (kill|stab|hurt|beat|hit) me\b"), r"\1 will \2 me"),
    (re.compile(r"\bi sh\b"), "i self harm"),  # "sh": self harm, as in "sh again"
)


def _rephrase(text: str) -> str:
    for pattern, replacement in _REPHRASINGS:
        text = pattern.sub(replacement, text)
    return text


def _two_words(m: re.Match[str]) -> str:
    parts = [g for g in m.groups() if g]
    first, second = parts
    if first in ("my", "me", "ma", "mi"):
        return "myself"
    if first in ("self", "sofa", "couch"):
        return f"{first} {second}"
    return first + second


def normalise(text: str) -> str:
    """The form rules are matched against (see the module docstring)."""
    if not text:
        return ""
    text = casefold_compatible(text)
    if not text.isascii():
        # Combining marks ("zalgo"), joiners and variation selectors dropped; emoji, symbols,
        # controls and unassigned characters as spaces (app.core.text.symbols_to_spaces).
        text = symbols_to_spaces(text.translate(_CHAR_MAP))
        # NFKC after casefold can leave compatibility forms; one more pass is cheap.
        text = unicodedata.normalize("NFKC", text)
    text = _ASCII_CONTROL.sub(" ", text).translate(_CHAR_MAP)
    text = _LEET_RE.sub(lambda m: _LEET[m.group()], text)
    text = _OD.sub("overdosed", text)
    text = _SPACED_LETTERS.sub(_join_spaced, text)
    text = _APOS_CONTRACTION.sub(lambda m: f"{m[1]} {'will' if m[2] == 'll' else 'would'}", text)
    text = _APOS_IS.sub(r"\1 is", text)
    text = _APOS_SUFFIX.sub(lambda m: " " + {"m": "am", "re": "are", "ve": "have"}[m[1]], text)
    text = text.replace("'", "").replace('"', " ")
    text = _REPEATS.sub(r"\1\1", text)
    text = _TOKEN.sub(lambda m: TEXT_SPEAK.get(m.group(), m.group()), text)
    text = _TWO_WORDS.sub(_two_words, text)
    text = _TWO_AS_TO.sub("to", text)
    text = _FOUR_AS_FOR.sub("for", text)
    text = _LONG_TOKEN.sub(_split_joined, text)
    return _rephrase(_SPACES.sub(" ", text).strip())


# --------------------------------------------------------------------------- rules


@lru_cache(maxsize=4)
def _file_data(path: str) -> dict:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def default_macros() -> dict[str, str]:
    """The ``[macros]`` of the shipped list ({{person}}, {{aux}}...), usable in any pattern."""
    return dict(_file_data(str(DEFAULT_RULES_PATH)).get("macros", {}))


def expand_macros(pattern: str, macros: dict[str, str]) -> str:
    for _ in range(5):
        if "{{" not in pattern:
            return pattern

        def sub(m: re.Match[str]) -> str:
            if m[1] not in macros:
                raise RuleError(f"unknown macro {{{{{m[1]}}}}}")
            return macros[m[1]]

        pattern = _MACRO_RE.sub(sub, pattern)
    raise RuleError("macros nested too deeply")


@dataclass(frozen=True)
class Rule:
    """One screening rule. ``text`` is a phrase, or a regex in normalised form (may use
    {{macros}}); ``exclude`` regexes cancel a match they overlap."""

    id: str
    category: str
    kind: str
    text: str
    exclude: tuple[str, ...] = ()
    severity: str = "concern"
    negatable: bool = True
    past_cancels: bool = False
    topic: bool = False
    examples: tuple[str, ...] = ()
    note: str = ""
    # "possible" for a watch rule: a risk word near "i"/"me", flagged for review only.
    level: str = "likely"
    # Always set by build(); the None default only lets the dataclass fields keep their order.
    regex: re.Pattern[str] = field(default=None, compare=False, repr=False)  # type: ignore[arg-type]
    exclude_regexes: tuple[re.Pattern[str], ...] = field(default=(), compare=False, repr=False)
    # Every match contains at least one of these strings (None: no such set is known).
    needles: tuple[str, ...] | None = field(default=None, compare=False, repr=False)

    @classmethod
    def build(
        cls,
        *,
        id: str,
        category: str,
        kind: str,
        text: str,
        exclude: Iterable[str] = (),
        macros: dict[str, str] | None = None,
        **options: Any,
    ) -> Rule:
        """Validate and compile a rule.

        Options not given (severity, negatable, past_cancels, topic, examples, note) are taken
        from the shipped rule with the same id, if there is one, so rules copied into the
        database keep their behaviour; otherwise the dataclass defaults apply.
        """
        if not _ID_RE.match(id or ""):
            raise RuleError(f"rule id {id!r} must be a lower-case slug")
        if category not in CATEGORIES:
            raise RuleError(f"rule {id}: unknown category {category!r}")
        if kind not in KINDS:
            raise RuleError(f"rule {id}: kind must be 'phrase', 'pattern' or 'example'")
        if not text or not text.strip():
            raise RuleError(f"rule {id}: text is empty")
        unknown = set(options) - set(_OPTIONS)
        if unknown:
            raise RuleError(f"rule {id}: unknown option(s) {', '.join(sorted(unknown))}")
        shipped = _shipped_options().get(id, {})
        opts: dict[str, Any] = {k: options.get(k, shipped.get(k)) for k in _OPTIONS}
        opts = {k: v for k, v in opts.items() if v is not None}
        if opts.get("level", "likely") not in LEVELS:
            raise RuleError(f"rule {id}: level must be 'likely' or 'possible'")
        if opts.get("severity", "concern") not in SEVERITIES:
            raise RuleError(f"rule {id}: severity must be 'urgent' or 'concern'")
        if macros is None:
            macros = default_macros()
        if kind == "example":
            return cls(
                id=id,
                category=category,
                kind=kind,
                text=normalise(text),
                regex=_NEVER,
                needles=(_ABSENT,),
                **opts,
            )
        if kind == "phrase":
            body = re.escape(normalise(text)).replace(r"\ ", " ")
        else:
            if "'" in text or "\u2019" in text:
                raise RuleError(
                    f"rule {id}: patterns are matched without apostrophes "
                    "(write 'do not', 'i am', 'mums')"
                )
            body = expand_macros(text, macros)
        excludes = tuple(e for e in (x.strip() for x in exclude) if e)
        try:
            regex = re.compile(_WORD_BOUNDARY.format(body))
            exclude_regexes = tuple(
                re.compile(_WORD_BOUNDARY.format(expand_macros(e, macros))) for e in excludes
            )
        except re.error as exc:
            raise RuleError(f"rule {id}: invalid regex: {exc}") from exc
        return cls(
            id=id,
            category=category,
            kind=kind,
            text=text,
            exclude=excludes,
            regex=regex,
            exclude_regexes=exclude_regexes,
            needles=required_literals(regex.pattern),
            examples=tuple(opts.pop("examples", ())),
            **opts,
        )


def required_literals(pattern: str) -> tuple[str, ...] | None:
    """Strings of which every match of ``pattern`` must contain at least one, or None.

    Worked out from the regex parse tree: a sequence needs what any one of its parts needs (the
    part with the longest shortest string is chosen), an alternation needs one of what each
    branch needs, a repeat needs what its body needs if it must occur at least once. Screening
    skips a rule whose strings are all absent, without running its regex.
    """
    try:
        best = _required(_sre_p.parse(pattern))
    except Exception:  # an unexpected parse tree: no prefilter, the regex still runs
        return None
    if not best or min(len(s) for s in best) < 2:
        return None
    return tuple(sorted(best))


def _required(seq) -> frozenset[str] | None:  # seq: a re._parser.SubPattern
    candidates: list[frozenset[str]] = []
    run = ""
    for op, av in seq:
        if op is _sre_c.LITERAL:
            run += chr(av)
            continue
        if run:
            candidates.append(frozenset({run}))
            run = ""
        if op is _sre_c.SUBPATTERN:
            sub = _required(av[-1])
        elif op is _sre_c.BRANCH:
            parts = [_required(b) for b in av[1]]
            known = [p for p in parts if p is not None]
            sub = None if len(known) < len(parts) else frozenset().union(*known)
        elif op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT, _sre_c.POSSESSIVE_REPEAT):
            sub = _required(av[2]) if av[0] >= 1 else None
        elif op is _sre_c.ATOMIC_GROUP:
            sub = _required(av)
        else:  # character sets, any, assertions, anchors: need nothing literal
            sub = None
        if sub:
            candidates.append(sub)
    if run:
        candidates.append(frozenset({run}))
    if not candidates:
        return None
    return max(candidates, key=lambda c: (min(len(s) for s in c), -len(c)))


def _rules_from_data(data: dict) -> list[Rule]:
    macros = dict(data.get("macros", {}))
    rules: list[Rule] = []
    seen: set[str] = set()
    for raw in data.get("rule", []):
        raw = dict(raw)
        rid = raw.pop("id", "")
        if rid in seen:
            raise RuleError(f"duplicate rule id {rid!r}")
        seen.add(rid)
        text = raw.pop("text", "")
        if isinstance(text, list):  # a list of alternatives, for readability
            text = "|".join(f"(?:{t})" for t in text) if raw.get("kind") == "pattern" else ""
        rules.append(
            Rule.build(
                id=rid,
                category=raw.pop("category", ""),
                kind=raw.pop("kind", ""),
                text=text,
                exclude=raw.pop("exclude", ()),
                macros=macros,
                **raw,
            )
        )
    return rules


@lru_cache(maxsize=1)
def _shipped_options() -> dict[str, dict]:
    out = {}
    for raw in _file_data(str(DEFAULT_RULES_PATH)).get("rule", []):
        out[raw["id"]] = {k: raw[k] for k in _OPTIONS if k in raw}
    return out


def load_rules(path: str | Path | None = None) -> list[Rule]:
    """Read and compile a screening list (default: the shipped ``default_rules.toml``)."""
    if path is None:
        return list(_default_rules())
    with open(path, "rb") as fh:
        return _rules_from_data(tomllib.load(fh))


@lru_cache(maxsize=1)
def _default_rules() -> tuple[Rule, ...]:
    return tuple(_rules_from_data(_file_data(str(DEFAULT_RULES_PATH))))


# --------------------------------------------------------------------------- screening


class Match(NamedTuple):
    rule_id: str  # the rule or example that matched
    category: str
    text: str  # the matched words, in normalised form
    layer: str = "rules"  # rules, spelling, fuzzy or semantic
    level: str = "likely"  # likely or possible
    score: float = 100.0  # fuzzy (0-100) or semantic (cosine x 100); 100 for a rule


@dataclass(frozen=True)
class ScreenResult:
    flagged: bool
    matches: list[Match]
    severity: str | None = None  # "urgent", "concern" or None

    @property
    def level(self) -> str | None:
        """ "likely" if any match is, else "possible", or None when nothing matched."""
        if not self.matches:
            return None
        return "likely" if any(m.level == "likely" for m in self.matches) else "possible"

    @property
    def layers(self) -> list[str]:
        return [lay for lay in LAYERS if any(m.layer == lay for m in self.matches)]

    @property
    def rule_ids(self) -> list[str]:
        return [m.rule_id for m in self.matches]

    @property
    def categories(self) -> list[str]:
        return sorted({m.category for m in self.matches})


_CLAUSE_BREAK = re.compile(
    r"[.!?;:,()\[\]{}]|(?<![a-z0-9])(?:but|however|although|though|because|while|whilst"
    r"|whereas|except)(?![a-z0-9])"
)
_NEG_CUES = frozenset({"not", "never", "no", "nobody", "none", "nothing", "neither", "nor"})
_NEG_FILLERS = frozenset(
    {
        "be",
        "been",
        "being",
        "am",
        "is",
        "are",
        "was",
        "were",
        "ever",
        "really",
        "actually",
        "even",
        "feel",
        "felt",
        "feeling",
        "feels",
        "get",
        "got",
        "gets",
        "getting",
        "have",
        "has",
        "had",
        "so",
        "very",
        "too",
        "currently",
        "particularly",
        "necessarily",
        "personally",
        "think",
        "i",
        "at",
        "all",
        "any",
        "longer",
        "a",
        "an",
        "the",
        "going",
        "to",
        "once",
        "properly",
        "always",
        "in",
        "danger",
        "of",
        "thought",
        "thinking",
        "about",
        "considered",
        "considering",
        "tried",
        "attempted",
        "done",
        "did",
        "want",
        "wanna",
        "wish",
        "trying",
        "try",
    }
)
_PAST_CUES = frozenset({"was", "were", "used", "had", "previously", "formerly"})
_PAST_FILLERS = frozenset(
    {
        "be",
        "been",
        "being",
        "a",
        "an",
        "the",
        "once",
        "really",
        "basically",
        "technically",
        "briefly",
        "also",
        "actually",
        "to",
        "kind",
        "of",
        "sort",
        "literally",
        "properly",
        "made",
        "left",
        "then",
        "i",
        "we",
        "got",
    }
)
_PERFECT = frozenset({"have", "has", "ve", "i"})
_STILL_NOW = re.compile(
    r"^(?:\w+ ){0,3}?(?:now|still|tonight|today|currently|again|right now|at the moment|"
    r"last night|this (?:week|month)|for (?:the (?:last|past) )?(?:\d+|a few|few|two|three|"
    r"several|some)? ?(?:days|weeks|months))\b"
)
_PAST_AFTER = re.compile(
    r"^(?:\w+ ){0,4}?(?:(?:last|that) (?:year|summer|winter|spring|autumn|month|time)|"
    r"(?:\d+|a few|few|two|three|some|many) (?:years|months) ago|years ago|ages ago|"
    r"a while ago|in the past|before|previously|back then|as a (?:kid|child|teenager)|"
    r"when i (?:was|left|first|turned)|at (?:1[0-9]|[0-9]|sixteen|seventeen|eighteen)|"
    r"in 20[0-9][0-9])\b"
)
_CONTEXT_NOUNS = frozenset(
    {
        "awareness",
        "training",
        "course",
        "courses",
        "workshop",
        "workshops",
        "session",
        "sessions",
        "lesson",
        "lessons",
        "assembly",
        "leaflet",
        "leaflets",
        "poster",
        "posters",
        "campaign",
        "prevention",
        "charity",
        "charities",
        "documentary",
        "module",
        "seminar",
        "lecture",
        "presentation",
        "research",
        "project",
        "policy",
        "volunteer",
        "volunteering",
        "volunteered",
        "team",
        "officer",
        "officers",
        "department",
        "unit",
        "video",
        "programme",
        "learnt",
        "learned",
        "learning",
        "learn",
        "taught",
        "teaching",
        "studied",
        "studying",
        "qualification",
        "certificate",
        "conference",
        "fundraiser",
        "fundraising",
    }
)
_CONTEXT_AFTER_DET = frozenset({"talk", "talks", "class", "film", "play"})
_TOPIC_SKIP = frozenset(
    {
        "and",
        "or",
        "the",
        "a",
        "an",
        "of",
        "on",
        "about",
        "around",
        "into",
        "regarding",
        "re",
        "for",
        "in",
        "some",
        "what",
        "how",
        "to",
        "spot",
        "recognise",
        "recognize",
        "signs",
        "risks",
        "dangers",
        "danger",
        "keep",
        "safe",
        "self",
        "harm",
        "suicide",
        "mental",
        "health",
        "drugs",
        "drug",
        "alcohol",
        "substance",
        "misuse",
        "abuse",
        "sexual",
        "exploitation",
        "county",
        "lines",
        "knife",
        "crime",
        "gang",
        "gangs",
        "grooming",
        "homelessness",
        "homeless",
        "domestic",
        "violence",
        "safety",
        "online",
        "cse",
        "cce",
        "first",
        "aid",
        "child",
        "criminal",
        "modern",
        "slavery",
        "trafficking",
        "rape",
        "consent",
        "healthy",
        "relationships",
        "hate",
        "did",
        "do",
        "had",
        "went",
        "go",
        "got",
        "attended",
        "with",
        "at",
        "all",
        "be",
        "is",
        "was",
        "were",
        "overdose",
        "overdoses",
        "this",
        "that",
        "really",
        "good",
        "useful",
        "interesting",
        "great",
    }
)


def _clause(
    text: str, breaks: list[tuple[int, int]], starts: list[int], s: int, e: int
) -> tuple[str, str]:
    """The words before the match and after it, within its clause."""
    i = bisect_right(starts, s) - 1
    lo = 0
    while i >= 0:
        if breaks[i][1] <= s:
            lo = breaks[i][1]
            break
        i -= 1
    j = bisect_right(starts, e - 1)
    hi = breaks[j][0] if j < len(breaks) else len(text)
    return text[lo:s], text[e:hi]


# A cue followed by one of these does not deny what comes after: "i can not stop cutting
# myself", "i can not help it", "no i want to die" (a "no" answering the question).
_NOT_DENYING_NEXT = frozenset({"stop", "help", "i"})


def _negated(before: list[str], first: str = "") -> bool:
    """Whether a negation cue in the words ``before`` the match denies it (``first``: the
    match's first word, which is what follows a cue right before it)."""
    for skipped, k in enumerate(range(len(before) - 1, -1, -1)):
        tok = before[k]
        following = before[k + 1] if k + 1 < len(before) else first
        if tok in _NEG_CUES and following in _NOT_DENYING_NEXT:
            return False
        if tok in _NEG_CUES or (tok == "one" and k > 0 and before[k - 1] == "no"):
            return True
        if tok in ("or", "nor"):
            # "I have never self harmed or felt suicidal": the cue covers both.
            return any(t in _NEG_CUES for t in before[max(0, k - 5) : k])
        if tok not in _NEG_FILLERS or skipped >= 3:
            return False
    return False


def _in_past(before: list[str], after: str) -> bool:
    if _STILL_NOW.match(after):
        return False
    if _PAST_AFTER.match(after):
        return True
    for skipped, k in enumerate(range(len(before) - 1, -1, -1)):
        tok = before[k]
        if tok in _PAST_CUES:
            return not (
                tok == "had" and k > 0 and before[k - 1] in _PERFECT and before[k - 1] != "i"
            )
        if tok not in _PAST_FILLERS or skipped >= 3:
            return False
    return False


def _educational(before: list[str], after: list[str]) -> bool:
    for tok in after[:8]:
        if tok in _CONTEXT_NOUNS:
            return True
        if tok not in _TOPIC_SKIP:
            break
    for k in range(len(before) - 1, max(-1, len(before) - 10), -1):
        tok = before[k]
        if tok in _CONTEXT_NOUNS:
            return True
        if tok in _CONTEXT_AFTER_DET and k > 0 and before[k - 1] in ("a", "the", "an"):
            return True
        if tok not in _TOPIC_SKIP:
            return False
    return False


def _contains_negation(words: list[str]) -> bool:
    return any(w in _NEG_CUES for w in words) or "nowhere" in words


def screen(
    text: str | None,
    rules: Sequence[Rule] | None = None,
    layers: Iterable[str] | None = None,
) -> ScreenResult:
    """Screen one free-text answer through the layers (all of them unless ``layers`` says).

    Never raises on odd input; deterministic. The rules run on the normalised text, then on
    the spelling-corrected text; the fuzzy and semantic layers compare each clause of the
    corrected text with the example disclosures. Each rule or example counts once, at the
    best level any layer gave it.
    """
    if rules is None:
        rules = _default_rules()
    on = frozenset(LAYERS if layers is None else layers)
    norm = normalise(text or "")
    if not norm:
        return ScreenResult(False, [], None)
    regex_rules = [r for r in rules if r.kind != "example"]
    examples = [r for r in rules if r.kind == "example"]
    found: list[Match] = []
    if "rules" in on:
        found += _rule_matches(norm, regex_rules, "rules")
    corrected = norm
    if "spelling" in on:
        corrected = _speller(tuple(examples)).correct(norm)
        if corrected != norm and "rules" in on:
            found += _rule_matches(corrected, regex_rules, "spelling")
    if examples and ("fuzzy" in on or "semantic" in on):
        # Each sentence once: a long answer often repeats itself.
        chunks = list(
            dict.fromkeys(c.strip() for c in _CHUNK_BREAK.split(corrected) if len(c.strip()) > 2)
        )
        if "fuzzy" in on:
            found += _fuzzy_matches(chunks, examples)
        if "semantic" in on and layers_mod.semantic_available():
            found += _semantic_matches(chunks, examples)
    matches = _best_per_source(found)
    severity = _severity(matches, rules) if matches else None
    return ScreenResult(bool(matches), matches, severity)


# Categories whose example matches are urgent (act today) at the "likely" level.
URGENT = frozenset({"self_harm_suicide", "homeless_tonight", "acute_need", "help_me"})
_CHUNK_BREAK = re.compile(r"[.!?;\n]+|(?<![a-z0-9])(?:but|however|although|though)(?![a-z0-9])")
_LEVEL_RANK = {"likely": 0, "possible": 1}


def _severity(matches: list[Match], rules: Sequence[Rule]) -> str:
    by_id = {r.id: r for r in rules}
    urgent = False
    for m in matches:
        rule = by_id.get(m.rule_id)
        if rule is None:
            continue
        if rule.kind == "example":
            urgent |= m.level == "likely" and rule.category in URGENT
        else:
            urgent |= rule.severity == "urgent"
    return "urgent" if urgent else "concern"


def _best_per_source(found: list[Match]) -> list[Match]:
    best: dict[str, Match] = {}
    for m in found:
        have = best.get(m.rule_id)
        if have is None or (_LEVEL_RANK[m.level], -m.score) < (
            _LEVEL_RANK[have.level],
            -have.score,
        ):
            best[m.rule_id] = m
    return sorted(best.values(), key=lambda m: (_LEVEL_RANK[m.level], LAYERS.index(m.layer)))


@lru_cache(maxsize=8)
def _speller(examples: tuple[Rule, ...]) -> layers_mod.Speller:
    words = sorted({w for e in examples for w in _TOKEN.findall(e.text)})
    return layers_mod.speller(tuple(words))


def _lowered(level: str | None) -> str | None:
    return "possible" if level == "likely" else level


def _context_level(chunk: str, start: int, end: int, example: str, level: str) -> str | None:
    """The level once negation and past tense around the words are taken into account.

    Negation the example does not have drops the match (as for rules: "I do not want to die");
    past tense lowers it to "possible" but keeps it ("I used to feel like ending it").
    """
    before = _TOKEN.findall(chunk[:start])[-12:]
    words = _TOKEN.findall(chunk[start:end])
    after = " ".join(_TOKEN.findall(chunk[end:])[:10])
    example_words = _TOKEN.findall(example)
    if _negated(before) or _contains_negation(words):
        if not _contains_negation(example_words):
            return None
        level = "possible"
    if _in_past(before, after) or (
        _PAST_WORDS & set(words) and not _PAST_WORDS & set(example_words)
    ):
        return "possible"
    return level


_PAST_WORDS = frozenset({"was", "were", "used", "had", "ago"})


def _fuzzy_matches(chunks: list[str], examples: list[Rule]) -> list[Match]:
    texts = [e.text for e in examples]
    out = []
    for chunk in chunks:
        for hit in layers_mod.fuzzy_hits(chunk, texts):
            example = examples[hit.index]
            level = "likely" if hit.score >= layers_mod.FUZZY_LIKELY else "possible"
            final = _context_level(chunk, hit.start, hit.end, example.text, level)
            if final is not None:
                words = chunk[hit.start : hit.end]
                out.append(
                    Match(example.id, example.category, words, "fuzzy", final, round(hit.score, 1))
                )
    return out


def _semantic_matches(chunks: list[str], examples: list[Rule]) -> list[Match]:
    texts = tuple(e.text for e in examples)
    out = []
    for chunk, (index, sim) in zip(chunks, layers_mod.semantic_scores(chunks, texts), strict=True):
        if index < 0 or sim < layers_mod.SEMANTIC_POSSIBLE:
            continue
        example = examples[index]
        level = "likely" if sim >= layers_mod.SEMANTIC_LIKELY else "possible"
        final = _context_level(chunk, 0, len(chunk), example.text, level)
        if final is not None:
            out.append(
                Match(example.id, example.category, chunk, "semantic", final, round(sim * 100, 1))
            )
    return out


def _rule_matches(norm: str, rules: Sequence[Rule], layer: str) -> list[Match]:
    breaks: list[tuple[int, int]] | None = None
    starts: list[int] = []
    matches: list[Match] = []
    for rule in rules:
        if rule.needles is not None and not any(n in norm for n in rule.needles):
            continue
        excluded: _Spans | None = None
        for m in rule.regex.finditer(norm):
            s, e = m.span()
            if s == e:
                continue
            if rule.exclude_regexes:
                if excluded is None:
                    excluded = _Spans(norm, rule.exclude_regexes)
                if excluded.overlaps(s, e):
                    continue
            if breaks is None:
                breaks = [b.span() for b in _CLAUSE_BREAK.finditer(norm)]
                starts = [b[0] for b in breaks]
            before_text, after_text = _clause(norm, breaks, starts, s, e)
            before = _TOKEN.findall(before_text)[-12:]
            after_tokens = _TOKEN.findall(after_text)[:10]
            after = " ".join(after_tokens)
            matched = m.group()
            matched_words = _TOKEN.findall(matched)
            own_negation = _contains_negation(matched_words)
            first = matched_words[0] if matched_words else ""
            if rule.negatable and not own_negation and _negated(before, first):
                continue
            if rule.level == "possible" and own_negation:
                continue  # a watch rule spans words around the risk word: "i do not want to die"
            past = _in_past(before, after) or (
                rule.level == "possible" and bool(_PAST_WORDS & set(_TOKEN.findall(matched)))
            )
            if rule.past_cancels and past:
                continue
            if rule.topic and _educational(before, after_tokens):
                continue
            level = "possible" if past or rule.level == "possible" else "likely"
            matches.append(Match(rule.id, rule.category, matched, layer, level))
            break  # one match per rule is enough
    return matches


class _Spans:
    """Where a rule's exclude patterns match in one text, for quick overlap tests."""

    def __init__(self, text: str, regexes: Iterable[re.Pattern[str]]) -> None:
        spans = sorted(
            m.span()
            for rx in regexes
            if (needles := _needles(rx)) is None or any(n in text for n in needles)
            for m in rx.finditer(text)
        )
        self.starts = [a for a, _ in spans]
        self.max_end: list[int] = []
        top = -1
        for _, b in spans:
            top = max(top, b)
            self.max_end.append(top)

    def overlaps(self, s: int, e: int) -> bool:
        i = bisect_left(self.starts, e)
        return i > 0 and self.max_end[i - 1] > s


@lru_cache(maxsize=4096)
def _needles(regex: re.Pattern[str]) -> tuple[str, ...] | None:
    return required_literals(regex.pattern)
