"""subscriptions as channel + address rows; delivery leases

Revision ID: 0004
Revises: 0006
Create Date: 2026-12-01 16:10:00

A subscription held one column per channel (``email``, ``webhook_url`` + secret). Now each
row is one channel and one address (``registry.notify.channels``), so a new channel needs
no schema change. Every subscription is kept: a row that had both an e-mail address and
a webhook becomes two rows, and its deliveries follow the row of their channel. The
webhook row keeps the old id, so the ``X-Govcode-Delivery`` key (event-subscription) of a
delivery still being retried does not change. Deliveries get a lease (token + time) that
lets concurrent delivery passes claim them one pass at a time; their ``channel`` column
goes, since the subscription now says it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The tables as this migration sees them (never the models, which move on).
subscription = sa.table(
    "subscription",
    sa.column("id", sa.Integer),
    sa.column("repository_id", sa.Integer),
    sa.column("agency_id", sa.Integer),
    sa.column("email", sa.String),
    sa.column("webhook_url", sa.String),
    sa.column("webhook_secret", sa.String),
    sa.column("active", sa.Boolean),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("channel", sa.String),
    sa.column("address", sa.String),
    sa.column("secret", sa.String),
)
delivery = sa.table(
    "delivery",
    sa.column("id", sa.Integer),
    sa.column("subscription_id", sa.Integer),
    sa.column("channel", sa.String),
)
# The webhook first: it keeps the row's id (see above).
_ORDER = ("webhook", "email")


def upgrade() -> None:
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("address", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("secret", sa.String(length=200), nullable=True))

    conn = op.get_bind()
    for row in conn.execute(sa.select(subscription).order_by(subscription.c.id)).mappings().all():
        _split(conn, row)

    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.alter_column("channel", existing_type=sa.String(length=20), nullable=False)
        batch_op.alter_column("address", existing_type=sa.String(length=500), nullable=False)
        batch_op.drop_column("webhook_secret")
        batch_op.drop_column("webhook_url")
        batch_op.drop_column("email")

    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_constraint("uq_delivery", type_="unique")
        batch_op.drop_column("channel")
        batch_op.add_column(sa.Column("lease_token", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint("uq_delivery", ["event_id", "subscription_id"])
        batch_op.create_index("ix_delivery_due", ["status", "next_attempt_at"], unique=False)


def _split(conn: sa.Connection, row: sa.RowMapping) -> None:
    """One old row → one row per channel it had an address or a delivery for."""
    addresses = {"webhook": row["webhook_url"] or "", "email": row["email"] or ""}
    delivered = set(
        conn.execute(
            sa.select(delivery.c.channel).where(delivery.c.subscription_id == row["id"]).distinct()
        ).scalars()
    )
    wanted = [c for c in _ORDER if addresses[c] or c in delivered]
    wanted += sorted(delivered - set(_ORDER))
    if not wanted:  # neither address: keep the row, switched off
        wanted = ["email"]
    for position, channel in enumerate(wanted):
        address = addresses.get(channel, "")
        values = {
            "channel": channel,
            "address": address,
            "secret": row["webhook_secret"] if channel == "webhook" else None,
            "active": bool(row["active"]) and bool(address),
        }
        if position == 0:
            conn.execute(
                sa.update(subscription).where(subscription.c.id == row["id"]).values(**values)
            )
            continue
        new_id = conn.execute(
            sa.insert(subscription)
            .values(
                repository_id=row["repository_id"],
                agency_id=row["agency_id"],
                created_at=row["created_at"],
                **values,
            )
            .returning(subscription.c.id)
        ).scalar_one()
        conn.execute(
            sa.update(delivery)
            .where(delivery.c.subscription_id == row["id"], delivery.c.channel == channel)
            .values(subscription_id=new_id)
        )


def downgrade() -> None:
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=20), nullable=True))
    op.execute(
        sa.update(delivery).values(
            channel=sa.select(subscription.c.channel)
            .where(subscription.c.id == delivery.c.subscription_id)
            .scalar_subquery()
        )
    )
    with op.batch_alter_table("delivery", schema=None) as batch_op:
        batch_op.drop_index("ix_delivery_due")
        batch_op.drop_constraint("uq_delivery", type_="unique")
        batch_op.drop_column("leased_until")
        batch_op.drop_column("lease_token")
        batch_op.alter_column("channel", existing_type=sa.String(length=20), nullable=False)
        batch_op.create_unique_constraint("uq_delivery", ["event_id", "subscription_id", "channel"])

    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column("webhook_url", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("webhook_secret", sa.String(length=200), nullable=True))
    op.execute(
        sa.update(subscription)
        .where(subscription.c.channel == "email", subscription.c.address != "")
        .values(email=subscription.c.address)
    )
    op.execute(
        sa.update(subscription)
        .where(subscription.c.channel == "webhook")
        .values(webhook_url=subscription.c.address, webhook_secret=subscription.c.secret)
    )
    with op.batch_alter_table("subscription", schema=None) as batch_op:
        batch_op.drop_column("secret")
        batch_op.drop_column("address")
        batch_op.drop_column("channel")
