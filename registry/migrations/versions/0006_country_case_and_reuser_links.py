"""one spelling per country; reuse edges keep the reuser's link with its scheme

Revision ID: 0006
Revises: 0007

Countries: agencies stored "CA" and "ca" as two countries; every code becomes upper case
(blank ones none), and each repository of a changed agency gets an index change so every
node's search index re-reads its country facet on its next sync.

Reuser links: an edge stored the reuser's URL without its scheme, and pages and feeds put
``https://`` in front of it, which broke links to http hosts. The new ``reuser_link``
keeps the URL as crawled: a registry repository's own ``html_url``, else what was shown
before (https), until the next crawl that sees the reuser writes it.

The downgrade drops the column; the country codes stay upper case (nothing to undo).
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

agency = sa.table("agency", sa.column("id"), sa.column("country"))
repository = sa.table("repository", sa.column("id"), sa.column("agency_id"), sa.column("html_url"))
indexchange = sa.table(
    "indexchange", sa.column("repository_id"), sa.column("deleted"), sa.column("created_at")
)
reuseedge = sa.table(
    "reuseedge", sa.column("reuser_url"), sa.column("reuser_repository_id"),
    sa.column("reuser_link"),
)  # fmt: skip


def upgrade() -> None:
    _one_case_per_country()
    with op.batch_alter_table("reuseedge", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("reuser_link", sa.String(length=500), nullable=False, server_default="")
        )
    own = (
        sa.select(repository.c.html_url)
        .where(repository.c.id == reuseedge.c.reuser_repository_id)
        .scalar_subquery()
    )
    op.execute(
        reuseedge.update()
        .where(reuseedge.c.reuser_repository_id.is_not(None))
        .values(reuser_link=sa.func.coalesce(own, ""))
    )
    op.execute(
        reuseedge.update()
        .where(reuseedge.c.reuser_link == "")
        .values(reuser_link=sa.literal("https://") + reuseedge.c.reuser_url)
    )


def _one_case_per_country() -> None:
    canonical = sa.func.upper(sa.func.trim(agency.c.country))
    changed = sa.select(agency.c.id).where(
        agency.c.country.is_not(None), agency.c.country != canonical
    )
    now = datetime.now(UTC)
    op.execute(
        indexchange.insert().from_select(
            ["repository_id", "deleted", "created_at"],
            sa.select(
                repository.c.id, sa.false(), sa.literal(now, sa.DateTime(timezone=True))
            ).where(repository.c.agency_id.in_(changed)),
        )
    )
    op.execute(
        agency.update()
        .where(agency.c.country.is_not(None), agency.c.country != canonical)
        .values(country=canonical)
    )
    op.execute(agency.update().where(agency.c.country == "").values(country=None))


def downgrade() -> None:
    with op.batch_alter_table("reuseedge", schema=None) as batch_op:
        batch_op.drop_column("reuser_link")
