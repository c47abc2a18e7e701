"""inventory texts: an inventory's names and descriptions of a repository by language
(Canada's Open Resource Exchange gives English and French), keyed by the repository's URL

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-01 22:00:00

Nothing existing changes: the table fills on the next `govcode import ore`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "inventorytext",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inventory", sa.String(length=20), nullable=False),
        sa.Column("url_key", sa.String(length=500), nullable=False),
        sa.Column("names", sa.JSON(), nullable=False),
        sa.Column("descriptions", sa.JSON(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("inventory", "url_key", name="uq_inventory_text"),
    )
    with op.batch_alter_table("inventorytext", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inventorytext_url_key"), ["url_key"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inventorytext", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventorytext_url_key"))
    op.drop_table("inventorytext")
