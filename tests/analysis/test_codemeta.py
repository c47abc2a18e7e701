"""codemeta.json reader: the two real files, licence URLs to SPDX ids, fuzzing."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.analysis.metadata.codemeta import parse_codemeta
from registry.analysis.metadata.errors import MetadataError
from registry.analysis.metadata.spdx_ids import spdx_id

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "codemeta"


@pytest.fixture(scope="module")
def files() -> list[Path]:
    found = sorted(DATA.glob("*.codemeta.json")) if DATA.is_dir() else []
    if not found:
        pytest.skip("shared/data/codemeta is absent")
    return found


def test_both_real_files_parse_with_spdx_licences(files: list[Path]) -> None:
    results = {path.name: parse_codemeta(path.read_bytes()) for path in files}
    for name, meta in results.items():
        print(f"\n{name}: {meta.name!r} licences={meta.licences} problems={meta.problems}")
        assert meta.licences and all(spdx_id(lic) == lic for lic in meta.licences)
        assert meta.code_repository and meta.code_repository.startswith("https://github.com/")
    assert len(results) == 2
    pip = results["2xs__pipcore.codemeta.json"]
    assert pip.licences == ("CECILL-2.1",)
    assert pip.version == "2.0.0"  # softwareVersion wins over the metadata "version"
    assert "Damien Amara" in pip.authors and len(pip.authors) == 14
    assert pip.programming_languages == ("Coq", "C", "Makefile", "Shell")
    agro = results["AgRoMeteorologiaINTA__agroclimatico.codemeta.json"]
    assert agro.licences == ("GPL-3.0",)
    assert agro.problems == ("licence 'GPL-3.0' is a deprecated SPDX id",)
    assert agro.programming_languages == ("R",)


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("https://spdx.org/licenses/MIT", "MIT"),
        ("http://spdx.org/licenses/EUPL-1.2.html", "EUPL-1.2"),
        ("https://spdx.org/licenses/apache-2.0.json", "Apache-2.0"),
        ("mit", "MIT"),
        ("https://opensource.org/licenses/MIT", None),
        ("MIT License", None),
    ],
)
def test_spdx_ids_from_urls(declared: str, expected: str | None) -> None:
    assert spdx_id(declared) == expected


def test_shapes_of_json_ld() -> None:
    doc = {
        "@context": "https://w3id.org/codemeta/3.0",
        "name": "tool",
        "license": [{"@id": "https://spdx.org/licenses/MIT"}, "Crown Copyright"],
        "keywords": "covid, health ,",
        "author": {"@type": "Organization", "name": "Alberta Health Services"},
        "isBasedOn": [{"@id": "https://github.com/ab/original"}, "https://gitlab.com/x/y"],
        "relatedLink": "https://example.org",
        "developmentStatus": "https://www.repostatus.org/#active",
        "programmingLanguage": {"1": {"name": "Python"}, "2": "JavaScript"},
    }
    meta = parse_codemeta(json.dumps(doc).encode())
    assert meta.licences == ("MIT",)
    assert meta.problems == ("licence 'Crown Copyright' is not an SPDX licence id",)
    assert meta.keywords == ("covid", "health")
    assert meta.authors == ("Alberta Health Services",)
    assert meta.is_based_on == ("https://github.com/ab/original", "https://gitlab.com/x/y")
    assert meta.programming_languages == ("Python", "JavaScript")
    assert meta.development_status == "https://www.repostatus.org/#active"


def test_missing_context_is_a_problem() -> None:
    assert parse_codemeta(b'{"name": "x"}').problems == (
        "@context does not name a CodeMeta context",
    )


@pytest.mark.parametrize("data", [b"", b"[]", b"null", b"\xff\xfe{", b'{"a":'])
def test_not_an_object_raises(data: bytes) -> None:
    with pytest.raises(MetadataError):
        parse_codemeta(data)


_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
_keys = st.sampled_from(
    ["@context", "@id", "name", "license", "author", "givenName", "familyName", "keywords",
     "isBasedOn", "relatedLink", "programmingLanguage", "codeRepository", "version", "1"]
) | st.text(max_size=6)  # fmt: skip
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=5),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_fuzz_bytes(data: bytes) -> None:
    with contextlib.suppress(MetadataError):
        parse_codemeta(data)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_keys, _values, max_size=8))
def test_fuzz_objects(doc: dict[str, object]) -> None:
    meta = parse_codemeta(json.dumps(doc).encode())
    assert all(spdx_id(lic) == lic for lic in meta.licences)
