"""What a licence asks of a reuser: choosealicense's facts, our plain words, SPDX logic."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from registry.analysis.licence_duties import (
    CONDITIONS,
    LIMITATIONS,
    PERMISSIONS,
    licence_duties,
)

CHOOSEALICENSE = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "spdx"
CHOOSEALICENSE = CHOOSEALICENSE / "choosealicense"


def tags(duties):
    return [d.tag for d in duties]


def test_a_permissive_licence_asks_for_the_notice_only():
    (mit,) = licence_duties("MIT").options
    assert tags(mit.conditions) == ["include-copyright"]
    assert "commercial-use" in tags(mit.permissions)
    assert {"liability", "warranty"} <= set(tags(mit.limitations))
    assert mit.conditions[0].text.startswith("Keep the copyright notice")


def test_network_copyleft_says_that_a_service_is_distribution():
    (agpl,) = licence_duties("AGPL-3.0-or-later").options
    assert {"disclose-source", "network-use-disclose", "same-license"} <= set(tags(agpl.conditions))
    (gpl,) = licence_duties("GPL-3.0-only").options
    assert "network-use-disclose" not in tags(gpl.conditions)


def test_and_adds_every_duty_and_keeps_only_shared_permissions():
    (both,) = licence_duties("MIT AND Apache-2.0").options
    assert both.licences == ("MIT", "Apache-2.0")
    assert {"include-copyright", "document-changes"} <= set(tags(both.conditions))
    # Apache grants patents, MIT says nothing: together the grant is not everyone's
    assert "patent-use" not in tags(both.permissions)


def test_or_is_a_choice_with_its_own_duties_each():
    result = licence_duties("MIT OR GPL-2.0-or-later")
    assert [o.licences for o in result.options] == [("MIT",), ("GPL-2.0-or-later",)]
    assert "same-license" in tags(result.options[1].conditions)
    assert "same-license" not in tags(result.options[0].conditions)
    assert any("choose" in n for n in result.notes)


def test_nested_expressions_are_read_in_disjunctive_form():
    result = licence_duties("(MIT OR Apache-2.0) AND CC0-1.0")
    assert [o.licences for o in result.options] == [("MIT", "CC0-1.0"), ("Apache-2.0", "CC0-1.0")]


def test_an_exception_is_named_and_the_licence_still_described():
    (option,) = licence_duties("GPL-2.0-or-later WITH Classpath-exception-2.0").options
    assert option.exceptions == ("Classpath-exception-2.0",)
    assert "same-license" in tags(option.conditions)
    assert any("exception" in n for n in licence_duties(
        "GPL-2.0-or-later WITH Classpath-exception-2.0").notes)  # fmt: skip


def test_missing_unknown_and_undescribed_licences_warn_instead_of_saying_nothing():
    none = licence_duties(None, status="none")
    assert none.options == () and "No licence" in (none.warning or "")
    unknown = licence_duties("MIT", status="unknown")
    assert unknown.warning and "identified" in unknown.warning
    disputed = licence_duties("GPL-3.0-only", status="disputed")
    assert disputed.warning and "disagree" in disputed.warning
    (ogl,) = licence_duties("OGL-UK-3.0").options
    assert ogl.undescribed == ("OGL-UK-3.0",) and ogl.conditions == ()
    assert any("OGL-UK-3.0" in n for n in licence_duties("OGL-UK-3.0").notes)
    garbage = licence_duties("Apache 2 (c) the city")
    assert garbage.options == () and garbage.warning


def _front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---")[1])


@pytest.mark.skipif(not CHOOSEALICENSE.exists(), reason="../shared/data is absent")
def test_every_choosealicense_licence_gets_its_own_rules():
    """The library's data agrees with choosealicense's own files, licence by licence."""
    checked = 0
    for path in sorted((CHOOSEALICENSE / "_licenses").glob("*.txt")):
        meta = _front_matter(path)
        (option,) = licence_duties(meta["spdx-id"]).options
        assert option.undescribed == (), meta["spdx-id"]
        assert set(tags(option.conditions)) == set(meta.get("conditions") or []), meta["spdx-id"]
        assert set(tags(option.permissions)) == set(meta.get("permissions") or []), meta["spdx-id"]
        assert set(tags(option.limitations)) == set(meta.get("limitations") or []), meta["spdx-id"]
        checked += 1
    assert checked >= 40


@pytest.mark.skipif(not CHOOSEALICENSE.exists(), reason="../shared/data is absent")
def test_every_rule_has_our_plain_words():
    rules = yaml.safe_load((CHOOSEALICENSE / "_data" / "rules.yml").read_text(encoding="utf-8"))
    ours = {"permissions": PERMISSIONS, "conditions": CONDITIONS, "limitations": LIMITATIONS}
    for kind, words in ours.items():
        assert {r["tag"] for r in rules[kind]} <= set(words), kind
