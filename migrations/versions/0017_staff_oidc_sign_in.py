"""Staff sign-in with the council's OpenID provider: the account's identity at the provider, and
sign-in requests waiting for an admin.

Revision ID: 0017_staff_oidc
Revises: 0016_merge
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017_staff_oidc"
down_revision = "0016_merge"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("staff_user") as batch:
        batch.add_column(sa.Column("oidc_identity", sa.String(length=512), nullable=True))
        batch.create_unique_constraint("uq_staff_user_oidc_identity", ["oidc_identity"])
    op.create_table(
        "staff_sign_in_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("oidc_identity", sa.String(length=512), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_sign_in_request")),
        sa.UniqueConstraint("oidc_identity", name=op.f("uq_staff_sign_in_request_oidc_identity")),
    )


def downgrade():
    op.drop_table("staff_sign_in_request")
    with op.batch_alter_table("staff_user") as batch:
        batch.drop_constraint("uq_staff_user_oidc_identity", type_="unique")
        batch.drop_column("oidc_identity")
