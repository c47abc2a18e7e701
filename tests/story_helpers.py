"""Helpers the end-to-end tests share: run the real CLI with settings as environment."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from registry.cli.main import app
from registry.settings import Settings


def settings_env(settings: Settings) -> dict[str, str]:
    """Settings as the GOVCODE_* environment a deployment would set."""
    env = {}
    for name, value in settings.model_dump(mode="json").items():
        if value is None:
            continue
        if hasattr(getattr(settings, name), "get_secret_value"):
            value = getattr(settings, name).get_secret_value()
        env[f"GOVCODE_{name.upper()}"] = (
            json.dumps(value) if isinstance(value, list | dict) else str(value)
        )
    return env


def govcode(monkeypatch: pytest.MonkeyPatch, settings: Settings, *args: str) -> str:
    """Run ``govcode ARGS`` in-process; fail the test with its output when it fails."""
    for key, value in settings_env(settings).items():
        monkeypatch.setenv(key, value)
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, f"govcode {' '.join(args)} failed:\n{result.output}"
    return result.output
