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
    session,
    url_for,
)
from flask_login import current_user

from app.core.extensions import configured_limit, db, limiter
from app.core.forms import ConfirmForm
from app.staff.auth import oidc, sessions
from app.staff.auth.access import ALL_STAFF, allow, public
from app.staff.auth.forms import (
    ApproveSignInForm,
    ChangePasswordForm,
    EditUserForm,
    NewUserForm,
    SignInForm,
)
from app.staff.auth.models import Role, SignInRequest, StaffUser
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
    return _sign_in_page(form, error)


def _sign_in_page(form: SignInForm, error: str | None):
    provider = current_app.config["OIDC_PROVIDER_NAME"] if oidc.enabled() else None
    page = render_template("auth/sign_in.html", form=form, error=error, oidc_provider_name=provider)
    return page, 200 if not error else 401


OIDC_FAILED = (
    "We could not sign you in with your council account. Try again, or ask your admin for help"
)
_NEXT = "oidc_next"


@bp.get("/sign-in/oidc")
@public
def oidc_sign_in():
    if not oidc.enabled():
        abort(404)
    response = oidc.begin_sign_in()
    session[_NEXT] = _safe_next(request.args.get("next"))
    return response


@bp.get("/sign-in/oidc/callback")
@limiter.limit(_sign_in_limit)
@public
def oidc_callback():
    if not oidc.enabled():
        abort(404)
    next_page = _safe_next(session.get(_NEXT))
    try:
        user, id_token = oidc.finish_sign_in()
    except oidc.AwaitingApproval:
        return render_template("auth/awaiting_approval.html"), 403
    except oidc.OidcSignInRefused:
        return _sign_in_page(SignInForm(), OIDC_FAILED)
    sessions.begin(user, id_token=id_token)
    return redirect(next_page)


@bp.post("/sign-out")
@allow(*ALL_STAFF)
def sign_out():
    sign_out_everywhere(current_user._get_current_object())
    id_token = sessions.end()
    flash("You have signed out.")
    provider_logout = oidc.logout_url(id_token) if id_token and oidc.enabled() else None
    return redirect(provider_logout or url_for("auth.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"], endpoint="change_password")
@allow(*ALL_STAFF)
def change_password_page():
    if current_user.uses_oidc:
        flash("You sign in with your council account: change its password with your council.")
        return redirect(url_for("main.staff_home"))
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
    requests = oidc.list_requests() if oidc.enabled() else []
    return render_template("auth/users.html", users=list_users(), requests=requests)


def _request_or_404(request_id: int) -> SignInRequest:
    return db.session.get(SignInRequest, request_id) or abort(404)


@bp.route("/admin/users/requests/<int:request_id>", methods=["GET", "POST"])
@allow(Role.ADMIN)
def sign_in_request(request_id: int):
    sign_in = _request_or_404(request_id)
    form = ApproveSignInForm()
    if form.validate_on_submit():
        try:
            user = oidc.approve(sign_in, Role(form.role.data), actor=current_user)
        except AccountInvalid as exc:
            form.role.errors = [*form.role.errors, str(exc)]
        else:
            flash(f"{user.name} can now sign in as {user.role_enum.label.lower()}.")
            return redirect(url_for("auth.users"))
    return render_template(
        "auth/sign_in_request.html", form=form, sign_in=sign_in, refuse_form=ConfirmForm()
    )


@bp.post("/admin/users/requests/<int:request_id>/refuse")
@allow(Role.ADMIN)
def refuse_sign_in_request(request_id: int):
    sign_in = _request_or_404(request_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    oidc.refuse(sign_in, actor=current_user)
    flash(f"{sign_in.name} cannot sign in.")
    return redirect(url_for("auth.users"))


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
