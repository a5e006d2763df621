"""Email over SMTP with TLS and login, against a real SMTP server (aiosmtpd) on loopback.

The server's certificate is a throwaway self-signed one made here, so it verifies only when the
app is told to trust it (SMTP_CA_FILE): with the system's authorities alone it must be refused.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import smtplib
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.messaging.mail import send_email

USERNAME, PASSWORD = "belonging@council.example", "mail-password-for-tests"


class MailServer:
    """What the server saw: the messages delivered and the logins it accepted."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        self.messages.append(envelope.content.decode("utf-8", "replace"))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (
            auth_data.login.decode(),
            auth_data.password.decode(),
        ) == (USERNAME, PASSWORD)
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for localhost and 127.0.0.1 (its own authority)."""
    folder = tmp_path_factory.mktemp("smtp-tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        # Fixed dates: OpenSSL checks them against the machine's real time, not the tests' clock.
        .not_valid_before(dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
        .not_valid_after(dt.datetime(2099, 12, 31, tzinfo=dt.UTC))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture
def starttls_server(certificate) -> Iterator[tuple[MailServer, int]]:
    """Port 587 style: plain at first, STARTTLS required before AUTH and before any mail."""
    inbox, port = MailServer(), _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=_server_context(certificate),
        require_starttls=True,
        authenticator=inbox.authenticate,
        auth_required=True,
        auth_require_tls=True,
    )
    controller.start()
    yield inbox, port
    controller.stop()


def _configure(app, port: int, **settings) -> None:
    app.config.update(
        MAIL_BACKEND="smtp",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=port,
        SMTP_TIMEOUT=5,
        SMTP_USERNAME=USERNAME,
        SMTP_PASSWORD=PASSWORD,
        **settings,
    )


def _send(app) -> None:
    with app.app_context():
        send_email("lead@council.example", "A flag needs your attention", "Please sign in.")


def test_email_goes_over_starttls_with_login(app, starttls_server, certificate):
    inbox, port = starttls_server
    _configure(app, port, SMTP_SECURITY="starttls", SMTP_CA_FILE=str(certificate[0]))
    _send(app)
    [message] = inbox.messages
    assert "Subject: A flag needs your attention" in message
    assert "To: lead@council.example" in message
    assert inbox.logins == [USERNAME]


def test_a_certificate_that_does_not_verify_is_refused(app, starttls_server):
    inbox, port = starttls_server
    _configure(app, port, SMTP_SECURITY="starttls")  # the system's authorities only
    with pytest.raises(ssl.SSLCertVerificationError):
        _send(app)
    assert inbox.messages == [] and inbox.logins == []


def test_the_certificate_check_can_be_turned_off_for_a_test_relay(app, starttls_server):
    inbox, port = starttls_server
    _configure(app, port, SMTP_SECURITY="starttls", SMTP_VERIFY_CERTIFICATE=False)
    _send(app)
    assert len(inbox.messages) == 1 and inbox.logins == [USERNAME]


def test_a_server_without_starttls_is_not_spoken_to_in_clear(app):
    inbox, port = MailServer(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        _configure(app, port, SMTP_SECURITY="starttls")
        with pytest.raises(smtplib.SMTPNotSupportedError):
            _send(app)
    finally:
        controller.stop()
    assert inbox.messages == []


def test_email_goes_over_implicit_tls_with_login(app, certificate):
    inbox, port = MailServer(), _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        server_hostname="localhost",
        ssl_context=_server_context(certificate),
        authenticator=inbox.authenticate,
        auth_required=True,
        auth_require_tls=False,  # aiosmtpd only counts STARTTLS; here TLS is from the start
    )
    controller.start()
    try:
        _configure(app, port, SMTP_SECURITY="tls", SMTP_CA_FILE=str(certificate[0]))
        _send(app)
    finally:
        controller.stop()
    assert len(inbox.messages) == 1 and inbox.logins == [USERNAME]
