"""provenance: edge direction, sampled histories, one key per repository URL

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-01 16:20:00

- ``reuseedge.direction``: "known", or "unknown" for shared history whose source the
  evidence cannot tell (existing edges keep "known").
- ``repositoryhistory``: each repository's sampled history, the evidence of direction
  (filled at the next crawl).
- ``repositorysketch`` + ``repositorysketchband``: near-duplicate sketches of source files
  at HEAD, in root commits and in sampled past commits, with their LSH band keys.
- URL keys: repository and edge URLs are re-keyed with the canonical form (default port,
  ``www.``, loopback spelling, doubled slashes). A row whose new key another row already
  holds keeps its old key, so no data is lost; the next crawl of it merges nothing
  silently and the operator can see both.
"""

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A frozen copy of registry.services.records.normalise_url as of this revision: a migration
# must mean the same thing whatever the code becomes later.
_LOOPBACK = frozenset({"localhost", "localhost.localdomain", "127.0.0.1", "::1", "ip6-localhost"})
_DEFAULT_PORTS = {"https": 443, "http": 80, "ssh": 22, "git": 9418}
_SCP = re.compile(r"^(?:[^@/:]+@)?(?P<host>[^/:]+):(?!//)(?P<path>.*)$")


def _key(url: str) -> str:
    url = url.strip()
    scp = _SCP.match(url) if "://" not in url else None
    if scp:
        url = f"ssh://{scp['host']}/{scp['path']}"
    elif "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".").removeprefix("www.")
    if host in _LOOPBACK:
        host = "localhost"
    elif ":" in host:
        host = f"[{host}]"
    try:
        port: int | str | None = parts.port
    except ValueError:
        port = parts.netloc.rpartition(":")[2]
    if port and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    path = re.sub(r"/{2,}", "/", parts.path).rstrip("/").lower()
    return f"{host}{path.removesuffix('.git').rstrip('/')}"


def _rekey_repositories() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, html_url, url_key FROM repository ORDER BY id"))
    rows = rows.all()
    taken = {key for _, _, key in rows}
    for repo_id, html_url, old in rows:
        new = _key(html_url)
        if new == old or new in taken:
            continue
        bind.execute(
            sa.text("UPDATE repository SET url_key = :new WHERE id = :id"),
            {"new": new, "id": repo_id},
        )
        taken.discard(old)
        taken.add(new)


def _rekey_edges() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, reuser_url, target_url, kind FROM reuseedge ORDER BY id")
    ).all()
    taken = {(r, t, k) for _, r, t, k in rows}
    for edge_id, reuser, target, kind in rows:
        new = (_key(reuser), _key(target), kind)
        if new == (reuser, target, kind) or new in taken or new[0] == new[1]:
            continue
        bind.execute(
            sa.text("UPDATE reuseedge SET reuser_url = :r, target_url = :t WHERE id = :id"),
            {"r": new[0], "t": new[1], "id": edge_id},
        )
        taken.discard((reuser, target, kind))
        taken.add(new)


def upgrade() -> None:
    with op.batch_alter_table("reuseedge", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("direction", sa.String(length=10), nullable=False, server_default="known")
        )
    op.create_table(
        "repositoryhistory",
        sa.Column("repository_id", sa.Integer(), nullable=False),
        sa.Column("commits", sa.JSON(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["repository_id"], ["repository.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("repository_id"),
    )
    op.create_table(
        "repositorysketch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("repository_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("root", sa.Boolean(), nullable=False),
        sa.Column("minhash", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["repository_id"], ["repository.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("repositorysketch", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_repositorysketch_repository_id"), ["repository_id"], unique=False
        )
    op.create_table(
        "repositorysketchband",
        sa.Column("sketch_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=24), nullable=False),
        sa.Column("repository_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["repository_id"], ["repository.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["sketch_id"], ["repositorysketch.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("sketch_id", "key"),
    )
    with op.batch_alter_table("repositorysketchband", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_repositorysketchband_key"), ["key"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_repositorysketchband_repository_id"), ["repository_id"], unique=False
        )
    _rekey_repositories()
    _rekey_edges()


def downgrade() -> None:
    # Keys stay canonical: the old form is a subset of what they matched, nothing to undo.
    op.drop_table("repositorysketchband")
    op.drop_table("repositorysketch")
    op.drop_table("repositoryhistory")
    with op.batch_alter_table("reuseedge", schema=None) as batch_op:
        batch_op.drop_column("direction")
