"""Safeguarding rules in the database, screening answers as they are saved, and the lead's flags.

The screening list starts as surveys/safeguarding/default_rules.toml and lives in the
screening_rule table, where an admin can edit it. Compiled rules are cached per process and
rebuilt when the table changes (its row count or newest update differs).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, g, has_app_context

from app.core import jobs
from app.core.clock import today, utcnow
from app.core.extensions import db, insert_ignoring_duplicates
from app.core.text import clean_text
from app.staff.audit.services import record
from app.staff.auth.models import StaffUser
from app.staff.authority.services import get_settings
from surveys.models import Answer
from surveys.safeguarding import screening, tasks
from surveys.safeguarding.models import FlagStatus, SafeguardingFlag, ScreeningRule

_cache: dict[str, object] = {"stamp": None, "rules": []}
SAID_LIMIT = 1600  # one long text message
KEYED_LIMIT = 20_000  # every free-text answer of a paper form, as keyed (twice)


def seed_rules() -> int:
    """Copy the shipped rules into the table, adding only keys it does not have yet, in the
    caller's transaction (committed with it).

    Screening calls this for the first answer with free text on a new install, inside the
    answer's own transaction: two people answering at that moment must both be screened and
    both stored, so a key another transaction added meanwhile is skipped by the database (an
    insert that ignores a duplicate key), not refused with an error that would lose the answer.
    """
    rows = [
        {
            "key": rule.id,
            "category": rule.category,
            "kind": rule.kind,
            "text": rule.text,
            "exclude": "\n".join(rule.exclude),
        }
        for rule in screening.load_rules()
    ]
    return insert_ignoring_duplicates(ScreeningRule, rows, "key")


def rules_version() -> tuple[sa.ScalarSelect[int], sa.ScalarSelect[datetime]]:
    """The screening list's version (how many rules, their last change) as two columns of the
    caller's statement, for ``use_rules_version``: the SMS webhook reads it with the one
    statement it asks everything else in, so screening its text asks nothing more."""
    return (
        sa.select(sa.func.count(ScreeningRule.id)).scalar_subquery(),
        sa.select(sa.func.max(ScreeningRule.updated_at)).scalar_subquery(),
    )


def use_rules_version(count: int, changed: datetime | None) -> None:
    """The list's version, read just now with ``rules_version``: the next screening in this
    request uses it instead of asking (once: a later one asks again)."""
    g.screening_rules_version = (count, changed)


def active_rules() -> list[screening.Rule]:
    stamp = g.pop("screening_rules_version", None) if has_app_context() else None
    if stamp is None:
        stamp = tuple(
            db.session.execute(
                sa.select(sa.func.count(ScreeningRule.id), sa.func.max(ScreeningRule.updated_at))
            ).one()
        )
    if stamp[0] == 0 or _cache.get("seeded") != str(db.engine.url):
        # New shipped rules (a key the table lacks) reach an install that has its list
        # already, once per process; a rule it has, edited or not, is left as it is.
        seed_rules()
        _cache["seeded"] = str(db.engine.url)
        stamp = db.session.execute(
            sa.select(sa.func.count(ScreeningRule.id), sa.func.max(ScreeningRule.updated_at))
        ).one()
    version = (str(db.engine.url), *stamp)
    if _cache["stamp"] != version:
        rows = db.session.scalars(sa.select(ScreeningRule).where(ScreeningRule.enabled))
        compiled = []
        for row in rows:
            try:
                compiled.append(
                    screening.Rule.build(
                        id=row.key,
                        category=row.category,
                        kind=row.kind,
                        text=row.text,
                        exclude=[e for e in row.exclude.splitlines() if e.strip()],
                    )
                )
            except screening.RuleError:
                # A rule edited outside the form: skip it rather than stop all screening.
                current_app.logger.error("Safeguarding rule %s cannot be compiled", row.key)
        _cache["rules"] = compiled
        _cache["stamp"] = version
    # _cache holds values of two types; "rules" is always this list.
    return _cache["rules"]  # type: ignore[return-value]


def screen_text(texts: list[str]) -> screening.ScreenResult:
    """Screen free text with the active list (rules and examples), as one result."""
    rules = active_rules()
    matches = []
    for text in texts:
        matches.extend(screening.screen(text, rules).matches)
    return screening.ScreenResult(bool(matches), matches)


def screen_answer(answer: Answer, texts: list[str], *, said: str = "") -> str | None:
    """Screen an answer's free text; raise (or refresh) a flag if it matches. ``said``: the
    words screened are not the answer's own but were sent beside it (a text channel's reply
    to a question that keeps no words): the flag keeps them for the lead.

    Returns the level ("likely", "possible") or None. Runs inside the caller's transaction, so
    the flag is saved with the answer or not at all; the lead's email for a "likely" flag is a
    job enqueued when that transaction commits, so a mail server that is down or hangs can
    neither lose the flag nor hold the answer's write.
    """
    result = screen_text(texts)
    return flag_answer(answer, result, texts, said=said) if result.flagged else None


def flag_answer(
    answer: Answer, result: screening.ScreenResult, words: list[str], *, said: str = ""
) -> str:
    """Raise (or refresh) ``answer``'s flag for a screening of ``words`` that matched (see
    screen_answer); for a caller that has screened the words already. Returns the level."""
    fields = _flag_fields(result)
    said = said[:SAID_LIMIT]
    # An answer not written yet (a text's, written at its commit) has no flag yet.
    flag = (
        None
        if answer.id is None
        else db.session.scalar(
            sa.select(SafeguardingFlag).where(SafeguardingFlag.answer_id == answer.id)
        )
    )
    if flag is not None:
        # A flag the lead closed ("no concern", "action taken") opens again: the young person
        # has written a risk again (changed the answer, texted beside it), which nobody has read.
        _refresh(flag, fields, said, reopen=True)
    elif (adoption := db.session.info.get(_ADOPTING)) is not None:
        _adopt(adoption, answer, fields, words_to_screen(words), said)
    else:
        flag = SafeguardingFlag(
            round_id=answer.response.round_id, answer=answer, said=said, **fields
        )
        db.session.add(flag)
        _notify_after_commit(flag)
    return fields["level"]


def _refresh(flag: SafeguardingFlag, fields: dict[str, str], said: str, *, reopen: bool) -> None:
    """A flag raised again: its screening as now, its level only ever rising, and (``reopen``)
    open again if the lead had closed it; the lead is told if it is newly likely or reopened."""
    reopened = reopen and flag.status in (FlagStatus.NO_CONCERN, FlagStatus.ACTION_TAKEN)
    if reopened:
        flag.status, flag.escalated, flag.raised_on = FlagStatus.NEW.value, False, today()
    newly_likely = fields["level"] == "likely" and flag.level != "likely"
    for name in ("rules", "categories", "layers"):
        setattr(flag, name, fields[name])
    if said:
        flag.said = said
    if newly_likely:
        flag.level = fields["level"]
    if newly_likely or reopened:
        _notify_after_commit(flag)


_ADOPTING = "safeguarding.adopting"


@dataclass
class _Adoption:
    """A paper form's flag raised at its keying (``flag_keyed``), while its answers are saved."""

    waiting: SafeguardingFlag
    read: str  # the words on it, which the lead has been told of
    taken: bool = False  # whether an answer has taken the flag over


@contextmanager
def adopting(waiting: SafeguardingFlag | None) -> Iterator[None]:
    """While a paper form's answers are saved at its verification: the flag its keying raised
    (``flag_keyed``), if any, becomes the flag of the first answer the engine flags, and every
    other answer flagged for words on it gets the lead's status and notes, so nobody is told
    twice about words the lead has read. Words the lead has not seen raise a flag as ever. If
    no answer flags (a settled keying without the words), it stays as it is, words and all."""
    if waiting is None:
        yield
        return
    db.session.info[_ADOPTING] = _Adoption(waiting, waiting.said)
    try:
        yield
    finally:
        db.session.info.pop(_ADOPTING, None)


def _adopt(
    adoption: _Adoption, answer: Answer, fields: dict[str, str], words: list[str], said: str
) -> None:
    """``answer`` flagged (for ``words``) while a paper form's answers are saved: see adopting."""
    read = all(word in adoption.read for word in words)
    round_id = answer.response.round_id
    if not adoption.taken:
        adoption.taken = True
        flag = adoption.waiting
        flag.answer, flag.round_id, flag.origin = answer, round_id, "answer"
        # Words keyed from the paper that this answer does not hold stay on the flag for the
        # lead (a settled keying may have dropped them, another answer may hold them).
        kept = [line for line in adoption.read.splitlines() if not any(line in w for w in words)]
        flag.said = "\n".join([*kept, said] if said else kept)[:KEYED_LIMIT]
        _refresh(flag, fields, "", reopen=not read)
        return
    if read:  # another answer with words the lead has read: their status and notes, untold
        waiting = adoption.waiting
        copied = {
            "status": waiting.status,
            "note": waiting.note,
            "reviewed_by_id": waiting.reviewed_by_id,
            "escalated": waiting.escalated,
            "raised_on": waiting.raised_on,
        }
        db.session.add(
            SafeguardingFlag(round_id=round_id, answer=answer, said=said, **fields, **copied)
        )
        return
    flag = SafeguardingFlag(round_id=round_id, answer=answer, said=said, **fields)
    db.session.add(flag)
    _notify_after_commit(flag)


def words_to_screen(words: list[str]) -> list[str]:
    """Typed or texted words as screened and kept on a flag: cleaned, and only the pieces with
    letters in them (a date or a score has nothing to screen)."""
    cleaned = (clean_text(word) for word in words)
    return [word for word in cleaned if any(c.isalpha() for c in word)]


def flag_words(
    words: list[str], round_id: int | None, origin: str = "text", *, once: bool = False
) -> str | None:
    """Screen words that no answer keeps and flag a risk in them: a text from a number in no
    survey, words posted to a round that closed meanwhile (``origin``, one of FLAG_ORIGINS).
    The flag keeps the words, the date and the round they were about (``round_id``, if any)
    and nothing of who sent them. ``once``: the same words from the same place again (a late
    paper form keyed twice, one name on two sign-ups) refresh the flag they raised, not a
    second one. Returns the level, or None. Saved in the caller's transaction, the lead's
    email after its commit."""
    typed = words_to_screen(words)
    result = screen_text(typed) if typed else None
    if result is None or not result.flagged:
        return None
    fields = _flag_fields(result)
    said = "\n".join(typed)[:SAID_LIMIT]
    if once and (
        same := db.session.scalar(
            sa.select(SafeguardingFlag).where(
                SafeguardingFlag.round_id == round_id,
                SafeguardingFlag.origin == origin,
                SafeguardingFlag.said == said,
            )
        )
    ):
        _refresh(same, fields, "", reopen=False)
        return fields["level"]
    flag = SafeguardingFlag(round_id=round_id, said=said, origin=origin, **fields)
    db.session.add(flag)
    _notify_after_commit(flag)
    return fields["level"]


def flag_keyed(
    words: list[str], round_id: int, waiting: SafeguardingFlag | None
) -> SafeguardingFlag | None:
    """Flag a risk in words keyed from a paper form that waits for a second keying (double
    entry): now, not when it is verified, which may be days later or never. The flag keeps
    the answers that matched, not the form's other words. ``waiting``: the flag an earlier
    keying of the same form raised, which this one refreshes (reopening it only for risky
    words the lead has not read). Returns the form's flag, or None."""
    risky = risky_words(words)
    if not risky:
        return waiting
    fields = _flag_fields(screen_text(risky))
    if waiting is None:
        said = "\n".join(risky)[:KEYED_LIMIT]
        flag = SafeguardingFlag(round_id=round_id, said=said, origin="keyed", **fields)
        db.session.add(flag)
        _notify_after_commit(flag)
        return flag
    new_words = [word for word in risky if word not in waiting.said]
    merged = "\n".join(w for w in (waiting.said, *new_words) if w)[:KEYED_LIMIT]
    _refresh(waiting, fields, merged, reopen=bool(new_words))
    return waiting


def risky_words(words: list[str]) -> list[str]:
    """The pieces of ``words`` (as screened) that match the list on their own: a match is
    always within one piece, so these are all a flag needs to keep of a form's answers."""
    return [word for word in words_to_screen(words) if screen_text([word]).flagged]


def note_voided(flag: SafeguardingFlag, why: str) -> None:
    """A flag whose paper form was voided (``keep_flags_of``, or before it was verified): it
    stays for the lead with its words and a note of ``why``."""
    flag.note = (flag.note + "\n\n" if flag.note else "") + why
    flag.origin = "voided"


def _flag_fields(result: screening.ScreenResult) -> dict[str, str]:
    """What a flag records of a screening that matched: its rules, concerns, level, layers."""
    return {
        "rules": "|".join(sorted({m.rule_id for m in result.matches}))[:500],
        "categories": "|".join(sorted({m.category for m in result.matches}))[:300],
        "level": result.level or "possible",
        "layers": "|".join(result.layers)[:60],
    }


def _notify_after_commit(flag: SafeguardingFlag) -> None:
    """A "likely" flag is emailed to the lead by the job consumer once it is committed (see
    tasks.py); a "possible" one waits on the lead's list."""
    if flag.level != "likely":
        return
    categories = flag.categories.split("|")
    if flag.answer is not None:
        jobs.enqueue_after_commit(tasks.notify_lead, flag.answer.response.round.name, categories)
    else:
        jobs.enqueue_after_commit(tasks.notify_lead, None, categories, flag.origin)


def keep_flags_of(response_id: int, words: dict[int, str], why: str) -> int:
    """Before a response is deleted (a paper form voided after keying): each flag on its
    answers stays for the lead, keeping the answer's words (``words``: by answer id) and a
    note of ``why``, and no longer points at the answer. How many were kept."""
    kept = list(
        db.session.scalars(
            sa.select(SafeguardingFlag)
            .join(Answer, SafeguardingFlag.answer_id == Answer.id)
            .where(Answer.response_id == response_id)
        )
    )
    for flag in kept:
        assert flag.answer_id is not None  # joined on it
        flag.said = "\n".join(w for w in (words.get(flag.answer_id, ""), flag.said) if w)
        flag.said = flag.said[:SAID_LIMIT]
        flag.answer_id = None
        note_voided(flag, why)
    db.session.flush()
    return len(kept)


def overdue_flags() -> list[SafeguardingFlag]:
    """New flags nobody has reviewed within the authority's escalation time, not yet escalated.

    A flag keeps the date it was raised, not the time (anonymity): a flag counts as that many
    whole days old, so with the default 24 hours it is escalated the day after it was raised.
    """
    hours = escalate_hours()
    days = max(1, -(-hours // 24))
    cutoff = today() - timedelta(days=days)
    return list(
        db.session.scalars(
            sa.select(SafeguardingFlag)
            .where(
                SafeguardingFlag.status == FlagStatus.NEW,
                SafeguardingFlag.escalated.is_(False),
                SafeguardingFlag.raised_on <= cutoff,
            )
            .order_by(SafeguardingFlag.id)
        )
    )


def escalate_overdue() -> int:
    """Email the deputy about overdue flags (a count and the rounds, never answer text)."""
    overdue = overdue_flags()
    if not overdue:
        return 0
    settings = get_settings()
    to = settings.safeguarding_deputy_email or settings.safeguarding_lead_email
    if not to:
        current_app.logger.warning("Safeguarding flags overdue but no deputy email is set")
        return 0
    for flag in overdue:
        flag.escalated = True
    rounds = sorted({f.where for f in overdue})
    likely = sum(1 for f in overdue if f.level == "likely")
    db.session.commit()
    tasks.notify_deputy(len(overdue), likely, rounds)  # a Huey task: calling it enqueues it
    return len(overdue)


def escalate_hours() -> int:
    return get_settings().safeguarding_escalate_hours or 24


def age_in_days(flag: SafeguardingFlag) -> int:
    return (today() - flag.raised_on).days


@dataclass(frozen=True)
class FlagCounts:
    new: int
    open: int


def flags(status: str | None = None) -> list[SafeguardingFlag]:
    query = sa.select(SafeguardingFlag).order_by(
        SafeguardingFlag.raised_on.desc(), SafeguardingFlag.id.desc()
    )
    if status:
        query = query.where(SafeguardingFlag.status == status)
    return list(db.session.scalars(query))


def counts() -> FlagCounts:
    new = (
        db.session.scalar(
            sa.select(sa.func.count()).where(SafeguardingFlag.status == FlagStatus.NEW)
        )
        or 0
    )
    open_ = (
        db.session.scalar(
            sa.select(sa.func.count()).where(
                SafeguardingFlag.status.in_([FlagStatus.NEW, FlagStatus.REVIEWED])
            )
        )
        or 0
    )
    return FlagCounts(new=new, open=open_)


def view_flag(flag: SafeguardingFlag, viewer: StaffUser) -> SafeguardingFlag:
    record("safeguarding.view", flag, actor=viewer)
    db.session.commit()
    return flag


def update_flag(flag: SafeguardingFlag, status: FlagStatus, note: str, lead: StaffUser) -> None:
    flag.status = status.value
    if note.strip():
        stamp = utcnow().strftime("%Y-%m-%d %H:%M")
        flag.note = (
            flag.note + "\n\n" if flag.note else ""
        ) + f"{stamp} {lead.name}: {note.strip()}"
    flag.reviewed_by_id = lead.id
    record("safeguarding.update", flag, actor=lead, detail=status.value)
    db.session.commit()


class RuleInvalid(ValueError):
    """A screening rule cannot be saved as entered."""


def rules_for_admin() -> list[ScreeningRule]:
    if not db.session.scalar(sa.select(sa.func.count(ScreeningRule.id))):
        seed_rules()
        db.session.commit()
    return list(
        db.session.scalars(
            sa.select(ScreeningRule).order_by(ScreeningRule.category, ScreeningRule.key)
        )
    )


def save_rule(
    rule: ScreeningRule | None,
    *,
    key: str,
    category: str,
    kind: str,
    text: str,
    exclude: str,
    enabled: bool,
) -> ScreeningRule:
    clash = db.session.scalar(sa.select(ScreeningRule).where(ScreeningRule.key == key))
    if clash is not None and clash is not rule:
        raise RuleInvalid("A rule with this short name already exists")
    if rule is None:
        rule = ScreeningRule(key=key)
        db.session.add(rule)
    rule.key, rule.category, rule.kind, rule.text = key, category, kind, text.strip()
    rule.exclude, rule.enabled = exclude.strip(), enabled
    rule.updated_at = utcnow()
    db.session.flush()
    record("safeguarding.rule_save", rule, detail=f"{key} enabled={enabled}")
    db.session.commit()
    return rule
