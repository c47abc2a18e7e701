"""The catalogue as a whole: counts, newest and most reused repositories, countries, and
the reuse an agency gives and receives. Only approved agencies (and their repositories)
are shown; each function is a fixed number of queries, whatever the catalogue's size."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import cache

from sqlalchemy import bindparam, distinct, func
from sqlalchemy.orm import aliased, defer
from sqlmodel import Session, select

from registry.models import Agency, Repository, ReuseEdge

APPROVED = Agency.status == "approved"
_LIGHT = (  # what summaries never show: the large texts stay in the database
    defer(Repository.readme_text),  # type: ignore[arg-type]
    defer(Repository.readme_source),  # type: ignore[arg-type]
)


def counts(session: Session) -> dict[str, int]:
    """Repositories, agencies, countries and reuse edges in the catalogue."""
    repos = session.exec(
        select(func.count(Repository.id)).join(Agency, Agency.id == Repository.agency_id)  # type: ignore[arg-type]
        .where(APPROVED)
    ).one()  # fmt: skip
    agencies, countries = session.exec(
        select(func.count(Agency.id), func.count(distinct(Agency.country))).where(APPROVED)  # type: ignore[arg-type]
    ).one()
    edges = session.exec(select(func.count(ReuseEdge.id))).one()  # type: ignore[arg-type]
    return {
        "repositories": int(repos),
        "agencies": int(agencies),
        "countries": int(countries),
        "reuse_edges": int(edges),
    }


def others_of_agency(
    session: Session, agency_id: int, *, except_id: int, limit: int = 10
) -> list[tuple[int, str]]:
    """(id, full name) of the agency's other repositories, most starred first."""
    rows = session.exec(
        select(Repository.id, Repository.full_name)
        .where(Repository.agency_id == agency_id, Repository.id != except_id)
        .order_by(Repository.stars.desc(), Repository.full_name)  # type: ignore[attr-defined]
        .limit(limit)
    ).all()
    return [(rid, name) for rid, name in rows if rid is not None]


def recently_added(session: Session, *, limit: int = 10) -> list[tuple[Repository, Agency]]:
    """The repositories the registry saw first most recently, newest first."""
    rows = session.exec(
        select(Repository, Agency)
        .join(Agency, Agency.id == Repository.agency_id)
        .where(APPROVED)
        .order_by(Repository.first_seen_at.desc(), Repository.id.desc())  # type: ignore[attr-defined, union-attr]
        .options(*_LIGHT)
        .limit(limit)
    ).all()
    return [(r, a) for r, a in rows]


def most_reused(session: Session, *, limit: int = 10) -> list[tuple[Repository, Agency, int]]:
    """The repositories reused by the most others (any kind of reuse, each reuser once)."""
    n = func.count(distinct(ReuseEdge.reuser_url)).label("n")
    tally = (
        select(ReuseEdge.target_repository_id.label("rid"), n)  # type: ignore[union-attr]
        .where(ReuseEdge.target_repository_id.is_not(None))  # type: ignore[union-attr]
        .where(ReuseEdge.direction == "known")
        .group_by(ReuseEdge.target_repository_id)
        .subquery()
    )
    rows = session.exec(
        select(Repository, Agency, tally.c.n)
        .join(tally, tally.c.rid == Repository.id)
        .join(Agency, Agency.id == Repository.agency_id)
        .where(APPROVED)
        .order_by(tally.c.n.desc(), Repository.full_name)
        .options(*_LIGHT)
        .limit(limit)
    ).all()
    return [(r, a, int(count)) for r, a, count in rows]


def countries(session: Session) -> list[tuple[str, int, int]]:
    """(country code, agencies, repositories) for every country with an approved agency."""
    repos = (
        select(Repository.agency_id, func.count(Repository.id).label("n"))  # type: ignore[arg-type]
        .group_by(Repository.agency_id)
        .subquery()
    )
    rows = session.exec(
        select(Agency.country, func.count(Agency.id), func.coalesce(func.sum(repos.c.n), 0))  # type: ignore[arg-type]
        .outerjoin(repos, repos.c.agency_id == Agency.id)
        .where(APPROVED, Agency.country.is_not(None))  # type: ignore[union-attr]
        .group_by(Agency.country)
        .order_by(Agency.country)
    ).all()
    return [(str(code), int(a), int(r)) for code, a, r in rows]


def agencies_in(session: Session, country: str) -> list[tuple[Agency, int]]:
    """The approved agencies of one country (ISO code, any case) with repository counts."""
    repos = (
        select(Repository.agency_id, func.count(Repository.id).label("n"))  # type: ignore[arg-type]
        .group_by(Repository.agency_id)
        .subquery()
    )
    rows = session.exec(
        select(Agency, func.coalesce(repos.c.n, 0))
        .outerjoin(repos, repos.c.agency_id == Agency.id)
        .where(APPROVED, Agency.country == country.upper())
        .order_by(Agency.name)
    ).all()
    return [(a, int(n)) for a, n in rows]


def agency_reuse(
    session: Session, agency_id: int, *, limit: int = 200
) -> tuple[list[tuple[ReuseEdge, str]], list[tuple[ReuseEdge, str]]]:
    """Reuse the agency gives (others reuse its code) and receives (it reuses others'):
    each edge with the full name of the agency's own repository at that end."""
    mine = aliased(Repository)
    given = session.exec(
        select(ReuseEdge, mine.full_name)
        .join(mine, mine.id == ReuseEdge.target_repository_id)
        .where(mine.agency_id == agency_id, ReuseEdge.direction == "known")
        .order_by(ReuseEdge.created_at.desc())  # type: ignore[attr-defined]
        .limit(limit)
    ).all()
    received = session.exec(
        select(ReuseEdge, mine.full_name)
        .join(mine, mine.id == ReuseEdge.reuser_repository_id)
        .where(mine.agency_id == agency_id, ReuseEdge.direction == "known")
        .order_by(ReuseEdge.created_at.desc())  # type: ignore[attr-defined]
        .limit(limit)
    ).all()
    return [(e, str(n)) for e, n in given], [(e, str(n)) for e, n in received]


ORIGIN_KINDS = ("fork", "based_on")


def origins(session: Session, ids: Sequence[int]) -> dict[int, list[tuple[ReuseEdge, str | None]]]:
    """For each of these repositories, the edges saying where it comes from (a fork of, based
    on) with the full name of that origin when it is in the registry, in one query: what a
    repository's page shows beside its name (a page of search hits reads them with its rows,
    ``hits.hit_rows``)."""
    if not ids:
        return {}
    rows = session.exec(_origins_query(), params={"ids": list(ids)}).all()
    found: dict[int, list[tuple[ReuseEdge, str | None]]] = defaultdict(list)
    for edge, name in sorted(rows, key=lambda r: (ORIGIN_KINDS.index(r[0].kind), r[0].target_url)):
        found[edge.reuser_repository_id].append((edge, name))  # type: ignore[index]
    return dict(found)


@cache
def _origins_query():
    """Built once (an aliased table costs more to build than the query takes to run)."""
    target = aliased(Repository)
    return (
        select(ReuseEdge, target.full_name)
        .outerjoin(target, target.id == ReuseEdge.target_repository_id)
        .where(
            ReuseEdge.reuser_repository_id.in_(bindparam("ids", expanding=True)),  # type: ignore[union-attr]
            ReuseEdge.kind.in_(ORIGIN_KINDS),  # type: ignore[attr-defined]
            ReuseEdge.direction == "known",
        )
    )
