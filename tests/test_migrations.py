"""The migrations build the whole schema from nothing, agree with the models, and unwind."""

from __future__ import annotations

import sqlalchemy as sa

from tests.conftest import TEST_DATABASE_URL, build_app


def test_upgrade_check_and_downgrade_on_an_empty_database(tmp_path):
    if TEST_DATABASE_URL:
        uri = TEST_DATABASE_URL
        engine = sa.create_engine(uri)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        uri = f"sqlite:///{tmp_path}/empty.db"
    app = build_app(uri)
    runner = app.test_cli_runner()
    try:
        for args in (["db", "upgrade"], ["db", "check"], ["db", "downgrade", "base"]):
            result = runner.invoke(args=args)
            assert result.exit_code == 0, f"flask {' '.join(args)}: {result.output}"
            assert result.exception is None, f"flask {' '.join(args)}: {result.exception!r}"
        with app.app_context():
            from app.core.extensions import db

            remaining = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
            db.engine.dispose()
        assert remaining == set()
    finally:
        if TEST_DATABASE_URL:  # the shared test database must be left as the suite expects
            runner.invoke(args=["db", "upgrade", "heads"])
