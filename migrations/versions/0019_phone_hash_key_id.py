"""Phone hashes carry the id of the key that made them, so SMS_HMAC_KEY can be rotated.

Existing hashes were made with the only key there was, recorded as id "1" (SMS_HMAC_KEY_ID's
default): an operator who had set another id before upgrading sets it back to "1" or runs
`flask sms rotate-key` with the key listed under "1" in SMS_HMAC_OLD_KEYS.

Revision ID: 0019_phone_hash_key_id
Revises: 0018_eligible_at_opening
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019_phone_hash_key_id"
down_revision = "0018_eligible_at_opening"
branch_labels = None
depends_on = None

TABLES = ("sms_opt_out", "sms_unreachable_number", "sms_conversation")


def upgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("key_id", sa.String(16), nullable=False, server_default="1")
            )


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("key_id")
