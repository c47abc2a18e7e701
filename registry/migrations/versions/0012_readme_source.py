"""the README as written, the head tree and weekly commits, for the repository page

Revision ID: 0012
Revises: 0003
Create Date: 2026-12-01 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Existing rows get empty sources; the next crawl of each repository fills them in.
    with op.batch_alter_table("repository", schema=None) as batch_op:
        batch_op.add_column(sa.Column("readme_path", sa.String(length=500), nullable=True))
        batch_op.add_column(
            sa.Column("readme_source", sa.Text(), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("readme_markup", sa.String(length=20), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("head_tree", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("commit_weeks", sa.JSON(), nullable=False, server_default="[]")
        )


def downgrade() -> None:
    with op.batch_alter_table("repository", schema=None) as batch_op:
        batch_op.drop_column("commit_weeks")
        batch_op.drop_column("head_tree")
        batch_op.drop_column("readme_markup")
        batch_op.drop_column("readme_source")
        batch_op.drop_column("readme_path")
