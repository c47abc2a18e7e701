"""The command line: crawl a git URL, rebuild the index, dry runs, clear errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from registry import migrate
from registry.cli.main import app
from registry.search import SearchRequest, open_index
from tests.conftest import free_port
from tests.story_helpers import govcode, settings_env

CHECKOUT = Path(__file__).resolve().parents[1]


def invoke(monkeypatch, settings, *args: str, env: dict[str, str] | None = None):
    """Run ``govcode ARGS`` in-process as a user would (errors handled, not raised)."""
    for key, value in {**settings_env(settings), **(env or {})}.items():
        monkeypatch.setenv(key, value)
    return CliRunner().invoke(app, list(args))


def http_settings(settings, fake_github):
    return settings.model_copy(
        update={"allow_http_hosts": [fake_github.base_url.removeprefix("http://")]}
    )


def test_crawl_a_git_url_then_rebuild_the_index(monkeypatch, settings, fake_github):
    fake_github.add_org("city")
    fake_github.add_repo("city", "permits", {"README.md": "# Permits\n\nBuilding permits.\n",
                                             "app.rb": "puts 1\n" * 20})  # fmt: skip
    s = http_settings(settings, fake_github)
    url = fake_github.clone_url("city/permits")
    govcode(monkeypatch, s, "crawl", "git", url, "--agency", "City of Example")
    index = open_index(s)
    assert index.search(SearchRequest(text="permits")).total == 1
    out = govcode(monkeypatch, s, "index", "rebuild")
    assert "indexed 1 repositories" in out
    index.refresh()
    assert index.search(SearchRequest(text="permits", filters={"languages": ["Ruby"]})).total == 1


def test_unsafe_urls_are_refused_with_a_clear_message(monkeypatch, settings):
    for url in ("file:///etc", "ext::sh -c touch% /tmp/pwned", "http://127.0.0.1/x.git"):
        result = invoke(monkeypatch, settings, "crawl", "git", url, "--agency", "X")
        assert result.exit_code == 2
        assert result.stderr.startswith("govcode: unsafe url: ")
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.output


def test_the_console_script_prints_our_errors_plainly(monkeypatch, settings, capsys):
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


def test_a_failed_crawl_exits_non_zero_with_one_line_per_failure(
    monkeypatch, settings, fake_github
):
    fake_github.add_org("city")
    fake_github.add_repo("city", "permits", {"README.md": "# Permits\n"})
    port = free_port()  # nobody listens there: the clone fails
    hosts = [fake_github.base_url.removeprefix("http://"), f"127.0.0.1:{port}"]
    s = settings.model_copy(update={"allow_http_hosts": hosts})
    missing = f"http://127.0.0.1:{port}/city/gone.git"
    result = invoke(monkeypatch, s, "crawl", "git", missing, "--agency", "City")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"failed: {missing.removesuffix('.git')}")
    assert len(lines[0]) > len(f"failed: {missing}: ")  # and why
    assert "Traceback" not in result.output
    ok = invoke(monkeypatch, s, "crawl", "git", fake_github.clone_url("city/permits"),
                "--agency", "City")  # fmt: skip
    assert ok.exit_code == 0 and ok.stderr == ""


def test_a_mistyped_setting_is_one_line_naming_the_variable(monkeypatch, settings):
    cases = {
        "GOVCODE_ALLOW_HTTP_HOSTS": ("localhost:8000", "a JSON list"),
        "GOVCODE_PORT": ("eighty", "integer"),
        "GOVCODE_ENVIRONMENT": ("prod", "'production'"),
    }
    for variable, (value, expected) in cases.items():
        result = invoke(monkeypatch, settings, "agencies", "list", env={variable: value})
        monkeypatch.delenv(variable)
        assert result.exit_code == 2, result.output
        assert result.stderr.splitlines() == [result.stderr.strip()]  # one line
        assert result.stderr.startswith(f"govcode: bad setting {variable}: ")
        assert expected in result.stderr and "Traceback" not in result.output


def test_unexpected_errors_are_one_line_and_debug_shows_the_traceback(
    monkeypatch, settings, tmp_path
):
    folder = tmp_path / "a-folder"
    folder.mkdir()  # a folder where the database file should be
    s = settings.model_copy(update={"database_url": f"sqlite:///{folder}"})
    result = invoke(monkeypatch, s, "agencies", "list")
    assert result.exit_code == 1
    assert result.stderr.startswith("govcode: error: OperationalError: ")
    assert result.stderr.count("\n") == 1 and "--debug" in result.stderr
    debug = invoke(monkeypatch, s, "--debug", "agencies", "list")
    assert type(debug.exception).__name__ == "OperationalError"  # raised, with its traceback


def test_dry_run_writes_nothing(monkeypatch, settings):
    out = govcode(monkeypatch, settings, "crawl", "github", "some-org", "--dry-run")
    assert "would crawl github 'some-org'" in out
    out = govcode(monkeypatch, settings, "agencies", "list")
    assert "some-org" not in out


def test_db_upgrade_reports_the_revision_and_its_dry_run_applies_nothing(
    monkeypatch, settings, tmp_path
):
    fresh = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'new.db'}"})
    out = govcode(monkeypatch, fresh, "db", "upgrade", "--dry-run")
    assert "would create the database" in out and not (tmp_path / "new.db").exists()
    govcode(monkeypatch, fresh, "db", "upgrade", "0001")
    out = govcode(monkeypatch, fresh, "db", "upgrade", "--dry-run")
    assert "database at revision 0001" in out and f"would apply {migrate.head()}:" in out
    assert govcode(monkeypatch, fresh, "db", "current").strip() == "0001"
    assert migrate.head() in govcode(monkeypatch, fresh, "db", "upgrade")
    assert "nothing to apply" in govcode(monkeypatch, fresh, "db", "upgrade", "--dry-run")


def test_agencies_take_iso_country_codes_in_one_case(monkeypatch, settings, engine):
    from sqlmodel import Session, select

    from registry.models import Agency

    govcode(monkeypatch, settings, "agencies", "add", "Health Canada", "--country", "ca")
    govcode(monkeypatch, settings, "agencies", "add", "Statistics Canada", "--country", "CA")
    for bad in ("Canada", "can", "XX", "c1"):
        result = invoke(monkeypatch, settings, "agencies", "add", "Bad", "--country", bad)
        assert result.exit_code == 2 and "ISO 3166-1 alpha-2" in result.stderr
        dry = invoke(monkeypatch, settings, "agencies", "add", "Bad", "--country", bad, "--dry-run")
        assert dry.exit_code == 2
    with Session(engine) as session:
        countries = {a.slug: a.country for a in session.exec(select(Agency)).all()}
    assert countries == {"health-canada": "CA", "statistics-canada": "CA"}


def test_output_is_whole_lines_whatever_the_terminal_width_and_path(tmp_path):
    """A problem naming a long path is one line under any COLUMNS (rich wraps otherwise)."""
    deep = tmp_path.joinpath(*["a-rather-long-folder-name"] * 6)
    deep.mkdir(parents=True)
    broken = deep / "broken-code.json"
    broken.write_text("{ not json")
    for columns in ("40", "80", "300"):
        env = {**os.environ, "COLUMNS": columns, "GOVCODE_VAR_DIR": str(tmp_path / "var")}
        env.pop("GOVCODE_DATABASE_URL", None)
        done = subprocess.run(
            [sys.executable, "-m", "registry.cli.main", "import", "code-json", str(broken),
             "--dry-run"],
            capture_output=True, text=True, env=env, cwd=CHECKOUT, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        problems = [line for line in done.stdout.splitlines() if line.startswith("problem")]
        assert len(problems) == 1 and str(broken) in problems[0], done.stdout
