"""The SMS channel's routes: Twilio's webhooks, GOV.UK Notify's received-text callback, the
phone simulator and the outbox for staff.

The webhooks declare @public (providers do not sign in) and are exempt from CSRF: Twilio's
signature (webhook.py) or Notify's bearer token (app/messaging/notify.py) is their proof
instead, and ``@signed`` marks them so. Both feed the same conversation (conversation.py);
Notify's replies are sent through its API after the answer is saved, not in the response.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)

from app.core.extensions import csrf
from app.core.pages import render_page_or_partial
from app.messaging import notify
from app.messaging import services as messaging
from app.messaging.webhook import signed, signed_form
from app.staff.auth.access import allow, public
from app.staff.auth.models import Role
from surveys.sms import services, simulator
from surveys.sms.conversation import Inbound, InboundBusy, handle_inbound
from surveys.sms.forms import ClearForm, SimulatorForm

bp = Blueprint("sms", __name__)

SMS_STAFF = (Role.ADMIN, Role.PARTICIPATION_WORKER)
TWIML = "text/xml; charset=utf-8"


@bp.post("/sms/twilio/inbound")
@public
@signed
@csrf.exempt
def inbound():
    params = signed_form(required=("MessageSid", "From"))
    try:
        num_media = int(params.get("NumMedia") or 0)
    except ValueError:
        abort(400)
    message = Inbound(
        message_sid=params["MessageSid"][:64],
        from_number=params["From"][:40],
        body=params.get("Body", ""),
        num_media=num_media,
    )
    try:
        reply = handle_inbound(message)
    except InboundBusy:
        return Response("Busy", status=503, headers={"Retry-After": "2"}, mimetype="text/plain")
    return Response(reply, mimetype=TWIML)


@bp.post("/sms/notify/inbound")
@public
@signed
@csrf.exempt
def notify_inbound():
    data = notify.callback_json(required=("id", "source_number"))
    message = Inbound(
        message_sid=data["id"][:64],
        from_number=notify.inbound_number(data["source_number"])[:40],
        body=str(data.get("message") or ""),
        provider="notify",
    )
    try:
        handle_inbound(message, send_reply=services.reply_by_notify)
    except InboundBusy:
        return Response("Busy", status=503, headers={"Retry-After": "2"}, mimetype="text/plain")
    return Response(status=204)


@bp.post("/sms/twilio/status")
@public
@signed
@csrf.exempt
def status():
    params = signed_form(required=("MessageSid", "MessageStatus"))
    messaging.record_status(
        ref=request.args.get("ref"),
        message_sid=params["MessageSid"],
        status=params["MessageStatus"],
        error_code=params.get("ErrorCode", ""),
        to=params.get("To", ""),
    )
    return Response(status=204)


@bp.route("/staff/sms/simulator", methods=["GET", "POST"])
@allow(*SMS_STAFF)
def phone_simulator():
    enabled = current_app.config["SMS_SIMULATOR_ENABLED"]
    form = SimulatorForm()
    status = 200
    if form.is_submitted() and not enabled:
        abort(404)
    if form.validate_on_submit():
        simulator.send(form.number.data.strip(), form.message.data)
        form.message.data = ""
        if not _htmx():
            return redirect(url_for("sms.phone_simulator", number=form.number.data.strip()))
    elif form.is_submitted():
        status = 400
    else:
        form.number.data = (request.args.get("number") or form.number.default)[:40]
    page = render_page_or_partial(
        "sms/simulator.html",
        "sms/_partials/simulator_phone.html",
        form=form,
        clear_form=ClearForm(prefix="clear"),
        enabled=enabled,
        texts=simulator.history(),
    )
    page.status_code = status
    return page


@bp.post("/staff/sms/simulator/clear")
@allow(*SMS_STAFF)
def clear_simulator():
    form = ClearForm(prefix="clear")
    if form.validate_on_submit():
        simulator.clear()
    return redirect(url_for("sms.phone_simulator"))


@bp.get("/staff/sms/outbox")
@allow(*SMS_STAFF)
def outbox():
    return render_template(
        "sms/outbox.html",
        messages=messaging.recent_outbound(),
        counts=messaging.outbox_counts(),
        costs=[services.round_cost(r) for r in services.sms_rounds()],
        price=current_app.config["SMS_PRICE_PER_SEGMENT_PENCE"],
        masked=messaging.masked,
    )


def _htmx() -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx and not htmx.boosted)
