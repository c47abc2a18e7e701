"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import registry.models  # noqa: F401
from registry import migrate

HEAD = migrate.heads()[0]


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
