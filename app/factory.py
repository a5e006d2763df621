"""The composition root: ``create_app`` builds the Flask app from a config class (see config.py).

It binds the extensions, registers one blueprint per area, the GOV.UK templates, security
headers, error pages, the hooks that let a lower layer tell a higher one something, the CLI
commands, and imports each area's background tasks so that the job consumer knows them all.
It is the one module that imports every area (app/__init__.py imports it lazily, so
that importing a lower layer such as ``app.core.clock`` does not import them all).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.templating import Environment
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from app import cli, models  # noqa: F401 - models registers every table with the metadata
from app.board import pack as board_pack
from app.board import tasks as board_tasks  # noqa: F401 - each area's tasks, for the consumer
from app.board.assessments.routes import bp as assessments_bp
from app.board.benchmark.routes import bp as benchmark_bp
from app.board.loop_routes import bp as board_loop_bp
from app.board.outcomes.routes import bp as outcomes_bp
from app.board.routes import bp as board_bp
from app.board.wellbeing_routes import bp as wellbeing_results_bp
from app.core import (
    assets,
    errors,
    files,
    fragments,
    health,
    jobs,
    languages,
    logs,
    routing,
    security,
    sentry,
)
from app.core.clock import utcnow
from app.core.extensions import csrf, db, htmx, limiter, login_manager, migrate
from app.messaging import tasks as messaging_tasks  # noqa: F401
from app.messaging import worker as text_worker
from app.messaging.keys import missing_key_ids
from app.outreach.contacts import tasks as contact_tasks  # noqa: F401
from app.outreach.contacts.eligibility import eligible_on_list
from app.outreach.contacts.routes import bp as contacts_bp
from app.outreach.invitations import tasks as invitation_tasks  # noqa: F401
from app.outreach.invitations.routes import bp as invitations_bp
from app.staff import template_context
from app.staff.audit.routes import bp as audit_bp
from app.staff.auth import oidc, sessions
from app.staff.auth.access import enforce_access
from app.staff.auth.routes import bp as auth_bp
from app.staff.auth.services import load_user
from app.staff.authority.routes import bp as authority_bp
from app.staff.authority.services import use_authority_zone
from app.staff.main.routes import bp as main_bp
from config import Config, config_from_env
from forum.loop_routes import bp as forum_loop_bp
from forum.routes import bp as forum_bp
from forum.routes import public_bp as ysyd_bp
from surveys.editor.routes import bp as questionnaires_bp
from surveys.imports import tasks as import_tasks  # noqa: F401
from surveys.imports.routes import bp as imports_bp
from surveys.paper.routes import bp as paper_bp
from surveys.response_rate import register_eligible_counter
from surveys.rounds import tasks as round_tasks  # noqa: F401
from surveys.rounds.routes import bp as rounds_bp
from surveys.safeguarding import tasks as safeguarding_tasks  # noqa: F401
from surveys.safeguarding.routes import bp as safeguarding_bp
from surveys.sms import tasks as sms_tasks  # noqa: F401
from surveys.sms.routes import bp as sms_bp
from surveys.sms.services import PHONE_HASH_TABLES
from surveys.themes.routes import bp as themes_bp
from surveys.translator import store as translation_store
from surveys.translator.routes import bp as translator_bp
from surveys.web import tasks as web_tasks  # noqa: F401
from surveys.web.routes import bp as survey_web_bp

BLUEPRINTS = (
    main_bp,
    auth_bp,
    audit_bp,
    authority_bp,
    survey_web_bp,
    rounds_bp,
    questionnaires_bp,
    safeguarding_bp,
    themes_bp,
    paper_bp,
    imports_bp,
    translator_bp,
    sms_bp,
    contacts_bp,
    invitations_bp,
    forum_bp,
    ysyd_bp,
    board_bp,
    outcomes_bp,
    assessments_bp,
    benchmark_bp,
    forum_loop_bp,
    board_loop_bp,
    wellbeing_results_bp,
)


class _Environment(Environment):
    """Jinja's environment, with a template's globals the environment's own dict when it has
    none of its own (Jinja's default wraps them in a ChainMap). Each ``{% from ... import %}``
    of a GOV.UK macro compares the importing template's globals with the macro file's, key by
    key: through a ChainMap that was a twentieth of a page's cost, against a dict it is one set
    operation. Jinja documents a template's globals as possibly shared with the environment and
    never to be changed; nothing here changes them."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return self.globals if not d else super().make_globals(d)


class _Belonging(Flask):
    jinja_environment = _Environment


def create_app(config_class: type[Config] | None = None) -> Flask:
    """Build the app. Without a config class, BELONGING_ENV picks one (development by default)."""
    config_class = config_class or config_from_env()
    app = _Belonging(
        __name__,
        static_folder=str(files.STATIC),
        template_folder=str(files.TEMPLATES),
        instance_path=config_class.INSTANCE_PATH,
    )
    app.config.from_object(config_class)
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("Set the SECRET_KEY environment variable (a long random string)")
    hmac_key = app.config.get("SMS_HMAC_KEY")
    if app.config["REQUIRE_SMS_HMAC_KEY"] and (
        not hmac_key or hmac_key == app.config["SECRET_KEY"]
    ):
        raise RuntimeError(
            "Set the SMS_HMAC_KEY environment variable to its own long random string (not "
            "SECRET_KEY): it is the key for the hashes that stand in for phone numbers, so it "
            "must never change with, or be worked out from, another secret"
        )
    if not app.config.get("NOTICE_KEY"):  # completion notices (surveys/completion.py) need it
        raise RuntimeError("Set the NOTICE_KEY environment variable (32 random bytes, base64)")
    if app.config["PROXY_COUNT"]:
        n = app.config["PROXY_COUNT"]
        # Flask's documented way to add WSGI middleware, which mypy sees as replacing a method.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_prefix=n
        )
    logs.init_app(app)
    sentry.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        Path(app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")).parent.mkdir(
            parents=True, exist_ok=True
        )

    # First, so that its compression runs after every other hook has set its headers.
    assets.init_app(app)
    _configure_templates(app)
    fragments.init_app(app)
    # The public survey pages are shown in the person's language; staff pages stay in English.
    languages.init_app(
        app,
        translated_blueprints={survey_web_bp.name},
        store=languages.Store(strings=translation_store.strings, checked=translation_store.checked),
    )
    _init_extensions(app)

    security.init_app(app)  # first, so oversized bodies are refused before anything else runs
    routing.init_app(app)  # before the blueprints: their rules take the bounded int converter
    _register_blueprints(app)
    errors.init_app(app)

    cli.init_app(app)
    # surveys may not import the personal side: it is handed the one eligibility rule's count.
    register_eligible_counter(app, eligible_on_list)
    use_authority_zone()
    if app.config["REQUIRE_SMS_HMAC_KEY"]:
        _refuse_unknown_phone_keys(app)
    _register_health_checks()
    return app


def _refuse_unknown_phone_keys(app: Flask) -> None:
    """Stored phone hashes whose key is not configured would stop matching (an opted-out number
    texted again): refuse to start. A database not yet reachable or migrated is left to fail
    (or be migrated) later."""
    with app.app_context():
        try:
            missing = missing_key_ids(PHONE_HASH_TABLES)
        except sa.exc.DBAPIError:
            db.session.rollback()
            missing = set()
        finally:
            db.session.remove()
    if missing:
        raise RuntimeError(
            f"Stored phone hashes use SMS_HMAC_KEY id(s) {', '.join(sorted(missing))}, which are "
            "not configured: set SMS_HMAC_KEY_ID to the key's id or list the old key in "
            "SMS_HMAC_OLD_KEYS as id:key (opt-outs made with it would be ignored otherwise)"
        )


def _register_health_checks() -> None:
    """The parts /healthz reports beside the database and the job runner (app/core/health.py)."""
    health.register(
        "texts",
        "oldest_due_age_seconds",
        lambda: text_worker.oldest_due_text_since(utcnow()),
        "HEALTH_TEXT_STALE_SECONDS",
    )
    health.register(
        "board_packs",
        "oldest_unfinished_age_seconds",
        board_pack.oldest_unfinished_pack_since,
        "HEALTH_PACK_STALE_SECONDS",
    )


def _configure_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(files.TEMPLATES)),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    # GOV.UK macros read optional parameters that may be undefined.
    app.jinja_env.undefined = ChainableUndefined
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(files.MIGRATIONS))
    csrf.init_app(app)
    limiter.init_app(app)
    htmx.init_app(app)
    jobs.init_app(app)
    WTFormsHelpers(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see this page."
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_user)
    oidc.init_app(app)


def _register_blueprints(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    app.before_request(sessions.anonymous_unless_signed_in)  # before anything reads the user
    app.before_request(enforce_access)
    template_context.init_app(app)
