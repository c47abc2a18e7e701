"""README discovery, plain text, excerpt and depth."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from registry.analysis.readme import TEXT_CAP, analyse_readme, find_readme
from registry.analysis.tree import MemoryTree

MARKDOWN = """\
<p align="center">
  <a href="https://covid.example.ca"><img src="docs/logo.png" alt="" width="200"></a>
</p>

# COVID-19 Self Assessment

[![Build Status](https://travis-ci.org/ahs/covid.svg?branch=main)](https://travis-ci.org/ahs/covid)
[![License: MIT](https://img.shields.io/badge/License-MIT-yellow.svg)](LICENSE)

This **self-assessment** tool helps <b>Albertans</b> decide whether to seek care &amp; \
testing. Read [the guide](https://example.ca/guide) first.

It is built with `React` and runs in any browser.

## Install

```sh
npm install && npm start
```

## Usage

- open the page
- answer the questions
"""


def test_markdown_excerpt_strips_badges_images_html_and_markup() -> None:
    finding = analyse_readme(MemoryTree({"README.md": MARKDOWN, "src/app.js": "x"}))
    assert finding.path == "README.md"
    assert finding.excerpt == (
        "This self-assessment tool helps Albertans decide whether to seek care & testing. "
        "Read the guide first.\n\nIt is built with React and runs in any browser."
    )
    for debris in ("![", "](", "<", "**", "shields.io", "&amp;", "`"):
        assert debris not in finding.excerpt
    assert finding.headings == 3
    assert "npm install" in finding.text
    assert "answer the questions" in finding.text
    assert finding.words == len(finding.text.split())


def test_html_headings_count_and_html_paragraphs_are_prose() -> None:
    source = '<h1 align="center">Mon Projet</h1>\n\n<p>Un outil pour les mairies de France.</p>\n'
    finding = analyse_readme(MemoryTree({"readme.markdown": source}))
    assert finding.headings == 1
    assert finding.excerpt == "Un outil pour les mairies de France."


def test_restructuredtext_readme() -> None:
    source = """\
|build| |coverage|

=========
 Gazette
=========
Publishes the official gazette as `open data <https://example.gov/data>`_ using ``python``.

.. image:: https://img.shields.io/badge/x.svg
   :target: https://ci.example.gov

.. |build| image:: https://ci.example.gov/badge.svg

Installation
------------

Run :code:`pip install gazette` and *configure* the **database**.
"""
    finding = analyse_readme(MemoryTree({"README.rst": source}))
    assert finding.headings == 2
    assert finding.excerpt == (
        "Publishes the official gazette as open data using python.\n\n"
        "Run pip install gazette and configure the database."
    )
    assert "image::" not in finding.text and "|build|" not in finding.text


def test_root_readme_wins_then_unlocalised_then_english() -> None:
    files = {
        "docs/README.md": "docs",
        "README.fr.md": "fr",
        "README.en.md": "en",
        "readme.txt": "plain",
        "README.md": "root",
        "pkg/README.md": "nested",
    }
    assert find_readme(MemoryTree(files)) == "README.md"
    del files["README.md"]
    assert find_readme(MemoryTree(files)) == "readme.txt"
    del files["readme.txt"]
    assert find_readme(MemoryTree(files)) == "README.en.md"
    del files["README.en.md"]
    assert find_readme(MemoryTree(files)) == "README.fr.md"
    del files["README.fr.md"]
    assert find_readme(MemoryTree(files)) == "docs/README.md"
    assert find_readme(MemoryTree({"pkg/README.md": "x", "READMEFIRST.md": "x"})) is None


def test_no_readme_and_symlinked_readme() -> None:
    assert analyse_readme(MemoryTree({"main.go": "package main"})).path is None
    linked = analyse_readme(MemoryTree({"README.md": "x"}, symlinks=["README.md"]))
    assert (linked.path, linked.text, linked.words) == (None, "", 0)


def test_excerpt_is_cut_at_a_word_and_text_is_capped() -> None:
    paragraph = "Reusable forms for public services in every province and territory. "
    huge = (paragraph * 4 + "\n\n") * 2000
    finding = analyse_readme(MemoryTree({"README.md": huge}), excerpt_chars=100)
    assert len(finding.excerpt) <= 101 and finding.excerpt.endswith("…")
    assert (paragraph * 4).startswith(finding.excerpt[:-1])
    assert len(finding.text) == TEXT_CAP


def test_latin1_plain_text_readme() -> None:
    source = "Système de gestion des élections municipales pour les communes.\n".encode("latin-1")
    finding = analyse_readme(MemoryTree({"README": source}))
    assert finding.excerpt == "Système de gestion des élections municipales pour les communes."


@settings(max_examples=80, deadline=None)
@given(
    name=st.sampled_from(["README.md", "README.rst", "README", "docs/readme.txt", "README.de.md"]),
    body=st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode)),
    chars=st.integers(min_value=-5, max_value=700),
)
def test_never_raises_on_arbitrary_readmes(name: str, body: bytes, chars: int) -> None:
    finding = analyse_readme(MemoryTree({name: body}), excerpt_chars=chars)
    assert finding.path == name
    assert len(finding.excerpt) <= max(chars, 0) + 1
    assert finding.words >= 0 and finding.headings >= 0


def test_the_readme_source_is_kept_for_the_page_to_render():
    from registry.analysis.readme import SOURCE_CAP

    tree = MemoryTree({"README.md": "# Tool\n\n![logo](logo.png)\n", "docs/x.txt": "x"})
    found = analyse_readme(tree)
    assert found.markup == "markdown" and found.source.startswith("# Tool")
    plain = analyse_readme(MemoryTree({"README": "Just text\n"}))
    assert plain.markup == "text" and plain.source == "Just text\n"
    huge = analyse_readme(MemoryTree({"README.md": "word " * SOURCE_CAP}))
    assert len(huge.source) == SOURCE_CAP
