"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import Session, SQLModel

import registry.models  # noqa: F401
from registry import migrate

HEAD = migrate.heads()[0]
PG_URL = os.environ.get("GOVCODE_TEST_DATABASE_URL", "")


def test_migrations_form_one_line():
    assert len(migrate.heads()) == 1, f"migrations diverge: heads {migrate.heads()}"


def test_models_and_migrations_agree(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    assert diff == []
    assert migrate.current(engine) == HEAD


def test_downgrade_and_upgrade_again(tmp_path):
    from registry.db import make_engine
    from registry.settings import Settings

    engine = make_engine(Settings(database_url=f"sqlite:///{tmp_path / 'm.db'}"))
    migrate.upgrade(engine)
    migrate.downgrade(engine, "base")
    assert migrate.current(engine) is None
    migrate.upgrade(engine)
    assert migrate.current(engine) == HEAD
    engine.dispose()


def test_upgrading_a_populated_database(tmp_path):
    """Every migration applies to a database that already holds data."""
    from registry.db import make_engine
    from registry.settings import Settings
    from tests import factories

    engine = make_engine(Settings(database_url=f"sqlite:///{tmp_path / 'm.db'}"))
    migrate.upgrade(engine, "0001")
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO agency (slug, name, created_at) VALUES ('a', 'A', "
                             "'2026-01-01 00:00:00')")  # fmt: skip
    migrate.upgrade(engine)
    factories.store(engine, factories.record("a", "tool"), agency="a")
    engine.dispose()


def test_source_kinds_get_their_one_name(tmp_path):
    """0003: the old second names of source kinds become the table's one name, both ways."""
    from registry.db import make_engine
    from registry.settings import Settings

    engine = make_engine(Settings(database_url=f"sqlite:///{tmp_path / 'm.db'}"))
    migrate.upgrade(engine, "0002")
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO agency (id, slug, name, created_at) VALUES "
                             "(1, 'a', 'A', '2026-01-01 00:00:00')")  # fmt: skip
        for i, kind in enumerate(("github-org", "gitlab-group", "git-url", "code-json")):
            conn.exec_driver_sql(
                "INSERT INTO source (agency_id, kind, locator, api_url, created_at) "
                f"VALUES (1, '{kind}', 'loc{i}', '', '2026-01-01 00:00:00')"
            )
    migrate.upgrade(engine, "0003")
    with engine.connect() as conn:
        kinds = [r[0] for r in conn.exec_driver_sql("SELECT kind FROM source ORDER BY locator")]
    assert kinds == ["github", "gitlab", "git", "code-json"]
    migrate.downgrade(engine, "0002")
    with engine.connect() as conn:
        kinds = [r[0] for r in conn.exec_driver_sql("SELECT kind FROM source ORDER BY locator")]
    assert kinds == ["github-org", "gitlab-group", "git-url", "code-json"]
    engine.dispose()


def test_repository_urls_get_their_one_key(tmp_path):
    """0007: keys stored in an older form are re-keyed; a key another row already holds is
    left as it was (nothing merged or lost silently)."""
    from registry.db import make_engine
    from registry.settings import Settings
    from tests import factories

    engine = make_engine(Settings(database_url=f"sqlite:///{tmp_path / 'm.db'}"))
    migrate.upgrade(engine)
    for n in range(3):
        factories.store(engine, factories.record("ahs", f"t{n}"), agency="ahs")
    rows = [  # (html_url, url_key) as an older release stored them
        ("https://www.GitHub.com:443/ahs/tool", "www.github.com:443/ahs/tool"),
        ("http://127.0.0.1:8080/ahs/tool", "127.0.0.1:8080/ahs/tool"),
        ("http://localhost:8080/ahs/tool", "localhost:8080/ahs/tool"),
    ]
    with engine.begin() as conn:
        for n, (url, key) in enumerate(rows, start=1):
            conn.exec_driver_sql(
                "UPDATE repository SET html_url = ?, url_key = ? WHERE id = ?", (url, key, n)
            )
    migrate.downgrade(engine, "0005")  # the revision before 0007
    migrate.upgrade(engine)
    with engine.connect() as conn:
        keys = [r[0] for r in conn.exec_driver_sql("SELECT url_key FROM repository ORDER BY id")]
    assert keys == ["github.com/ahs/tool", "127.0.0.1:8080/ahs/tool", "localhost:8080/ahs/tool"]
    engine.dispose()


def test_international_and_ipv6_hosts_get_their_one_key(tmp_path):
    """0019: a Unicode host is keyed by its IDNA 2008 A-label and a long IPv6 loopback as
    ``localhost``; a key another row already holds is left as it was."""
    from registry.db import make_engine
    from registry.models import ReuseEdge
    from registry.services.records import normalise_url
    from registry.settings import Settings
    from tests import factories

    engine = make_engine(Settings(database_url=f"sqlite:///{tmp_path / 'm.db'}"))
    migrate.upgrade(engine)
    for n in range(4):
        factories.store(engine, factories.record("stadt", f"t{n}"), agency="stadt")
    rows = [  # (html_url, url_key) as 0007 to 0018 stored them
        ("https://git.straße.example/stadt/antrag", "git.straße.example/stadt/antrag"),
        ("http://[0:0:0:0:0:0:0:1]:8080/a/b", "[0:0:0:0:0:0:0:1]:8080/a/b"),
        ("https://git.xn--strae-oqa.example/x/y", "git.xn--strae-oqa.example/x/y"),
        ("https://git.straße.example/x/y", "git.straße.example/x/y"),  # the key is taken
    ]
    with engine.begin() as conn:
        for n, (url, key) in enumerate(rows, start=1):
            conn.exec_driver_sql(
                "UPDATE repository SET html_url = ?, url_key = ? WHERE id = ?", (url, key, n)
            )
    with Session(engine) as session:
        session.add(ReuseEdge(kind="shared_history", reuser_url=rows[0][1], reuser_name="antrag",
                              target_url="github.com/ahs/tool"))  # fmt: skip
        session.commit()
    migrate.downgrade(engine, "0018")  # the revision before 0019
    migrate.upgrade(engine)
    with engine.connect() as conn:
        keys = [r[0] for r in conn.exec_driver_sql("SELECT url_key FROM repository ORDER BY id")]
        [reuser] = [r[0] for r in conn.exec_driver_sql("SELECT reuser_url FROM reuseedge")]
    assert keys == [
        "git.xn--strae-oqa.example/stadt/antrag",
        "localhost:8080/a/b",
        "git.xn--strae-oqa.example/x/y",
        "git.straße.example/x/y",
    ]
    assert keys[:3] == [normalise_url(url) for url, _ in rows[:3]]  # as the code keys them
    assert reuser == "git.xn--strae-oqa.example/stadt/antrag"
    engine.dispose()


# -- 0004: subscriptions become channel + address rows, nothing lost ----------------------
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch_engine(request, tmp_path, database_url):  # database_url: kept on the PG pass
    from registry.db import make_engine
    from registry.settings import Settings

    if request.param == "sqlite":
        engine = make_engine(Settings(database_url=f"sqlite:///{tmp_path / 'm.db'}"))
        yield engine
        engine.dispose()
        return
    if not PG_URL:
        pytest.skip("no PostgreSQL for this run (GOVCODE_TEST_DATABASE_URL is empty)")
    import psycopg

    server, name = PG_URL.rsplit("/", 1)[0], f"govcode_mig_{os.getpid()}"
    admin = server.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    engine = make_engine(Settings(database_url=f"{server}/{name}"))
    yield engine
    engine.dispose()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _insert(conn, table: str, **values):
    """One row; NOT NULL columns nobody named get a plain value of their type."""
    t = sa.Table(table, sa.MetaData(), autoload_with=conn)
    row = {}
    for col in t.columns:
        if col.name in values or col.primary_key or col.nullable or col.server_default:
            continue
        row[col.name] = _plain(col.type)
    row.update(values)
    return conn.execute(t.insert().values(**row).returning(t.c.id)).scalar_one()


def _plain(type_):
    if isinstance(type_, sa.Boolean):
        return False
    if isinstance(type_, sa.Integer | sa.Float | sa.Numeric):
        return 0
    if isinstance(type_, sa.DateTime):
        return T0
    if isinstance(type_, sa.JSON):
        return {}
    return ""


def _rows(conn, table: str) -> dict[int, dict]:
    t = sa.Table(table, sa.MetaData(), autoload_with=conn)
    return {r["id"]: dict(r) for r in conn.execute(sa.select(t)).mappings()}


def test_upgrading_keeps_every_subscription_and_delivery(scratch_engine):
    engine = scratch_engine
    migrate.upgrade(engine, "0002")
    with engine.begin() as conn:
        agency = _insert(conn, "agency", slug="ahs", name="AHS", created_at=T0)
        url = "https://x.example/ahs/tool"
        repo = _insert(conn, "repository", agency_id=agency, full_name="ahs/tool",
                       html_url=url, url_key=url.removeprefix("https://"))  # fmt: skip
        both = _insert(conn, "subscription", repository_id=repo, email="m@ahs.example",
                       webhook_url="https://hooks.example/a", webhook_secret="k1",
                       active=True, created_at=T0)  # fmt: skip
        mail = _insert(conn, "subscription", agency_id=agency, email="team@ahs.example",
                       active=True, created_at=T0)  # fmt: skip
        hook = _insert(conn, "subscription", repository_id=repo, webhook_url="https://h.example/b",
                       webhook_secret="k2", active=False, created_at=T0)  # fmt: skip
        empty = _insert(conn, "subscription", repository_id=repo, active=True, created_at=T0)
        e1, e2 = (_insert(conn, "event", kind="reuse.detected", repository_id=repo, payload={},
                          created_at=T0) for _ in range(2))  # fmt: skip
        d = {
            "e1-mail": _insert(conn, "delivery", event_id=e1, subscription_id=both,
                               channel="email", status="delivered", attempts=1),
            "e1-hook": _insert(conn, "delivery", event_id=e1, subscription_id=both,
                               channel="webhook", status="pending", attempts=2,
                               last_error="HTTP 503"),
            "e2-mail": _insert(conn, "delivery", event_id=e2, subscription_id=both,
                               channel="email", status="pending", attempts=0),
            "e1-team": _insert(conn, "delivery", event_id=e1, subscription_id=mail,
                               channel="email", status="failed", attempts=8),
        }  # fmt: skip

    migrate.upgrade(engine)
    with engine.connect() as conn:
        subs, dels = _rows(conn, "subscription"), _rows(conn, "delivery")
    assert len(subs) == 5 and len(dels) == 4
    got = {i: (s["channel"], s["address"], s["secret"], s["active"]) for i, s in subs.items()}
    assert got[both] == ("webhook", "https://hooks.example/a", "k1", True)  # keeps its id
    assert got[mail] == ("email", "team@ahs.example", None, True)
    assert got[hook] == ("webhook", "https://h.example/b", "k2", False)
    assert got[empty] == ("email", "", None, False)  # no address: kept, switched off
    (split,) = set(subs) - {both, mail, hook, empty}
    assert got[split] == ("email", "m@ahs.example", None, True)
    assert (subs[split]["repository_id"], subs[split]["agency_id"]) == (repo, None)
    assert {k: dels[v]["subscription_id"] for k, v in d.items()} == {
        "e1-mail": split, "e1-hook": both, "e2-mail": split, "e1-team": mail}  # fmt: skip
    assert [(dels[v]["status"], dels[v]["attempts"]) for v in d.values()] == [
        ("delivered", 1), ("pending", 2), ("pending", 0), ("failed", 8)]  # fmt: skip
    assert dels[d["e1-hook"]]["last_error"] == "HTTP 503"

    # The registry reads the upgraded rows: the pending webhook retry keeps its key.
    from registry.services import deliveries

    with Session(engine) as session:
        due = {x.delivery_id: x for x in deliveries.due(session, now=datetime.now(UTC))}
    assert set(due) == {d["e1-hook"], d["e2-mail"]}
    assert due[d["e1-hook"]].key == f"{e1}-{both}" and due[d["e1-hook"]].channel == "webhook"

    migrate.downgrade(engine, "0002")
    with engine.connect() as conn:
        subs, dels = _rows(conn, "subscription"), _rows(conn, "delivery")
    assert (subs[both]["webhook_url"], subs[both]["webhook_secret"]) == (
        "https://hooks.example/a",
        "k1",
    )
    assert subs[split]["email"] == "m@ahs.example" and subs[empty]["email"] is None
    channels = {k: dels[v]["channel"] for k, v in d.items()}
    assert channels == {"e1-mail": "email", "e1-hook": "webhook", "e2-mail": "email",
                        "e1-team": "email"}  # fmt: skip
