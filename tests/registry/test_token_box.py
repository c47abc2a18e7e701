"""Kept forge tokens: sealed with the operator's Fernet key, unreadable without it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from registry.errors import BadRequest
from registry.settings import Settings
from registry.token_box import TokenBox


def test_a_sealed_token_opens_only_with_its_key():
    box = TokenBox(TokenBox.new_key())
    sealed = box.seal("ghp_secret_1234")
    assert "ghp_secret" not in sealed and box.open(sealed) == "ghp_secret_1234"
    with pytest.raises(BadRequest, match="give it again"):
        TokenBox(TokenBox.new_key()).open(sealed)
    with pytest.raises(BadRequest):
        box.open(sealed[:-4] + "AAAA")  # tampered with: refused, never misread


def test_settings_refuse_a_key_that_is_not_a_fernet_key():
    with pytest.raises(ValidationError, match="Fernet key"):
        Settings(forge_token_key="not-a-key")
    assert TokenBox.from_settings(Settings()) is None
    assert TokenBox.from_settings(Settings(forge_token_key=TokenBox.new_key())) is not None
