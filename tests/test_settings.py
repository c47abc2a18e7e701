"""Settings: documented, and safe in production."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from registry.settings import Settings

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name):
    assert f"`GOVCODE_{name.upper()}`" in README
    assert Settings.model_fields[name].description


def test_production_refuses_placeholder_secret_and_http_allow_list():
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production")
    with pytest.raises(ValidationError, match="ALLOW_HTTP_HOSTS"):
        Settings(environment="production", secret_key="x" * 40, allow_http_hosts=["127.0.0.1"])
    assert Settings(environment="production", secret_key="x" * 40).environment == "production"


def test_environment_variables_configure_it(monkeypatch):
    monkeypatch.setenv("GOVCODE_ALLOW_HTTP_HOSTS", '["127.0.0.1:9000"]')
    monkeypatch.setenv("GOVCODE_MAX_BLOB_BYTES", "1234")
    s = Settings()
    assert s.allow_http_hosts == ["127.0.0.1:9000"] and s.max_blob_bytes == 1234
