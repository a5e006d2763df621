"""Rotating SMS_HMAC_KEY keeps every opt-out: on the contact list or not, moved or not yet."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from app import create_app
from app.core.extensions import db
from app.messaging.models import OptOut, UnreachableNumber
from app.messaging.services import mark_unreachable, queue_text
from app.outreach.contacts import services as contacts
from app.outreach.contacts.models import Contact
from config import ProductionConfig
from tests.conftest import build_app
from tests.surveys.sms.twilio_fakes import TEST_ACCOUNT_SID, TEST_AUTH_TOKEN, Phone

OLD, NEW = "the-old-phone-hash-key-0123456789", "the-new-phone-hash-key-9876543210"
LISTED_STAFF, LISTED_STOP, LISTED_BAD = "+447700900101", "+447700900102", "+447700900103"
UNLISTED_STOP, UNLISTED_STOP_2, UNLISTED_BAD = "+447700900201", "+447700900202", "+447700900203"
EVERY_NUMBER = (LISTED_STAFF, LISTED_STOP, LISTED_BAD, UNLISTED_STOP, UNLISTED_STOP_2, UNLISTED_BAD)


def keyed_app(uri: str, **keys):
    return build_app(
        uri, TWILIO_AUTH_TOKEN=TEST_AUTH_TOKEN, TWILIO_ACCOUNT_SID=TEST_ACCOUNT_SID, **keys
    )


def add_contact(number: str, **flags) -> Contact:
    contact = contacts.save_contact(
        None,
        {"name": f"Person {number[-3:]}", "date_of_birth": "01/03/2005", "mobile": number},
    )
    for name, value in flags.items():
        setattr(contact, name, value)
    contacts.sync_opt_out(contact)
    db.session.commit()
    return contact


@pytest.fixture
def rotated(database_uri):
    """Opt-outs and unreachable numbers made under key 1, then the key rotated to 2."""
    before = keyed_app(database_uri, SMS_HMAC_KEY=OLD, SMS_HMAC_KEY_ID="1")
    with before.app_context():
        add_contact(LISTED_STAFF, do_not_contact=True)
        add_contact(LISTED_STOP)
        add_contact(LISTED_BAD)
        for number in (LISTED_BAD, UNLISTED_BAD):
            mark_unreachable(number, "21614")
        db.session.commit()
    for number in (LISTED_STOP, UNLISTED_STOP, UNLISTED_STOP_2):
        Phone(before.test_client(), number).say("STOP")
    with before.app_context():
        assert all(queue_text(n, "Hello") is None for n in EVERY_NUMBER)
        db.session.remove()
        db.engine.dispose()

    after = keyed_app(
        database_uri, SMS_HMAC_KEY=NEW, SMS_HMAC_KEY_ID="2", SMS_HMAC_OLD_KEYS=f"1:{OLD}"
    )
    result = after.test_cli_runner().invoke(args=["sms", "rotate-key"])
    assert result.exit_code == 0, result.output
    yield after, result.output
    with after.app_context():
        db.session.remove()
        db.engine.dispose()


def _key_ids(app, model) -> list[str]:
    with app.app_context():
        return sorted(db.session.scalars(sa.select(model.key_id)))


def test_rotation_moves_what_it_can_and_every_number_is_still_refused(rotated):
    app, output = rotated
    # Listed numbers moved (staff, STOP, unreachable); unlisted ones wait under key 1.
    assert "2 in sms_opt_out, 1 in sms_unreachable_number" in output
    assert "Still under key 1: 2 in sms_opt_out" in output
    assert "Still under key 1: 1 in sms_unreachable_number" in output
    assert _key_ids(app, OptOut) == ["1", "1", "2", "2"]
    assert _key_ids(app, UnreachableNumber) == ["1", "2"]
    with app.app_context():
        for number in EVERY_NUMBER:
            assert queue_text(number, "A text after the rotation") is None, number
        assert queue_text("+447700900301", "Someone who never opted out") is not None


def test_stop_and_start_still_work_after_the_rotation_and_move_the_hash(rotated):
    app, _ = rotated
    Phone(app.test_client(), UNLISTED_STOP).say("START")
    Phone(app.test_client(), LISTED_STOP).say("START")
    Phone(app.test_client(), UNLISTED_STOP_2).say("STOP")  # again: moved, not duplicated
    with app.app_context():
        assert queue_text(UNLISTED_STOP, "Welcome back") is not None
        assert queue_text(LISTED_STOP, "Welcome back") is not None
        assert queue_text(UNLISTED_STOP_2, "Still stopped") is None
    assert _key_ids(app, OptOut) == ["2", "2"]  # the staff entry and the second STOP
    Phone(app.test_client(), UNLISTED_STOP).say("STOP")
    with app.app_context():
        assert queue_text(UNLISTED_STOP, "Stopped again") is None
    assert _key_ids(app, OptOut) == ["2", "2", "2"]


def _production(uri: str, **keys) -> type[ProductionConfig]:
    return type(
        "RotatedProduction",
        (ProductionConfig,),
        {
            "SECRET_KEY": "a-long-random-secret-key",
            "NOTICE_KEY": "dGhpcmQtbG9uZy1yYW5kb20ta2V5LW9mLTMyLWJ5dGU=",
            "SQLALCHEMY_DATABASE_URI": uri,
            "SMS_HMAC_KEY": NEW,
            "SMS_HMAC_KEY_ID": "2",
            **keys,
        },
    )


def test_production_refuses_to_start_while_a_stored_key_id_has_no_key(rotated, database_uri):
    with pytest.raises(RuntimeError, match=r"SMS_HMAC_KEY id\(s\) 1, which are not configured"):
        create_app(_production(database_uri))
    app = create_app(_production(database_uri, SMS_HMAC_OLD_KEYS=f"1:{OLD}"))
    assert app.config["SMS_HMAC_KEY_ID"] == "2"
    with app.app_context():
        db.engine.dispose()


def test_once_every_hash_has_moved_the_old_key_may_go(rotated, database_uri):
    app, _ = rotated
    for number in (UNLISTED_STOP, UNLISTED_STOP_2, UNLISTED_BAD):
        Phone(app.test_client(), number).say("HELP")  # any text moves the number's hashes
    result = app.test_cli_runner().invoke(args=["sms", "rotate-key"])
    assert "you may remove SMS_HMAC_OLD_KEYS" in result.output
    app = create_app(_production(database_uri))
    with app.app_context():
        assert queue_text(UNLISTED_STOP, "Still stopped") is None
        assert queue_text(UNLISTED_BAD, "Still unreachable") is None
        db.engine.dispose()
