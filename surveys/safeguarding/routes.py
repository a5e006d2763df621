"""The safeguarding lead's flags, and the admin's screening list."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.core.extensions import db
from app.staff.auth.access import allow
from app.staff.auth.models import Role
from surveys.engine import answer_summary
from surveys.safeguarding import services
from surveys.safeguarding.forms import CATEGORIES, FlagUpdateForm, ScreeningRuleForm
from surveys.safeguarding.models import (
    FLAG_STATUS_LABELS,
    FlagStatus,
    SafeguardingFlag,
    ScreeningRule,
)

bp = Blueprint("safeguarding", __name__)


@bp.get("/safeguarding")
@allow(Role.SAFEGUARDING_LEAD)
def flags():
    status = request.args.get("status") or None
    if status and status not in {s.value for s in FlagStatus}:
        status = None
    items = services.flags(status)
    return render_template(
        "safeguarding/flags.html",
        flags=items,
        ages={f.id: services.age_in_days(f) for f in items},
        escalate_hours=services.escalate_hours(),
        status=status,
        labels=FLAG_STATUS_LABELS,
        counts=services.counts(),
    )


@bp.route("/safeguarding/<int:flag_id>", methods=["GET", "POST"])
@allow(Role.SAFEGUARDING_LEAD)
def flag(flag_id: int):
    item = db.session.get(SafeguardingFlag, flag_id) or abort(404)
    form = FlagUpdateForm(status=item.status)
    if form.validate_on_submit():
        services.update_flag(item, FlagStatus(form.status.data), form.note.data or "", current_user)
        flash("Flag updated.")
        return redirect(url_for("safeguarding.flags"))
    services.view_flag(item, current_user)
    answer = item.answer  # None for a text outside a survey: its words are on the flag
    return render_template(
        "safeguarding/flag.html",
        flag=item,
        form=form,
        question=answer.question if answer else None,
        text=answer_summary(answer.question, answer) if answer else "",
        labels=FLAG_STATUS_LABELS,
    )


@bp.get("/admin/safeguarding-rules")
@allow(Role.ADMIN)
def rules():
    return render_template(
        "safeguarding/rules.html", rules=services.rules_for_admin(), categories=dict(CATEGORIES)
    )


@bp.route("/admin/safeguarding-rules/new", methods=["GET", "POST"], defaults={"rule_id": None})
@bp.route("/admin/safeguarding-rules/<int:rule_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit_rule(rule_id: int | None):
    rule = db.session.get(ScreeningRule, rule_id) if rule_id else None
    if rule_id and rule is None:
        abort(404)
    form = ScreeningRuleForm(obj=rule)
    if form.validate_on_submit():
        try:
            services.save_rule(
                rule,
                key=form.key.data or "",
                category=form.category.data,
                kind=form.kind.data,
                text=form.text.data or "",
                exclude=form.exclude.data or "",
                enabled=form.enabled.data,
            )
        except services.RuleInvalid as exc:
            form.key.errors = [*form.key.errors, str(exc)]
        else:
            flash("Screening rule saved.")
            return redirect(url_for("safeguarding.rules"))
    return render_template("safeguarding/rule_form.html", form=form, rule=rule)
