"""The command line: crawl a git URL, rebuild the index, dry runs, clear errors."""

from __future__ import annotations

from typer.testing import CliRunner

from registry.cli.main import app
from registry.search import SearchRequest, open_index
from tests.story_helpers import govcode, settings_env


def test_crawl_a_git_url_then_rebuild_the_index(monkeypatch, settings, fake_github):
    fake_github.add_org("city")
    fake_github.add_repo("city", "permits", {"README.md": "# Permits\n\nBuilding permits.\n",
                                             "app.rb": "puts 1\n" * 20})  # fmt: skip
    s = settings.model_copy(
        update={"allow_http_hosts": [fake_github.base_url.removeprefix("http://")]}
    )
    url = fake_github.clone_url("city/permits")
    govcode(monkeypatch, s, "crawl", "git", url, "--agency", "City of Example")
    index = open_index(s)
    assert index.search(SearchRequest(text="permits")).total == 1
    out = govcode(monkeypatch, s, "index", "rebuild")
    assert "indexed 1 repositories" in out
    index.refresh()
    assert index.search(SearchRequest(text="permits", filters={"languages": ["Ruby"]})).total == 1


def test_unsafe_urls_are_refused_with_a_clear_message(monkeypatch, settings):
    for key, value in settings_env(settings).items():
        monkeypatch.setenv(key, value)
    runner = CliRunner()
    for url in ("file:///etc", "ext::sh -c touch% /tmp/pwned", "http://127.0.0.1/x.git"):
        result = runner.invoke(app, ["crawl", "git", url, "--agency", "X"])
        assert result.exit_code != 0
        assert "Unsafe" in type(result.exception).__name__ or "refused" in str(result.exception)


def test_the_console_script_prints_our_errors_plainly(monkeypatch, settings, capsys):
    import pytest

    from registry.cli.main import run

    for key, value in settings_env(settings).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(
        "sys.argv", ["govcode", "crawl", "git", "file:///etc/passwd", "--agency", "X"]
    )
    with pytest.raises(SystemExit) as exit_:
        run()
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("govcode: unsafe url: ") and "file" in err and "Traceback" not in err


def test_dry_run_writes_nothing(monkeypatch, settings):
    out = govcode(monkeypatch, settings, "crawl", "github", "some-org", "--dry-run")
    assert "would crawl github 'some-org'" in out
    out = govcode(monkeypatch, settings, "agencies", "list")
    assert "some-org" not in out


def test_db_upgrade_reports_the_revision(monkeypatch, settings):
    from registry import migrate

    assert migrate.heads()[0] in govcode(monkeypatch, settings, "db", "upgrade")
