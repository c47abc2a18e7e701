"""the delivery log (one row per attempt), subscription owners, secret rotation, pausing

Revision ID: 0013
Revises: 0011
Create Date: 2026-12-01 18:50:00

Existing subscriptions have no maker (e-mail ones are their address's), no previous
secret and are not failing; existing deliveries have no attempts on record.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deliveryattempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=1000), nullable=True),
        sa.Column("redelivery", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["delivery_id"], ["delivery.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("deliveryattempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deliveryattempt_delivery_id"), ["delivery_id"])

    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("redelivery_requested_at", sa.DateTime(timezone=True), nullable=True)
        )

    with op.batch_alter_table("subscription", schema=None) as batch_op:
        # The same column as the accounts branch's 0016 adds (keep one when merging).
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("previous_secret", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column("previous_secret_until", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("paused_reason", sa.String(length=500), nullable=True))
        batch_op.create_index(batch_op.f("ix_subscription_user_id"), ["user_id"])
        batch_op.create_foreign_key(
            "fk_subscription_user_id_user", "user", ["user_id"], ["id"], ondelete="CASCADE"
        )


def downgrade() -> None:
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.drop_constraint("fk_subscription_user_id_user", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_subscription_user_id"))
        batch_op.drop_column("paused_reason")
        batch_op.drop_column("paused_at")
        batch_op.drop_column("failing_since")
        batch_op.drop_column("previous_secret_until")
        batch_op.drop_column("previous_secret")
        batch_op.drop_column("user_id")
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_column("redelivery_requested_at")
    with op.batch_alter_table("deliveryattempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deliveryattempt_delivery_id"))
    op.drop_table("deliveryattempt")
