"""The app factory and its configuration."""

import pytest

from app import create_app
from config import ProductionConfig


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", None)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProductionConfig)


@pytest.mark.parametrize("key", [None, "", "same-as-the-secret"])
def test_production_refuses_to_start_without_its_own_phone_hash_key(monkeypatch, key):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "same-as-the-secret")
    monkeypatch.setattr(ProductionConfig, "SMS_HMAC_KEY", key)
    with pytest.raises(RuntimeError, match="SMS_HMAC_KEY"):
        create_app(ProductionConfig)


def test_production_starts_with_both_keys(monkeypatch, database_uri):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "a-long-random-secret-key")
    monkeypatch.setattr(ProductionConfig, "SMS_HMAC_KEY", "another-long-random-key")
    monkeypatch.setattr(
        ProductionConfig, "NOTICE_KEY", "dGhpcmQtbG9uZy1yYW5kb20ta2V5LW9mLTMyLWJ5dGU="
    )
    monkeypatch.setattr(ProductionConfig, "SQLALCHEMY_DATABASE_URI", database_uri)
    assert create_app(ProductionConfig).config["HSTS"] is True


def test_production_refuses_to_start_without_a_notice_key(monkeypatch):
    monkeypatch.setattr(ProductionConfig, "SECRET_KEY", "not-the-test-secret")
    monkeypatch.setattr(ProductionConfig, "SMS_HMAC_KEY", "another-long-random-key")
    monkeypatch.setattr(ProductionConfig, "NOTICE_KEY", None)
    with pytest.raises(RuntimeError, match="NOTICE_KEY"):
        create_app(ProductionConfig)


def test_healthz_answers_ok_when_the_database_is_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == {"status": "ok"}


def test_healthz_answers_503_when_the_database_is_not():
    from tests.conftest import build_app

    # Port 1 on loopback: nothing listens there, so the connection is refused at once.
    app = build_app("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == {"status": "unreachable"}
