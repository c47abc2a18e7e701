"""declared reuse edges: who declared them (an agency, a person); kept forge tokens

Revision ID: 0015
Revises: 0014

A ``declared`` edge is a reuse the reuser states: a fork made through govcode's fork
button, or an agency's member pressing "we use this". The edge keeps who said so; both
columns are set to null when the agency or the account is removed (the edge stays, as
evidence of past reuse).

``forgecredential`` holds the forge tokens people asked govcode to keep for their next
fork, Fernet-encrypted with the key from settings (never the token's text).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "forgecredential",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("forge", sa.String(length=20), nullable=False),
        sa.Column("api_url", sa.String(length=500), nullable=False),
        sa.Column("sealed", sa.Text(), nullable=False),
        sa.Column("hint", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "forge", "api_url", name="uq_forge_credential"),
    )
    with op.batch_alter_table("forgecredential", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_forgecredential_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("reuseedge", schema=None) as batch_op:
        batch_op.add_column(sa.Column("declared_by_agency_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("declared_by_user_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_reuseedge_declared_by_agency_id"), ["declared_by_agency_id"]
        )
        batch_op.create_foreign_key(
            "fk_reuseedge_declared_by_agency_id_agency", "agency",
            ["declared_by_agency_id"], ["id"], ondelete="SET NULL",
        )  # fmt: skip
        batch_op.create_foreign_key(
            "fk_reuseedge_declared_by_user_id_user", "user",
            ["declared_by_user_id"], ["id"], ondelete="SET NULL",
        )  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("reuseedge", schema=None) as batch_op:
        batch_op.drop_constraint("fk_reuseedge_declared_by_user_id_user", type_="foreignkey")
        batch_op.drop_constraint("fk_reuseedge_declared_by_agency_id_agency", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_reuseedge_declared_by_agency_id"))
        batch_op.drop_column("declared_by_user_id")
        batch_op.drop_column("declared_by_agency_id")
    with op.batch_alter_table("forgecredential", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_forgecredential_user_id"))
    op.drop_table("forgecredential")
