"""Sending email: "console" (development: logged, and kept in memory for tests), "smtp", or
"notify" (GOV.UK Notify's generic email template, app/messaging/backends.py).

A Notify refusal or outage is raised as ``MailNotSent`` (an OSError, like SMTP's errors, so
callers handle both the same way); ``retry`` says whether trying later can help (429, 5xx).
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app

from app.messaging.backends import SendError, TemporarySendError, get_notify

# The console backend's outbox, newest last (development and tests only).
outbox: list[EmailMessage] = []


class MailNotSent(OSError):
    def __init__(self, reason: str, *, retry: bool):
        super().__init__(reason)
        self.retry = retry


def send_email(to: str, subject: str, body: str, *, reference: str | None = None) -> None:
    if current_app.config["MAIL_BACKEND"] == "notify":
        try:
            get_notify().send_email(to, subject, body, reference=reference)
        except SendError as exc:
            raise MailNotSent(str(exc), retry=isinstance(exc, TemporarySendError)) from None
        return
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    if current_app.config["MAIL_BACKEND"] == "smtp":
        with smtplib.SMTP(
            current_app.config["SMTP_HOST"],
            current_app.config["SMTP_PORT"],
            timeout=current_app.config["SMTP_TIMEOUT"],
        ) as smtp:
            smtp.send_message(message)
        return
    outbox.append(message)
    del outbox[:-100]
    current_app.logger.info("Email (console backend) to %s: %s", to, subject)
