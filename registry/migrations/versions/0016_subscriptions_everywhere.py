"""subscriptions on every channel (saved searches, daily digests, private Atom feeds,
confirmation of an address added by someone else, default subscriptions); disputed
repository claims from inventories

Revision ID: 0016
Revises: 0017
Create Date: 2026-12-01 18:50:00

Existing subscriptions stay what they were: immediate, confirmed, made by hand.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_query", sa.String(length=1000), nullable=True))
        batch_op.add_column(
            sa.Column("frequency", sa.String(length=10), nullable=False, server_default="immediate")
        )
        batch_op.add_column(
            sa.Column("pending", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("by_default", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("feed_token_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("digest_sent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("confirm_sent_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_subscription_feed_token_hash"), ["feed_token_hash"]
        )

    op.create_table(
        "repositoryclaim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repository_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agency.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["repository_id"], ["repository.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_id"], ["source.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("repository_id", "agency_id", name="uq_repository_claim"),
    )
    with op.batch_alter_table("repositoryclaim", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_repositoryclaim_agency_id"), ["agency_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_repositoryclaim_repository_id"), ["repository_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("repositoryclaim", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_repositoryclaim_repository_id"))
        batch_op.drop_index(batch_op.f("ix_repositoryclaim_agency_id"))
    op.drop_table("repositoryclaim")
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_subscription_feed_token_hash"), type_="unique")
        batch_op.drop_column("confirm_sent_at")
        batch_op.drop_column("digest_sent_at")
        batch_op.drop_column("feed_token_hash")
        batch_op.drop_column("by_default")
        batch_op.drop_column("pending")
        batch_op.drop_column("frequency")
        batch_op.drop_column("search_query")
