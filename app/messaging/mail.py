"""Sending email: "console" (development: logged, and kept in memory for tests) or "smtp"."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from flask import current_app

# The console backend's outbox, newest last (development and tests only).
outbox: list[EmailMessage] = []


def send_email(to: str, subject: str, body: str) -> None:
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
