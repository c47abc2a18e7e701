"""one name per source kind: github-org -> github, gitlab-group -> gitlab, git-url -> git

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 16:30:00

A source's kind and the forge of its repositories were two spellings of one thing; the
table in ``registry.source_kinds`` now names each kind once. Data only: no column changes.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RENAMES = (("github-org", "github"), ("gitlab-group", "gitlab"), ("git-url", "git"))
_UPDATE = sa.text("UPDATE source SET kind = :new WHERE kind = :old")


def upgrade() -> None:
    for old, new in RENAMES:
        op.get_bind().execute(_UPDATE, {"old": old, "new": new})


def downgrade() -> None:
    for old, new in RENAMES:
        op.get_bind().execute(_UPDATE, {"old": new, "new": old})
