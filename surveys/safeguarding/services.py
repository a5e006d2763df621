"""Safeguarding rules in the database, screening answers as they are saved, and the lead's flags.

The screening list starts as surveys/safeguarding/default_rules.toml and lives in the
screening_rule table, where an admin can edit it. Compiled rules are cached per process and
rebuilt when the table changes (its row count or newest update differs).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from app.core import jobs
from app.core.clock import utcnow
from app.core.extensions import db
from app.staff.audit.services import record
from app.staff.auth.models import StaffUser
from surveys.models import Answer
from surveys.safeguarding import screening, tasks
from surveys.safeguarding.models import FlagStatus, SafeguardingFlag, ScreeningRule

_cache: dict[str, object] = {"stamp": None, "rules": []}


def seed_rules() -> int:
    """Copy the shipped rules into the table, adding only keys it does not have yet."""
    have = set(db.session.scalars(sa.select(ScreeningRule.key)))
    added = 0
    for rule in screening.load_rules():
        if rule.id in have:
            continue
        db.session.add(
            ScreeningRule(
                key=rule.id,
                category=rule.category,
                kind=rule.kind,
                text=rule.text,
                exclude="\n".join(rule.exclude),
            )
        )
        added += 1
    db.session.commit()
    return added


def active_rules() -> list[screening.Rule]:
    stamp = db.session.execute(
        sa.select(sa.func.count(ScreeningRule.id), sa.func.max(ScreeningRule.updated_at))
    ).one()
    if stamp[0] == 0:
        seed_rules()
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


def screen_answer(answer: Answer, texts: list[str]) -> bool:
    """Screen an answer's free text; raise (or refresh) a flag for the lead if it matches.

    Runs inside the caller's transaction, so the flag is saved with the answer or not at all;
    the lead's email is a job enqueued when that transaction commits.
    """
    rules = active_rules()
    matches = []
    for text in texts:
        matches.extend(screening.screen(text, rules).matches)
    if not matches:
        return False
    keys = sorted({m.rule_id for m in matches})
    categories = sorted({m.category for m in matches})
    flag = db.session.scalar(
        sa.select(SafeguardingFlag).where(SafeguardingFlag.answer_id == answer.id)
    )
    rules_text, categories_text = "|".join(keys)[:500], "|".join(categories)[:300]
    if flag is not None:
        flag.rules, flag.categories = rules_text, categories_text
        return True
    db.session.add(
        SafeguardingFlag(
            round_id=answer.response.round_id,
            answer=answer,
            rules=rules_text,
            categories=categories_text,
        )
    )
    # Sent by the job consumer once the answer and its flag are committed (see tasks.py).
    jobs.enqueue_after_commit(tasks.notify_lead, answer.response.round.name, categories)
    return True


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
