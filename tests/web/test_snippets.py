"""Snippets: the words searched for, found in the description or else the README."""

from __future__ import annotations

from web.snippets import snippet, terms


def words(s) -> list[str]:  # type: ignore[no-untyped-def]
    return [s.text[a:b] for a, b in s.matches]


def test_field_syntax_operators_and_quotes_are_not_words():
    assert terms('licence:MIT "self assessment" covid* OR x') == ["self", "assessment", "covid"]


def test_the_description_is_marked_by_word_start_and_folded():
    found = snippet("Évaluation des permis de construire", "", "evaluation permits")
    assert found is not None and found.field == "description"
    assert words(found) == ["Évaluation", "permis"]


def test_a_readme_window_when_the_description_does_not_match():
    excerpt = "Intro. " + "filler words here " * 30 + "The questionnaire asks eight questions."
    found = snippet("A tool", excerpt, "questionnaire")
    assert found is not None and found.field == "readme"
    assert found.text.startswith("…") and words(found) == ["questionnaire"]
    assert len(found.text) <= 170
    assert snippet("A tool", excerpt, "nothing") is None
    assert snippet("A tool", excerpt, "licence:MIT") is None
