"""subscription language: the language a subscriber's messages are written in

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-01 19:00:00

Existing subscriptions get English (a server default), the language of every message so far.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=20), server_default="en", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.drop_column("language")
