"""crawl run heartbeat

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-01 16:20:00

A running crawl touches ``heartbeat_at`` after every repository; a run whose heartbeat is
stale was killed and is marked interrupted. Existing rows keep NULL (their ``started_at``
stands in for it), so populated databases upgrade without a rewrite.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("crawlrun", schema=None) as batch_op:
        batch_op.add_column(sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("crawlrun", schema=None) as batch_op:
        batch_op.drop_column("heartbeat_at")
