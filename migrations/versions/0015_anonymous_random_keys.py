"""Anonymity (issue 14): random keys on the anonymous side, sealed completion notices, and an
invitation that keeps a completed flag but no completion date.

Existing rows get new random keys (63 bits) in a shuffled order, and every column that points
at them follows; on PostgreSQL the key columns become BIGINT and lose their sequences. The
downgrade gives the rows counters again (in a shuffled order: the arrival order is not kept
anywhere to go back to) and an empty completed_on.

Revision ID: 0015_random_keys
Revises: 0014_board_snapshot
Create Date: 2026-12-01
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0015_random_keys"
down_revision = "0014_board_snapshot"
branch_labels = None
depends_on = None

# table -> the (table, column) pairs that hold its key
KEYED = {
    "response": [("answer", "response_id"), ("sms_conversation", "response_id")],
    "answer": [
        ("safeguarding_flag", "answer_id"),
        ("coding", "answer_id"),
        ("approved_quote", "answer_id"),
    ],
    "sms_conversation": [],
    "sms_inbound_message": [],
}
FOREIGN_KEYS = [  # (name, table, column, referred table, ondelete)
    ("fk_answer_response_id_response", "answer", "response_id", "response", "CASCADE"),
    (
        "fk_sms_conversation_response_id_response",
        "sms_conversation",
        "response_id",
        "response",
        "CASCADE",
    ),
    (
        "fk_safeguarding_flag_answer_id_answer",
        "safeguarding_flag",
        "answer_id",
        "answer",
        "CASCADE",
    ),
]
REFERRING = [pair for pairs in KEYED.values() for pair in pairs]


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _renumber(table: str, new_keys) -> None:
    """Give every row of ``table`` a new key from ``new_keys(count)``, in a shuffled order."""
    bind = op.get_bind()
    old = [row[0] for row in bind.execute(sa.text(f"SELECT id FROM {table}"))]  # noqa: S608
    secrets.SystemRandom().shuffle(old)
    for before, after in zip(old, new_keys(len(old)), strict=True):
        bind.execute(
            sa.text(f"UPDATE {table} SET id = :a WHERE id = :b"), {"a": after, "b": before}
        )  # noqa: S608
        for other, column in KEYED[table]:
            bind.execute(
                sa.text(f"UPDATE {other} SET {column} = :a WHERE {column} = :b"),  # noqa: S608
                {"a": after, "b": before},
            )


def _random(count: int) -> list[int]:
    return [secrets.randbits(53) or 1 for _ in range(count)]


def _renumber_all(new_keys) -> None:
    if _postgres():
        for name, table, *_ in FOREIGN_KEYS:
            op.drop_constraint(name, table, type_="foreignkey")
    else:
        # SQLite: foreign_keys=OFF only works outside a transaction and defer_foreign_keys only
        # inside one; whichever applies lets a parent key and its children change one by one.
        op.execute("PRAGMA foreign_keys = OFF")
        op.execute("PRAGMA defer_foreign_keys = ON")
    for table in KEYED:
        _renumber(table, new_keys)
    if not _postgres():
        problems = op.get_bind().execute(sa.text("PRAGMA foreign_key_check")).all()
        assert not problems, problems
        op.execute("PRAGMA foreign_keys = ON")
    if _postgres():
        for name, table, column, referred, ondelete in FOREIGN_KEYS:
            op.create_foreign_key(name, table, referred, [column], ["id"], ondelete=ondelete)


def upgrade():
    op.create_table(
        "completion_notice",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_completion_notice")),
    )
    with op.batch_alter_table("invitation") as batch:
        batch.drop_column("completed_on")
    # Conversation replies become a count per round; the kept replies (words, times) go.
    op.create_table(
        "sms_reply_tally",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("texts", sa.Integer(), nullable=False),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["survey_round.id"],
            name=op.f("fk_sms_reply_tally_round_id_survey_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_reply_tally")),
        sa.UniqueConstraint("round_id", name=op.f("uq_sms_reply_tally_round_id")),
    )
    op.execute(
        "INSERT INTO sms_reply_tally (round_id, texts, segments) SELECT round_id, COUNT(*),"
        " SUM(segments) FROM sms_outbound_message WHERE is_conversation_reply GROUP BY round_id"
    )
    op.execute("DELETE FROM sms_outbound_message WHERE is_conversation_reply")
    if _postgres():
        for table in KEYED:
            op.execute(f"ALTER TABLE {table} ALTER COLUMN id DROP DEFAULT")
            op.execute(f"DROP SEQUENCE IF EXISTS {table}_id_seq")
            op.alter_column(table, "id", type_=sa.BigInteger())
        for other, column in REFERRING:
            op.alter_column(other, column, type_=sa.BigInteger())
    _renumber_all(_random)


def downgrade():
    _renumber_all(lambda count: [-(n + 1) for n in range(count)])  # out of the way first
    _renumber_all(lambda count: list(range(1, count + 1)))
    if _postgres():
        for other, column in REFERRING:
            op.alter_column(other, column, type_=sa.Integer())
        for table in KEYED:
            op.alter_column(table, "id", type_=sa.Integer())
            op.execute(f"CREATE SEQUENCE {table}_id_seq OWNED BY {table}.id")
            op.execute(f"ALTER TABLE {table} ALTER COLUMN id SET DEFAULT nextval('{table}_id_seq')")
            op.execute(
                f"SELECT setval('{table}_id_seq', COALESCE((SELECT MAX(id) FROM {table}), 0) + 1,"
                " false)"
            )
    with op.batch_alter_table("invitation") as batch:
        batch.add_column(sa.Column("completed_on", sa.Date(), nullable=True))
    op.drop_table("sms_reply_tally")  # the replies' words and times are not kept to go back to
    op.drop_table("completion_notice")
