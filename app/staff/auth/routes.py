"""Sign-in, sign-out, password change, and the admin's staff account pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from app.core.extensions import configured_limit, db, limiter
from app.core.forms import ConfirmForm
from app.staff.auth import sessions
from app.staff.auth.access import ALL_STAFF, allow, public
from app.staff.auth.forms import ChangePasswordForm, EditUserForm, NewUserForm, SignInForm
from app.staff.auth.models import Role, StaffUser
from app.staff.auth.services import (
    AccountInvalid,
    AccountLocked,
    SignInFailed,
    authenticate,
    change_password,
    create_user,
    generate_temporary_password,
    list_users,
    reset_password,
    update_user,
)
from app.staff.auth.services import sign_out as sign_out_everywhere

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only follow a 'next' link that stays on this site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and "\\" not in target:
            return target
    return url_for("main.staff_home")


SIGN_IN_FAILED = (
    "Enter a correct email address and password. After 5 wrong tries, sign-in stops for "
    "15 minutes on a computer you have not used before"
)


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


def _account_key() -> str:
    """Per account, wherever the attempts come from (the email as typed, folded)."""
    return "sign-in:" + (request.form.get("email") or "").strip().lower()[:254]


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"])
@limiter.limit(
    configured_limit("SIGN_IN_ACCOUNT_RATE_LIMIT"), methods=["POST"], key_func=_account_key
)
@public
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("main.staff_home"))
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        try:
            user = authenticate(
                form.email.data, form.password.data, known_device_of=sessions.known_device_of()
            )
        except (AccountLocked, SignInFailed):
            # One message whether the account exists, the password is wrong or it is locked.
            error = SIGN_IN_FAILED
        else:
            sessions.begin(user)
            return sessions.remember_device(redirect(_safe_next(request.args.get("next"))), user)
    return render_template("auth/sign_in.html", form=form, error=error), 200 if not error else 401


@bp.post("/sign-out")
@allow(*ALL_STAFF)
def sign_out():
    sign_out_everywhere(current_user._get_current_object())
    sessions.end()
    flash("You have signed out.")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"], endpoint="change_password")
@allow(*ALL_STAFF)
def change_password_page():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(current_user, form.current_password.data, form.new_password.data)
        except AccountInvalid as exc:
            form.new_password.errors.append(str(exc))
        else:
            sessions.renew(current_user._get_current_object())
            flash("Your password has been changed.")
            return redirect(url_for("main.staff_home"))
    return render_template("auth/change_password.html", form=form)


@bp.get("/admin/users")
@allow(Role.ADMIN)
def users():
    return render_template("auth/users.html", users=list_users())


@bp.route("/admin/users/new", methods=["GET", "POST"])
@allow(Role.ADMIN)
def new_user():
    form = NewUserForm()
    if form.validate_on_submit():
        temporary = generate_temporary_password()
        try:
            user = create_user(
                form.email.data, form.name.data, Role(form.role.data), temporary, actor=current_user
            )
        except AccountInvalid as exc:
            form.email.errors.append(str(exc))
        else:
            return render_template("auth/password_issued.html", user=user, password=temporary)
    return render_template("auth/user_form.html", form=form, title="Create a staff account")


def _user_or_404(user_id: int) -> StaffUser:
    return db.session.get(StaffUser, user_id) or abort(404)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit_user(user_id: int):
    user = _user_or_404(user_id)
    form = EditUserForm(obj=user, enabled=user.is_enabled)
    if form.validate_on_submit():
        try:
            update_user(
                user,
                name=form.name.data or "",
                role=Role(form.role.data),
                enabled=form.enabled.data,
                actor=current_user,
            )
        except AccountInvalid as exc:
            form.enabled.errors = [*form.enabled.errors, str(exc)]
        else:
            flash(f"Changes to {user.name}'s account are saved.")
            return redirect(url_for("auth.users"))
    return render_template("auth/user_edit.html", form=form, user=user, reset_form=ConfirmForm())


@bp.post("/admin/users/<int:user_id>/reset-password")
@allow(Role.ADMIN)
def reset_user_password(user_id: int):
    user = _user_or_404(user_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    temporary = reset_password(user, actor=current_user)
    return render_template("auth/password_issued.html", user=user, password=temporary)
