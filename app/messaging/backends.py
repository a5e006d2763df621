"""Where texts go: one small interface, three backends (SMS_BACKEND in config.py).

``send(to, body, *, status_callback, reference) -> provider_sid`` sends one text or raises:
- TemporarySendError: worth trying again later (HTTP 429 and 5xx, Twilio's 20429 "too many
  requests", network errors). The worker retries with exponential backoff.
- PermanentSendError: trying again cannot help (21211 invalid number, 21610 unsubscribed,
  21614 not a mobile, ...). ``unreachable`` says the number itself is the problem, and the
  worker records it so nothing is queued for it again.

"console" (the default) sends nothing: the text stays in the outbox table, which the outbox page
and the phone simulator show. "twilio" uses the real SDK (twilio.rest.Client) with the account
SID and auth token, and the messaging service SID or a from-number, plus an optional validity
period. Tests reach a fake Twilio server by giving the SDK an ``http_client`` that rewrites the
API host (see tests/surveys/sms/fake_twilio.py); nothing in here knows about tests.

"notify" uses GOV.UK Notify's own client (notifications-python-client) with NOTIFY_API_KEY.
Belonging keeps its wording: every text goes through one generic Notify text template whose
whole content is ``((body))``, and every email through one email template whose subject is
``((subject))`` and content ``((body))`` (README, "GOV.UK Notify"). Letters go as precompiled
PDFs (``send_letter``). ``reference`` is our own id for the message (the outbound message id,
or a contact message's key): Notify gives it back in delivery receipts. Notify's errors
(docs.notifications.service.gov.uk, "Error codes"): 429 (RateLimitError, TooManyRequestsError)
and 5xx are temporary; 400 (BadRequestError, ValidationError) and 403 are permanent, with
Notify's reason as the error's message; a 400 about the phone number means the number cannot
get texts. The client turns every network error into a 503, hiding whether the request left
us, so its cause (the requests error it chains) is read instead: a timeout is "outcome unknown"
(below), never a plain 503 to resend. Tests point
NOTIFY_BASE_URL at a local fake Notify API (tests/app/messaging/fake_notify.py).

Outcome unknown. A network error before the request left us (no connection) is temporary: it
was not sent, so it is sent again later. One after it left (a read timeout, a dropped
connection) is ``UncertainSendError``: the provider may have accepted it. The worker never resends
such a text blindly: first ``find_sent`` asks the provider whether it already holds it, and
records that message's id if so. Twilio documents no idempotency key for creating a message
(its ``I-Twilio-Idempotency-Token`` is a header on the webhooks Twilio sends us, which the
inbound webhook already dedupes by MessageSid), so the lookup is the guard: Twilio's message list
for that number, newest first, matched on the body and a creation time after the attempt
started. Notify keeps our ``reference`` and lists notifications by it.
"""

from __future__ import annotations

import io
import logging
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import requests  # loaded anyway by Notify's client, below: its errors say how a send ended
from flask import Flask, current_app
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

log = logging.getLogger(__name__)

TWILIO_TIMEOUT_SECONDS = 10
LOOKUP_LIMIT = 20  # a person gets a handful of texts a day at most
CLOCK_SKEW = timedelta(minutes=5)  # between our clock and the provider's
TEMPORARY_CODES = {20429, 20500, 20503, 30001, 30008}
# Error codes that say this number cannot get our texts (API errors and delivery receipts).
UNREACHABLE_CODES = {21211, 21214, 21610, 21612, 21614, 30005, 30006}


class SendError(Exception):
    def __init__(self, message: str, code: str = "", *, unreachable: bool = False):
        super().__init__(message)
        self.code = str(code or "")[:16]
        self.unreachable = unreachable


class TemporarySendError(SendError):
    pass


class PermanentSendError(SendError):
    pass


class UncertainSendError(TemporarySendError):
    """The request may have reached the provider: look it up (``find_sent``) before resending."""


class SmsBackend(Protocol):
    name: str

    def send(
        self,
        to: str,
        body: str,
        *,
        status_callback: str | None = None,
        reference: str | None = None,
    ) -> str: ...

    def find_sent(self, to: str, body: str, *, reference: str, since: datetime) -> str | None:
        """The provider's id for this text if an earlier attempt (started at ``since``, naive
        UTC) reached it; None if it holds no such text. Raises SendError if it cannot tell."""
        ...


class ConsoleBackend:
    """Development and training: the outbox table is the phone. Nothing leaves the machine."""

    name = "console"

    def send(
        self,
        to: str,
        body: str,
        *,
        status_callback: str | None = None,
        reference: str | None = None,
    ) -> str:
        log.info("Console SMS to ...%s (%d characters)", to[-3:], len(body))
        return f"console-{uuid.uuid4().hex}"

    def find_sent(self, to: str, body: str, *, reference: str, since: datetime) -> str | None:
        return None  # nothing left the machine: sending again texts nobody


class TwilioBackend:
    name = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        *,
        messaging_service_sid: str | None = None,
        from_number: str | None = None,
        validity_period: int | None = None,
        http_client=None,
        api_base_url: str | None = None,
    ):
        from twilio.rest import Client

        if not (messaging_service_sid or from_number):
            raise ValueError("Set TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER")
        if http_client is None and api_base_url:
            http_client = rebased_http_client(api_base_url)
        self.client = Client(account_sid, auth_token, http_client=http_client)
        self.messaging_service_sid = messaging_service_sid
        self.from_number = from_number
        self.validity_period = validity_period

    def send(
        self,
        to: str,
        body: str,
        *,
        status_callback: str | None = None,
        reference: str | None = None,
    ) -> str:
        from twilio.base import values
        from twilio.base.exceptions import TwilioException, TwilioRestException

        try:
            message = self.client.messages.create(
                to=to,
                body=body,
                messaging_service_sid=self.messaging_service_sid or values.unset,
                from_=values.unset if self.messaging_service_sid else self.from_number,
                status_callback=status_callback or values.unset,
                validity_period=self.validity_period or values.unset,
            )
        except TwilioRestException as exc:
            raise classify(exc.status, exc.code, exc.msg) from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise network_error(exc) from None
        except TwilioException as exc:
            raise TemporarySendError(f"Twilio client error: {exc}", "client") from None
        return message.sid

    def find_sent(self, to: str, body: str, *, reference: str, since: datetime) -> str | None:
        # The SDK loads only where it is used, like send() above (start-up cost).
        from twilio.base.exceptions import TwilioException, TwilioRestException

        earliest = since.replace(tzinfo=UTC) - CLOCK_SKEW
        try:
            recent = self.client.messages.list(to=to, limit=LOOKUP_LIMIT)  # newest first
        except TwilioRestException as exc:
            raise classify(exc.status, exc.code, exc.msg) from None
        except (requests.RequestException, TwilioException) as exc:
            raise TemporarySendError(f"Lookup failed: {type(exc).__name__}", "lookup") from None
        for message in recent:
            created = message.date_created
            if message.body == body and (created is None or created >= earliest):
                return message.sid
        return None


def network_error(exc: requests.RequestException) -> SendError:
    """A network failure while sending: temporary if the request cannot have left us (the
    connection was refused or timed out), ``UncertainSendError`` if it may have arrived."""
    if isinstance(exc, requests.ConnectTimeout):
        return TemporarySendError("Network error: ConnectTimeout", "network")
    if isinstance(exc, requests.ConnectionError) and _never_connected(exc):
        return TemporarySendError("Network error: no connection", "network")
    return UncertainSendError(f"Network error: {type(exc).__name__}", "uncertain")


def _notify_error(exc: APIError) -> SendError:
    """Notify's client error as ours; a network error (its "503") by its cause."""
    cause = exc.__cause__
    if isinstance(cause, requests.RequestException) and cause.response is None:
        return network_error(cause)
    return classify_notify(exc.status_code, exc.message)


def _never_connected(exc: Exception) -> bool:
    """True when the request cannot have reached the server (refused, no route, DNS)."""
    from urllib3.exceptions import NewConnectionError  # with requests, only where it is used

    reason = exc.args[0] if exc.args else None
    return isinstance(getattr(reason, "reason", reason), NewConnectionError)


def rebased_http_client(base_url: str):
    """The SDK's own HTTP client, sending to ``base_url`` instead of https://api.twilio.com."""
    from twilio.http.http_client import TwilioHttpClient  # the SDK loads only where used

    class RebasedHttpClient(TwilioHttpClient):
        def request(self, method, url, *args, **kwargs):
            url = url.replace("https://api.twilio.com", base_url.rstrip("/"))
            return super().request(method, url, *args, **kwargs)

    return RebasedHttpClient(timeout=TWILIO_TIMEOUT_SECONDS)


def classify(status: int | None, code: int | None, message: str = "") -> SendError:
    """Turn an HTTP status and Twilio error code into a temporary or permanent error."""
    label = str(code or status or "")
    if (status or 0) == 429 or (status or 0) >= 500 or code in TEMPORARY_CODES:
        return TemporarySendError(message or "Twilio is busy", label)
    return PermanentSendError(
        message or "Twilio refused the text", label, unreachable=code in UNREACHABLE_CODES
    )


class NotifyBackend:
    """GOV.UK Notify: texts, emails and precompiled letters through its own client."""

    name = "notify"

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str,
        sms_template_id: str | None = None,
        email_template_id: str | None = None,
        sms_sender_id: str | None = None,
        letter_postage: str | None = None,
        timeout: int = 10,
    ):
        if not api_key:
            raise ValueError("Set NOTIFY_API_KEY to use GOV.UK Notify")
        self.client = NotificationsAPIClient(api_key, base_url=base_url, timeout=timeout)
        self.sms_template_id = sms_template_id
        self.email_template_id = email_template_id
        self.sms_sender_id = sms_sender_id
        self.letter_postage = letter_postage

    def send(
        self,
        to: str,
        body: str,
        *,
        status_callback: str | None = None,  # Notify's callback URL is set in its settings
        reference: str | None = None,
    ) -> str:
        if not self.sms_template_id:
            raise PermanentSendError("Set NOTIFY_SMS_TEMPLATE_ID", "config")
        return self._call(
            self.client.send_sms_notification,
            phone_number=to,
            template_id=self.sms_template_id,
            personalisation={"body": body},
            reference=reference,
            sms_sender_id=self.sms_sender_id,
        )

    def find_sent(self, to: str, body: str, *, reference: str, since: datetime) -> str | None:
        return self.find_by_reference("sms", reference)

    def find_by_reference(self, template_type: str, reference: str) -> str | None:
        """The id of the notification Notify holds with our ``reference``, if any."""
        try:
            answer = self.client.get_all_notifications(
                template_type=template_type, reference=reference
            )
        except APIError as exc:
            if isinstance(exc.__cause__, requests.RequestException):
                raise TemporarySendError("Lookup failed: network error", "lookup") from None
            raise classify_notify(exc.status_code, exc.message) from None
        for notification in answer.get("notifications", []):
            if notification.get("reference") == reference:
                return str(notification["id"])
        return None

    def send_email(self, to: str, subject: str, body: str, *, reference: str | None = None) -> str:
        if not self.email_template_id:
            raise PermanentSendError("Set NOTIFY_EMAIL_TEMPLATE_ID", "config")
        return self._call(
            self.client.send_email_notification,
            email_address=to,
            template_id=self.email_template_id,
            personalisation={"subject": subject, "body": body},
            reference=reference,
        )

    def send_letter(self, pdf: bytes, *, reference: str) -> str:
        """One precompiled letter (A4 PDF, address in Notify's address area)."""
        return self._call(
            self.client.send_precompiled_letter_notification,
            reference=reference,
            pdf_file=io.BytesIO(pdf),
            postage=self.letter_postage,
        )

    @staticmethod
    def _call(method, **arguments: Any) -> str:
        try:
            answer = method(**arguments)
        except APIError as exc:
            raise _notify_error(exc) from None
        return str(answer["id"])


def classify_notify(status: int, errors: Any) -> SendError:
    """Notify's answer (status, its ``errors`` list) as a temporary or permanent error."""
    first = errors[0] if isinstance(errors, list) and errors else {}
    kind = str(first.get("error", "")) if isinstance(first, dict) else ""
    reason = str(first.get("message", "")) if isinstance(first, dict) else str(errors or "")
    if status == 429 or status >= 500:
        return TemporarySendError(reason or "GOV.UK Notify is busy", kind or str(status))
    return PermanentSendError(
        reason or "GOV.UK Notify refused the message",
        kind or str(status),
        unreachable=status == 400 and reason.startswith("phone_number"),
    )


def notify_from_config(app: Flask) -> NotifyBackend:
    """The app's Notify client (one per app), for texts, emails and letters alike."""
    backend = app.extensions.get("notify_backend")
    if backend is None:
        config = app.config
        backend = app.extensions["notify_backend"] = NotifyBackend(
            config["NOTIFY_API_KEY"] or "",
            base_url=config["NOTIFY_BASE_URL"],
            sms_template_id=config["NOTIFY_SMS_TEMPLATE_ID"],
            email_template_id=config["NOTIFY_EMAIL_TEMPLATE_ID"],
            sms_sender_id=config["NOTIFY_SMS_SENDER_ID"],
            letter_postage=config["NOTIFY_LETTER_POSTAGE"],
            timeout=config["NOTIFY_TIMEOUT_SECONDS"],
        )
    return backend


def get_notify() -> NotifyBackend:
    # current_app is a proxy: the app behind it keeps the client (see get_backend).
    return notify_from_config(current_app._get_current_object())  # type: ignore[attr-defined]


def backend_from_config(app: Flask) -> SmsBackend:
    config = app.config
    if config["SMS_BACKEND"] == "notify":
        return notify_from_config(app)
    if config["SMS_BACKEND"] == "twilio":
        return TwilioBackend(
            config["TWILIO_ACCOUNT_SID"],
            config["TWILIO_AUTH_TOKEN"],
            messaging_service_sid=config.get("TWILIO_MESSAGING_SERVICE_SID"),
            from_number=config.get("TWILIO_FROM_NUMBER"),
            validity_period=config.get("TWILIO_VALIDITY_PERIOD"),
            api_base_url=config.get("TWILIO_API_BASE_URL"),
        )
    if config["SMS_BACKEND"] == "console":
        return ConsoleBackend()
    raise ValueError(
        f"Unknown SMS_BACKEND {config['SMS_BACKEND']!r}: use console, twilio or notify"
    )


def get_backend() -> SmsBackend:
    """The app's backend (one per app; tests may put their own in app.core.extensions)."""
    # current_app is typed as Flask, but it is a proxy: the app behind it keeps the backend.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    backend = app.extensions.get("sms_backend")
    if backend is None:
        backend = app.extensions["sms_backend"] = backend_from_config(app)
    return backend
