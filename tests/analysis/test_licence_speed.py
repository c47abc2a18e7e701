"""The shortcuts that make licence analysis cheap keep its answers.

Results are remembered by text digest; the light per-line phrase test agrees with
``Words.has_any``; SPDX headers come from a bounded, deterministic sample.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.analysis import licence_text
from registry.analysis.licence_files import MAX_HEADER_FILES, spdx_headers
from registry.analysis.licence_rules import Words, has_phrase, line_words
from registry.analysis.tree import MemoryTree

GPL3 = Path("/usr/share/common-licenses/GPL-3")


def test_results_are_remembered_by_text() -> None:
    if not GPL3.exists():
        pytest.skip("Debian's common-licenses are not installed here")
    text = GPL3.read_text()
    licence_text.clear_cache()
    first = licence_text.examine_text(text)
    assert first.expression == "GPL-3.0-only" and first.open_version
    assert licence_text.examine_text(text) is first  # remembered
    changed = text.replace("GNU GENERAL PUBLIC LICENSE", "AGENCY PUBLIC LICENCE", 1)
    assert licence_text.examine_text(changed) is not first  # another text, its own answer
    licence_text.clear_cache()
    again = licence_text.examine_text(text)
    assert again is not first and again == first


words = st.lists(st.sampled_from(["may", "not", "shall", "the", "of", "end", "terms"]))


@given(words, st.sampled_from(["may not", "shall", "end of terms", "of the", "not"]))
def test_phrase_test_agrees_with_words(line: list[str], phrase: str) -> None:
    text = " ".join(line)
    assert has_phrase(" ".join(line_words(text)), (phrase,)) == Words.of(text).has_any((phrase,))


def test_spdx_headers_come_from_a_bounded_sample_of_file_heads() -> None:
    files = {f"src/m{i:03}.py": "# SPDX-License-Identifier: EUPL-1.2\n" for i in range(150)}
    files["a.py"] = "x = 1\n" * 1000 + "# SPDX-License-Identifier: MIT\n"  # past the head
    tally = spdx_headers(MemoryTree(files), MemoryTree(files).entries())
    assert tally.sampled == MAX_HEADER_FILES
    assert dict(tally.counts) == {"EUPL-1.2": MAX_HEADER_FILES - 1}
    assert tally.first_path["EUPL-1.2"] == "src/m000.py"
