"""Bounds on stored strings: read from ORM rows or from plain column values, the same."""

from __future__ import annotations

from registry.models import Repository, RepositoryPublic
from web.bounds import ELLIPSIS, bounded, bounded_fields, bounded_values


def long_repository() -> Repository:
    return Repository(
        id=7, agency_id=1, forge="github", owner="o", name="n" * 300, full_name="o/n",
        html_url="https://github.example/" + "x" * 600, url_key="k", clone_url="c",
        description="d" * 5000, topics=["t" * 400] * 150, development_status="s" * 50,
        licence_mismatches=["m" * 3000], stars=3, archived=True,
    )  # fmt: skip


def test_values_are_bounded_as_rows_are():
    repo = long_repository()
    values = {name: getattr(repo, name) for name in Repository.model_fields} | {"extra": 1}
    for model in (RepositoryPublic, None):
        want = bounded_fields(repo, model)
        got = bounded_values(dict(values), Repository, model)
        assert got == want
    shown = bounded_values(dict(values), Repository, RepositoryPublic)
    assert len(shown["description"]) == 2000 and shown["description"].endswith(ELLIPSIS)
    assert shown["html_url"] == ""  # a URL too long is dropped, never cut
    assert len(shown["topics"]) == 100 and len(shown["topics"][0]) == 300
    assert len(shown["licence_mismatches"][0]) == 2000
    assert "extra" not in shown and shown["stars"] == 3 and shown["archived"] is True
    assert bounded(repo).development_status == "s" * 19 + ELLIPSIS
