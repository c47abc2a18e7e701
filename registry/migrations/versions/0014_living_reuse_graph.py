"""a living reuse graph: edges first seen, last confirmed, ended; the versions (tags and
releases) a repository publishes, so that its reusers hear of new ones

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 18:45:00

Existing edges count as first seen and last confirmed when they were made. Existing
repositories have no versions recorded yet: their next crawl records the tags and releases
they already have without telling anyone (``versions_seen_at`` stays empty until then).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reuseedge", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("last_confirmed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE reuseedge SET first_seen_at = created_at, last_confirmed_at = created_at")
    with op.batch_alter_table("reuseedge", schema=None) as batch_op:
        batch_op.alter_column("first_seen_at", existing_type=sa.DateTime(timezone=True),
                              nullable=False)  # fmt: skip
        batch_op.alter_column("last_confirmed_at", existing_type=sa.DateTime(timezone=True),
                              nullable=False)  # fmt: skip
    with op.batch_alter_table("repository", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("versions_seen_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.create_table(
        "repositoryversion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repository_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=250), nullable=False),
        sa.Column("commit", sa.String(length=64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["repository_id"], ["repository.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("repository_id", "tag", name="uq_repository_version"),
    )
    with op.batch_alter_table("repositoryversion", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_repositoryversion_repository_id"), ["repository_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("repositoryversion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_repositoryversion_repository_id"))
    op.drop_table("repositoryversion")
    with op.batch_alter_table("repository", schema=None) as batch_op:
        batch_op.drop_column("versions_seen_at")
    with op.batch_alter_table("reuseedge", schema=None) as batch_op:
        batch_op.drop_column("ended_at")
        batch_op.drop_column("last_confirmed_at")
        batch_op.drop_column("first_seen_at")
