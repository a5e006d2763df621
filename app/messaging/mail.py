"""Sending email: "console" (development: logged, and kept in memory for tests), "smtp", or
"notify" (GOV.UK Notify's generic email template, app/messaging/backends.py).

SMTP_SECURITY says how the connection is protected: "starttls" (the default: port 587, the
server is asked to switch to TLS before anything else is said), "tls" (implicit TLS from the
first byte, usually port 465) or "none" (only for a relay on the same machine). With TLS the
server's certificate is checked against the system's trusted authorities (or SMTP_CA_FILE for a
council's own authority) and its name; SMTP_VERIFY_CERTIFICATE=false turns that off and should
never be needed in production. A server that does not offer STARTTLS when it is asked for is
refused rather than spoken to in clear. SMTP_USERNAME and SMTP_PASSWORD log in, only ever over
TLS (smtplib refuses AUTH on a plain connection when the server offers none).

A Notify refusal or outage is raised as ``MailNotSent`` (an OSError, like SMTP's errors, so
callers handle both the same way); ``retry`` says whether trying later can help (429, 5xx).
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from flask import current_app

from app.messaging.backends import SendError, TemporarySendError, get_notify

# The console backend's outbox, newest last (development and tests only).
outbox: list[EmailMessage] = []

SECURITY_CHOICES = ("starttls", "tls", "none")


def tls_context() -> ssl.SSLContext:
    """The TLS settings for the SMTP connection, from the configuration."""
    config = current_app.config
    context = ssl.create_default_context(cafile=config["SMTP_CA_FILE"] or None)
    if not config["SMTP_VERIFY_CERTIFICATE"]:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _connect() -> smtplib.SMTP:
    config = current_app.config
    security = config["SMTP_SECURITY"]
    if security not in SECURITY_CHOICES:
        raise ValueError(f"SMTP_SECURITY must be one of {', '.join(SECURITY_CHOICES)}")
    host, port, timeout = config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_TIMEOUT"]
    smtp = (
        smtplib.SMTP_SSL(host, port, timeout=timeout, context=tls_context())
        if security == "tls"
        else smtplib.SMTP(host, port, timeout=timeout)
    )
    try:
        if security == "starttls":
            smtp.starttls(context=tls_context())  # raises if the server does not offer it
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


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
        with _connect() as smtp:
            smtp.send_message(message)
        return
    outbox.append(message)
    del outbox[:-100]
    current_app.logger.info("Email (console backend) to %s: %s", to, subject)
