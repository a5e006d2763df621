"""Configuration for Belonging, read from environment variables (12-factor).

Nothing else in the code base reads ``os.environ``: every setting is a class attribute here, so
a reader can see all of them in one place. ``ProductionConfig`` refuses to start without a
SECRET_KEY; ``DevelopmentConfig`` (the default for ``make run``) uses an embedded SQLite file.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
# Where the SQLite file, the job queue and caches live: beside the code in a checkout, and
# ./instance of the working directory for an installed copy (never inside site-packages).
INSTANCE_DIR = Path(
    os.environ.get("INSTANCE_PATH")
    or (
        BASE_DIR / "instance" if (BASE_DIR / "pyproject.toml").exists() else Path.cwd() / "instance"
    )
)


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


class Config:
    """Settings shared by every environment."""

    INSTANCE_PATH: str = str(INSTANCE_DIR)
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI: str = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'belonging.db'}"
    )
    # No pool_pre_ping: a connection PostgreSQL closed is found at checkout without asking the
    # server (app/core/extensions.py, _server_still_there), and replaced, never a 500.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # Twilio and the public survey links need the URL the outside world uses to reach us.
    PUBLIC_BASE_URL: str = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/")
    # Number of reverse proxies in front of the app (ProxyFix); 0 when served directly.
    PROXY_COUNT: int = _int("PROXY_COUNT", 0)
    # Pages are compressed on the fly (flask-compress; static files: app/core/assets.py). Brotli
    # at 5 is as quick as gzip at 6 on these pages and about a fifth smaller.
    COMPRESS_ALGORITHM: list[str] = ["br", "gzip"]
    COMPRESS_BR_LEVEL: int = 5

    SMS_BACKEND: str = os.environ.get("SMS_BACKEND", "console")
    TWILIO_ACCOUNT_SID: str | None = os.environ.get("TWILIO_ACCOUNT_SID")
    TWILIO_AUTH_TOKEN: str | None = os.environ.get("TWILIO_AUTH_TOKEN")
    TWILIO_MESSAGING_SERVICE_SID: str | None = os.environ.get("TWILIO_MESSAGING_SERVICE_SID")
    TWILIO_FROM_NUMBER: str | None = os.environ.get("TWILIO_FROM_NUMBER")
    # Optional: seconds Twilio may keep trying to deliver a text (14400 = 4 hours).
    TWILIO_VALIDITY_PERIOD: int | None = _int("TWILIO_VALIDITY_PERIOD", 0) or None
    # Where Twilio's REST API lives; unset means api.twilio.com (tests point it at a local fake).
    TWILIO_API_BASE_URL: str | None = os.environ.get("TWILIO_API_BASE_URL") or None
    # GOV.UK Notify (SMS_BACKEND, MAIL_BACKEND or LETTER_BACKEND "notify"; README, "GOV.UK
    # Notify"): one API key, a generic text template and email template, and the bearer token
    # set on Notify's delivery receipt and received text message callbacks.
    NOTIFY_API_KEY: str | None = os.environ.get("NOTIFY_API_KEY")
    NOTIFY_BASE_URL: str = os.environ.get(
        "NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"
    )
    NOTIFY_SMS_TEMPLATE_ID: str | None = os.environ.get("NOTIFY_SMS_TEMPLATE_ID")
    NOTIFY_EMAIL_TEMPLATE_ID: str | None = os.environ.get("NOTIFY_EMAIL_TEMPLATE_ID")
    NOTIFY_SMS_SENDER_ID: str | None = os.environ.get("NOTIFY_SMS_SENDER_ID")
    NOTIFY_LETTER_POSTAGE: str = os.environ.get("NOTIFY_LETTER_POSTAGE", "second")
    # Seconds to wait for Notify's answer; one that comes later is "outcome unknown" and looked
    # up by our reference before any resend (app/messaging/backends.py).
    NOTIFY_TIMEOUT_SECONDS: int = _int("NOTIFY_TIMEOUT_SECONDS", 10)
    NOTIFY_CALLBACK_TOKEN: str | None = os.environ.get("NOTIFY_CALLBACK_TOKEN")
    # "print" (staff download the letters PDF and post it) or "notify" (Notify prints and posts).
    LETTER_BACKEND: str = os.environ.get("LETTER_BACKEND", "print")
    # Phone numbers are stored only as HMACs under SMS_HMAC_KEY (app/messaging/keys.py): its own
    # long random string, required in production (derived from SECRET_KEY in development).
    # SMS_HMAC_KEY_ID names it on every stored hash. To rotate: set a new key and id, keep the
    # old one in SMS_HMAC_OLD_KEYS ("id:key,id:key") and run `flask sms rotate-key`; keep an old
    # key listed while the command says hashes still use it (numbers not on the contact list).
    SMS_HMAC_KEY: str | None = os.environ.get("SMS_HMAC_KEY")
    SMS_HMAC_KEY_ID: str = os.environ.get("SMS_HMAC_KEY_ID", "1")
    SMS_HMAC_OLD_KEYS: str = os.environ.get("SMS_HMAC_OLD_KEYS", "")
    SMS_KEYWORD: str = os.environ.get("SMS_KEYWORD", "BELONG")
    # Completion notices (surveys/completion.py) are sealed with AES-GCM under NOTICE_KEY: 32
    # random bytes, URL-safe base64 (`python -c "import base64,os;
    # print(base64.urlsafe_b64encode(os.urandom(32)).decode())"`). Its own secret, never derived
    # from another. NOTICE_KEY_ID names it in each notice; to rotate, set a new key and id and
    # keep the old one in NOTICE_OLD_KEYS ("id:key,id:key") until the waiting notices are applied.
    NOTICE_KEY: str | None = os.environ.get("NOTICE_KEY")
    NOTICE_KEY_ID: str = os.environ.get("NOTICE_KEY_ID", "1")
    NOTICE_OLD_KEYS: str = os.environ.get("NOTICE_OLD_KEYS", "")
    # Benchmarking files (app/board/benchmark) are signed with Ed25519 under
    # BENCHMARK_SIGNING_KEY: the 32-byte private key, URL-safe base64 (`flask benchmark new-key`
    # prints one). Its own secret, never derived from another; unset, nothing can be exported.
    BENCHMARK_SIGNING_KEY: str | None = os.environ.get("BENCHMARK_SIGNING_KEY")
    # Notices wait until at least this many for a round can be applied together (or it closes).
    NOTICE_BATCH_MIN: int = _int("NOTICE_BATCH_MIN", 5)
    SMS_CONVERSATION_IDLE_DAYS: int = _int("SMS_CONVERSATION_IDLE_DAYS", 7)
    SMS_INBOUND_REPLY_DAYS: int = _int("SMS_INBOUND_REPLY_DAYS", 2)
    SMS_PRICE_PER_SEGMENT_PENCE: float = float(os.environ.get("SMS_PRICE_PER_SEGMENT_PENCE", "4"))
    # "Send a reminder now" leaves out anyone invited or reminded fewer than this many days ago.
    REMINDER_MIN_GAP_DAYS: int = _int("REMINDER_MIN_GAP_DAYS", 3)
    SMS_RATE_PER_SECOND: float = float(os.environ.get("SMS_RATE_PER_SECOND", "10"))
    SMS_MAX_ATTEMPTS: int = _int("SMS_MAX_ATTEMPTS", 5)
    # The send worker (app/messaging/worker.py): a claimed text is one worker's for this many
    # seconds, renewed while it works; if the worker dies, another takes the text over after it.
    SMS_LEASE_SECONDS: int = _int("SMS_LEASE_SECONDS", 30)
    # Texts one worker has in flight at once, so a slow provider still gets the full rate: at
    # least SMS_RATE_PER_SECOND x the provider's answer time (10/s x 0.3 s = 3), with room.
    SMS_SEND_THREADS: int = _int("SMS_SEND_THREADS", 8)
    SMS_MAX_REQUEST_BYTES: int = _int("SMS_MAX_REQUEST_BYTES", 64 * 1024)
    SMS_SIMULATOR_ENABLED: bool = _bool("SMS_SIMULATOR_ENABLED", True)
    MAIL_BACKEND: str = os.environ.get("MAIL_BACKEND", "console")
    SMTP_HOST: str = os.environ.get("SMTP_HOST", "localhost")
    SMTP_PORT: int = _int("SMTP_PORT", 25)
    SMTP_TIMEOUT: int = _int("SMTP_TIMEOUT", 10)  # seconds; the send runs in a job, never a request
    # "starttls" (port 587), "tls" (implicit TLS, port 465) or "none" (a relay on this machine).
    SMTP_SECURITY: str = os.environ.get("SMTP_SECURITY", "starttls")
    SMTP_USERNAME: str = os.environ.get("SMTP_USERNAME", "")
    SMTP_PASSWORD: str = os.environ.get("SMTP_PASSWORD", "")
    # The server's certificate is checked (name and authority); a council's own authority's
    # certificate can be given as a PEM file. Turning the check off is for a test relay only.
    SMTP_CA_FILE: str = os.environ.get("SMTP_CA_FILE", "")
    SMTP_VERIFY_CERTIFICATE: bool = _bool("SMTP_VERIFY_CERTIFICATE", True)
    MAIL_FROM: str = os.environ.get("MAIL_FROM", "belonging@localhost")

    # Staff sign-in with the council's OpenID Connect provider (app/staff/auth/oidc.py), for
    # example Microsoft Entra ID: https://login.microsoftonline.com/<tenant id>/v2.0. Unset:
    # local accounts only. Local accounts always remain (a break-glass admin).
    OIDC_ISSUER: str = os.environ.get("OIDC_ISSUER", "").rstrip("/")
    OIDC_CLIENT_ID: str = os.environ.get("OIDC_CLIENT_ID", "")
    OIDC_CLIENT_SECRET: str = os.environ.get("OIDC_CLIENT_SECRET", "")
    OIDC_SCOPES: str = os.environ.get("OIDC_SCOPES", "openid email profile")
    # The id-token claim listing the person's groups ("groups" in Entra ID; "roles" for app roles)
    # and which group gives which role: "group=role,group=role", the first match wins. A person
    # none of whose groups is listed waits for an admin to approve them and choose their role.
    OIDC_GROUPS_CLAIM: str = os.environ.get("OIDC_GROUPS_CLAIM", "groups")
    OIDC_ROLE_GROUPS: str = os.environ.get("OIDC_ROLE_GROUPS", "")
    # The button on the sign-in page: "Sign in with <this>".
    OIDC_PROVIDER_NAME: str = os.environ.get("OIDC_PROVIDER_NAME", "your council account")

    # Sessions: signed cookie, HttpOnly, SameSite=Lax; Secure where served over HTTPS.
    SESSION_COOKIE_NAME = "belonging_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE: bool = _bool("SESSION_COOKIE_SECURE", False)
    # Care leavers' survey sessions last as long as a round may be open (app/staff/auth/
    # sessions.py); staff sessions end after this long unused, or this long after signing in.
    PERMANENT_SESSION_LIFETIME = timedelta(days=_int("SURVEY_SESSION_DAYS", 183))
    STAFF_IDLE_MINUTES: int = _int("IDLE_TIMEOUT_MINUTES", 30)
    STAFF_SESSION_HOURS: int = _int("STAFF_SESSION_HOURS", 12)
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT: int | None = 60 * 60 * 8
    MAX_CONTENT_LENGTH: int = _int("MAX_CONTENT_LENGTH", 5 * 1024 * 1024)

    RATELIMIT_STORAGE_URI: str = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_ENABLED: bool = _bool("RATELIMIT_ENABLED", True)
    SIGN_IN_RATE_LIMIT: str = os.environ.get("SIGN_IN_RATE_LIMIT", "10 per minute")
    # The same account tried from anywhere (a spread-out guess at one person's password).
    SIGN_IN_ACCOUNT_RATE_LIMIT: str = os.environ.get("SIGN_IN_ACCOUNT_RATE_LIMIT", "30 per hour")
    # Personal invitation links and resume codes: guesses at a code, per client.
    CODE_GUESS_RATE_LIMIT: str = os.environ.get(
        "CODE_GUESS_RATE_LIMIT", "10 per minute;60 per hour"
    )
    # Every public survey post (answers, sending, sign-ups), per client: a shared care-home
    # connection still has room for several young people answering at once.
    SURVEY_POST_RATE_LIMIT: str = os.environ.get("SURVEY_POST_RATE_LIMIT", "120 per minute")
    # Lock an account after this many failed sign-ins in a row, for this many minutes.
    LOCKOUT_THRESHOLD: int = _int("LOCKOUT_THRESHOLD", 5)
    LOCKOUT_MINUTES: int = _int("LOCKOUT_MINUTES", 15)

    # Disclosure control (app/core/disclosure.py): counts from 1 to THRESHOLD-1 are hidden as
    # "fewer than 5"; every hidden count must keep at least PROTECTION+1 possible whole values
    # given everything one role can see; the board's figures move only after SNAPSHOT_STEP new
    # responses (or coded answers), or when the round closes.
    DISCLOSURE_THRESHOLD: int = _int("DISCLOSURE_THRESHOLD", 5)
    DISCLOSURE_PROTECTION: int = _int("DISCLOSURE_PROTECTION", 3)
    DISCLOSURE_SNAPSHOT_STEP: int = _int("DISCLOSURE_SNAPSHOT_STEP", 5)

    # Background jobs (app/core/jobs.py, Huey). SQLite in the instance folder by default, so
    # `make run` needs no server; `redis://host:6379/0` when several machines run consumers.
    HUEY_URL: str = os.environ.get("HUEY_URL", f"sqlite:///{INSTANCE_DIR / 'jobs.db'}")
    # Run each job at once, in the process that asked for it (tests; never in production).
    HUEY_IMMEDIATE: bool = _bool("HUEY_IMMEDIATE", False)
    HUEY_WORKERS: int = _int("HUEY_WORKERS", 2)
    # Seconds a consumer given SIGTERM waits for running jobs before it stops them.
    HUEY_SHUTDOWN_SECONDS: int = _int("HUEY_SHUTDOWN_SECONDS", 60)
    # A consumer making a board pack renews its lease at every step; a pack whose lease ran
    # out (its consumer died on another machine) is taken over by the next consumer.
    BOARD_PACK_LEASE_SECONDS: int = _int("BOARD_PACK_LEASE_SECONDS", 300)
    # Test-only: while this file exists, a pack waits at "Making the PDF" (tests/app/board).
    BOARD_PACK_HOLD_FILE: str = os.environ.get("BOARD_PACK_HOLD_FILE", "")

    # The letters PDF for a whole cohort is made by a job into this folder (one file per run,
    # app/outreach/invitations/letter_runs.py), LETTERS_PER_PART letters per WeasyPrint render.
    LETTERS_DIR: str = os.environ.get("LETTERS_DIR", str(INSTANCE_DIR / "letters"))
    LETTERS_PER_PART: int = _int("LETTERS_PER_PART", 200)
    # A run with no progress for this long lost its job: its page offers to start again.
    LETTERS_STALE_MINUTES: int = _int("LETTERS_STALE_MINUTES", 10)

    # An import (contacts, responses) saves this many rows per transaction and pauses between
    # batches so that waiting writers get SQLite's write lock (app/core/batches.py).
    IMPORT_BATCH_ROWS: int = _int("IMPORT_BATCH_ROWS", 500)
    IMPORT_BATCH_PAUSE_SECONDS: float = float(os.environ.get("IMPORT_BATCH_PAUSE_SECONDS", "0.15"))
    # A response import with no progress for this long lost its job: the consumer takes it up
    # again (at start, and every few minutes; surveys/imports/tasks.py).
    IMPORT_STALE_MINUTES: int = _int("IMPORT_STALE_MINUTES", 10)

    # Backups (`flask backup create`, app/core/backups.py): where they go by default, and the
    # folder holding PostgreSQL's pg_dump/pg_restore when they are not on PATH.
    BACKUP_DIR: str = os.environ.get("BACKUP_DIR", str(INSTANCE_DIR / "backups"))
    PG_BINDIR: str = os.environ.get("PG_BINDIR", "")

    # /healthz (app/core/health.py) answers 503 when any of these is older, in seconds: the job
    # runner's heartbeat (a consumer beats every minute), the longest-waiting text that is due
    # (quiet hours excepted), the longest-waiting board pack not yet made.
    HEALTH_HEARTBEAT_STALE_SECONDS: int = _int("HEALTH_HEARTBEAT_STALE_SECONDS", 180)
    HEALTH_TEXT_STALE_SECONDS: int = _int("HEALTH_TEXT_STALE_SECONDS", 900)
    HEALTH_PACK_STALE_SECONDS: int = _int("HEALTH_PACK_STALE_SECONDS", 1800)

    # Errors to staff (app/core/sentry.py; `pip install '.[sentry]'`): off unless a DSN is set.
    SENTRY_DSN: str = os.environ.get("SENTRY_DSN", "")
    SENTRY_ENVIRONMENT: str = os.environ.get("SENTRY_ENVIRONMENT", "")

    HSTS: bool = False
    REQUIRE_SMS_HMAC_KEY: bool = False
    LOG_LEVEL: str = os.environ.get("LOG_LEVEL", "INFO")
    # "text" (readable) or "json" (one object a line, for a log collector); json in production.
    LOG_FORMAT: str = os.environ.get("LOG_FORMAT", "text")
    # The generated test languages (en-XA accented, ar-XB right to left) on the start page's
    # language choice: for development and tests; the public sees only real languages.
    OFFER_TEST_LANGUAGES: bool = _bool("OFFER_TEST_LANGUAGES", False)
    TESTING = False


class DevelopmentConfig(Config):
    """`make run`: embedded SQLite, console SMS and email backends."""

    OFFER_TEST_LANGUAGES = _bool("OFFER_TEST_LANGUAGES", True)

    SECRET_KEY = Config.SECRET_KEY or "dev-only-not-secret"
    NOTICE_KEY = Config.NOTICE_KEY or "ZGV2LW9ubHktbm90LXNlY3JldC1ub3RpY2Uta2V5ISE="


class ProductionConfig(Config):
    """Behind HTTPS: secure cookies and HSTS; SECRET_KEY must come from the environment."""

    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)
    HSTS = True
    # The phone simulator creates real (if pretend) responses: off unless asked for.
    SMS_SIMULATOR_ENABLED = _bool("SMS_SIMULATOR_ENABLED", False)
    # Phone hashes need their own key in production (create_app refuses to start without it).
    REQUIRE_SMS_HMAC_KEY = True
    LOG_FORMAT = os.environ.get("LOG_FORMAT", "json")


class TestConfig(Config):
    """pytest: a throwaway database chosen by TEST_DATABASE_URL (SQLite in a temp dir if unset)."""

    TESTING = True
    OFFER_TEST_LANGUAGES = True
    SECRET_KEY = "test-secret-key"  # noqa: S105
    NOTICE_KEY = "dGVzdC1vbmx5LWZpeGVkLW5vdGljZS1rZXktMzItYnk="
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    PUBLIC_BASE_URL = "http://localhost"
    RATELIMIT_ENABLED = False
    WTF_CSRF_ENABLED = False
    # Jobs run in the test itself; tests that need a real consumer start one (tests/app/core).
    HUEY_IMMEDIATE = True


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "test": TestConfig,
}


def config_from_env() -> type[Config]:
    """Pick the config class named by BELONGING_ENV (development unless told otherwise)."""
    return CONFIGS[os.environ.get("BELONGING_ENV", "development")]
