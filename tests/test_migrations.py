"""The migrations build the whole schema from nothing, agree with the models, and unwind."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.conftest import TEST_DATABASE_URL, build_app


def _empty_database(tmp_path) -> str:
    """The URI of a database with no tables: the shared PostgreSQL test database wiped, or a new
    SQLite file."""
    if not TEST_DATABASE_URL:
        return f"sqlite:///{tmp_path}/empty.db"
    engine = sa.create_engine(TEST_DATABASE_URL)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()
    return TEST_DATABASE_URL


def _db_commands(runner):
    """``flask db ...`` through the app's CLI runner, failing the test on any error."""

    def flask(*args: str) -> None:
        result = runner.invoke(args=["db", *args])
        assert result.exit_code == 0 and result.exception is None, (args, result.output)

    return flask


# A locked questionnaire and an open round, as rows written before a migration.
QUESTIONNAIRE = (
    "INSERT INTO questionnaire (id, key, version, title, introduction, closing,"
    " acknowledgement, status) VALUES (1, 'nb', 1, 'T', '', '', '', 'locked')"
)
ROUND = (
    "INSERT INTO survey_round (id, name, slug, questionnaire_id, opens_on,"
    " closes_on, status, target_rate, channels) VALUES (1, 'R', 'r26', 1,"
    " '2026-01-01', '2026-02-01', 'open', 30, '[\"web\"]')"
)


def test_upgrade_check_and_downgrade_on_an_empty_database(tmp_path):
    uri = _empty_database(tmp_path)
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


def test_the_random_keys_migration_keeps_every_link_both_ways(tmp_path):
    """0015 gives existing responses, answers and conversations random keys, and back."""
    uri = _empty_database(tmp_path)
    app = build_app(uri)
    runner = app.test_cli_runner()

    flask = _db_commands(runner)

    def links(conn) -> set[tuple]:
        return set(
            conn.execute(
                sa.text(
                    "SELECT r.channel, q.code, CAST(a.value AS TEXT), f.rules, c.part, s.phone_hash"
                    " FROM answer a JOIN response r ON r.id = a.response_id"
                    " JOIN question q ON q.id = a.question_id"
                    " LEFT JOIN safeguarding_flag f ON f.answer_id = a.id"
                    " LEFT JOIN coding c ON c.answer_id = a.id"
                    " LEFT JOIN sms_conversation s ON s.response_id = r.id"
                )
            )
        )

    try:
        flask("upgrade", "0014_board_snapshot")
        with app.app_context():
            from app.core.extensions import db

            with db.engine.begin() as conn:
                for statement in (
                    QUESTIONNAIRE,
                    "INSERT INTO question (id, questionnaire_id, position, code, section, kind,"
                    " web_text, hint, sms_text, paper_text, options, max_items, scale_min_label,"
                    " scale_max_label) VALUES (1, 1, 1, 'Q12', '', 'long_text', 'W', '', '', '',"
                    " '[]', 3, '', '')",
                    ROUND,
                    "INSERT INTO response (id, round_id, channel, assisted, status, started_on)"
                    " VALUES (1, 1, 'web', false, 'complete', '2026-01-02'),"
                    " (2, 1, 'sms', false, 'in_progress', '2026-01-03')",
                    "INSERT INTO answer (id, response_id, question_id, skipped, value) VALUES"
                    ' (1, 1, 1, false, \'{"text": "one"}\'),'
                    ' (2, 2, 1, false, \'{"text": "two"}\')',
                    "INSERT INTO safeguarding_flag (id, round_id, answer_id, rules, categories,"
                    " status, note, raised_on) VALUES (1, 1, 2, 'r', 'c', 'new', '',"
                    " '2026-01-03')",
                    "INSERT INTO coding (id, round_id, answer_id, part, pass_no, notable,"
                    " version, updated_at) VALUES (1, 1, 1, 0, 1, false, 1,"
                    " '2026-01-04 10:00:00')",
                    "INSERT INTO sms_conversation (id, phone_hash, round_id, response_id,"
                    " asked_again, last_activity_at) VALUES (1, 'h', 1, 2, false,"
                    " '2026-01-03 10:00:00')",
                ):
                    conn.execute(sa.text(statement))
                before = links(conn)
            db.engine.dispose()
        flask("upgrade")
        with app.app_context():
            with db.engine.connect() as conn:
                assert links(conn) == before
                keys = set(conn.execute(sa.text("SELECT id FROM response")).scalars())
                assert not keys & {1, 2}, "the old counters are gone"
            db.engine.dispose()
        flask("downgrade", "0014_board_snapshot")
        with app.app_context():
            with db.engine.connect() as conn:
                assert links(conn) == before
                keys = set(conn.execute(sa.text("SELECT id FROM answer")).scalars())
                assert keys == {1, 2}
            db.engine.dispose()
    finally:
        if TEST_DATABASE_URL:
            runner.invoke(args=["db", "downgrade", "base"])
            runner.invoke(args=["db", "upgrade", "heads"])


def test_the_one_unfinished_import_migration_stops_the_extra_runs_it_finds(tmp_path):
    """0035: a round with two unfinished runs (let in before the database held the rule) keeps
    the newest and stops the other, so the index can be made; then a second is refused."""
    uri = _empty_database(tmp_path)
    app = build_app(uri)
    runner = app.test_cli_runner()

    flask = _db_commands(runner)

    run = (
        "INSERT INTO import_run (id, round_id, filename, valid_only, state, message, rows_done,"
        " rows_total, imported, left_out, flagged, attempt, started_on, progressed_at)"
        " VALUES ({}, 1, 'a.csv', false, '{}', '', 0, 1, 0, 0, 0, 0, '2026-01-02',"
        " '2026-01-02 10:00:00')"
    )
    try:
        flask("upgrade", "0034_import_runs")
        with app.app_context():
            from app.core.extensions import db

            with db.engine.begin() as conn:
                for statement in (
                    QUESTIONNAIRE,
                    ROUND,
                    run.format(1, "importing"),
                    run.format(2, "waiting"),
                    run.format(3, "done"),
                ):
                    conn.execute(sa.text(statement))
            db.engine.dispose()
        flask("upgrade")
        with app.app_context():
            with db.engine.begin() as conn:
                states = dict(conn.execute(sa.text("SELECT id, state FROM import_run")).all())
                assert states == {1: "stopped", 2: "waiting", 3: "done"}
            with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
                conn.execute(sa.text(run.format(4, "importing")))
            db.engine.dispose()
    finally:
        if TEST_DATABASE_URL:
            runner.invoke(args=["db", "downgrade", "base"])
            runner.invoke(args=["db", "upgrade", "heads"])
