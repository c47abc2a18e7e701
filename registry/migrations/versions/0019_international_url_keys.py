"""URL keys spell hosts as the URL policy does: IDNA 2008 A-labels, short IPv6 literals

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 22:20:00

``normalise_url`` now spells a key's host with ``urlpolicy.normalise_host``, so
``straße.example`` and ``xn--strae-oqa.example`` (the name the crawl connects to) are one
repository, and ``[0:0:0:0:0:0:0:1]`` is the loopback ``localhost`` like ``[::1]``. Keys of
repositories and reuse edges stored with a Unicode host or a long IPv6 literal are re-keyed;
as in 0007, a key another row already holds is left as it was (nothing merged silently).
The downgrade leaves the keys as they are (the old code reads them as new spellings).
"""

import ipaddress
from collections.abc import Sequence

import idna
import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# A frozen copy of the host spelling as of this revision, applied to a stored key
# (``host[:port]/path``): a migration must mean the same thing whatever the code becomes.
def _host(host: str) -> str:
    if host.startswith("["):
        try:
            address = str(ipaddress.ip_address(host[1:-1]))
        except ValueError:
            return host
        return "localhost" if address == "::1" else f"[{address}]"
    if host.isascii():
        return host
    try:
        name = idna.encode(host, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        return host
    return name.removeprefix("www.")


def _key(key: str) -> str:
    head, slash, path = key.partition("/")
    if head.startswith("["):
        literal, _, rest = head.partition("]")
        host, port = literal + "]", rest.removeprefix(":")
    else:
        host, _, port = head.partition(":")
    new = _host(host)
    return f"{new}{':' + port if port else ''}{slash}{path}"


def _rekey_repositories() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, url_key FROM repository ORDER BY id")).all()
    taken = {key for _, key in rows}
    for repo_id, old in rows:
        new = _key(old)
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
    _rekey_repositories()
    _rekey_edges()


def downgrade() -> None:
    pass
