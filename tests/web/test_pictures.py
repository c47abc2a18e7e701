"""Server-drawn pictures: well-formed SVG, Linguist's colours, the facts in words."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from web.pictures import activity_sparkline, activity_words, language_bar, language_slices

SVG = "{http://www.w3.org/2000/svg}"


def test_small_languages_fold_into_other_and_the_bar_adds_up():
    langs = [(f"Lang{i}", 0.5 / 2**i) for i in range(12)] + [("Python", 0.3)]
    slices = language_slices(langs, top=3)
    assert [s.language for s in slices] == ["Lang0", "Python", "Lang1", "Other"]
    assert abs(sum(s.share for s in slices) - sum(share for _, share in langs)) < 1e-9
    svg = ET.fromstring(language_bar(slices))
    widths = [float(r.get("width")) for r in svg.iter(f"{SVG}rect")]
    assert abs(sum(widths) - 600) < 0.1
    assert language_bar([]) == "" and language_slices([("C", 0.0)]) == []


def test_the_sparkline_is_empty_without_data_and_says_what_it_shows():
    assert activity_sparkline([]) == ""
    svg = ET.fromstring(activity_sparkline([0] * 51 + [5]))
    assert len(svg.find(f"{SVG}polyline").get("points").split()) == 52
    assert "5 commits" in svg.find(f"{SVG}title").text
    assert activity_words([0] * 52).startswith("No commits")
