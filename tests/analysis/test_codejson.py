"""code.json reader: real US inventories (defects included), small cases, fuzzing."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.analysis.metadata.codejson import parse_code_json
from registry.analysis.metadata.errors import MetadataError

DATA_NASA = "NASA__nasa_Open-Source-Catalog__code.json"
DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "code-json"
INVENTORY_GLOBS = (
    "agency/*.json",
    "dsacms-code-gov/agency-indexes/*.json",
    "dsacms-code-gov/agency-projects-sample/*.json",
    "dsacms-code-gov/code.json",
    "project/*.json",
    "schemas/dsacms-gov-codejson/code.json",
    "schemas/dsacms-gov-codejson/tests_examples_*.json",
)


@pytest.fixture(scope="module")
def data_dir() -> Path:
    if not DATA.is_dir():
        pytest.skip("shared/data/code-json is absent")
    return DATA


def _releases_in(path: Path) -> int:
    """Independent count: the length of the releases/projects list as plain JSON says."""
    doc = json.loads(path.read_bytes())
    return len(doc) if isinstance(doc, list) else len(doc.get("releases", doc.get("projects", [])))


def test_every_real_inventory_parses_except_the_invalid_one(data_dir: Path) -> None:
    files = sorted({p for pattern in INVENTORY_GLOBS for p in data_dir.glob(pattern)})
    parsed, failed, releases = 0, [], 0
    for path in files:
        try:
            inventory = parse_code_json(path.read_bytes())
        except MetadataError as exc:
            failed.append((path.name, str(exc)))
            continue
        parsed += 1
        releases += len(inventory.releases)
        assert all(r.name for r in inventory.releases)
    print(f"\ncode.json: {parsed} parsed, {len(failed)} refused, {releases} releases; {failed}")
    assert [name for name, _ in failed] == ["GSA-index.json"]
    assert "not valid JSON" in failed[0][1]
    assert parsed == len(files) - 1 > 80


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("NASA__nasa_Open-Source-Catalog__code.json", 1304),
        ("CDC__CDCgov_Source-Code-Inventory__code.json", 323),
        ("GSA__schema-2.0.0__via-DSACMS-code-gov_agency-indexes_GSA_open-gsa-redesign.json", 1275),
        ("GSA__schema-1.0.1__via-DSACMS-code-gov_agency-indexes_GSA_open.gsa.gov.json", 1272),
    ],
)
def test_agency_inventories_count_exactly(data_dir: Path, name: str, expected: int) -> None:
    path = data_dir / "agency" / name
    inventory = parse_code_json(path.read_bytes())
    print(f"\n{name}: {len(inventory.releases)} releases, agency {inventory.agency}")
    assert len(inventory.releases) == expected == _releases_in(path)
    assert inventory.problems == ()


def test_nasa_release_fields(data_dir: Path) -> None:
    inventory = parse_code_json((data_dir / "agency" / DATA_NASA).read_bytes())
    assert (inventory.agency, inventory.version) == ("NASA", "2.0.0")
    first = inventory.releases[0]
    assert first.licences == ("Pending Release",)
    assert first.usage_type == "governmentWideReuse"
    assert first.contact_email == "arc-sra-team@mail.nasa.gov"
    assert first.date_created is None


def test_schema_101_projects_and_flags() -> None:
    doc = {
        "version": "1.0.1",
        "agency": "GSA",
        "projects": [
            {
                "name": "api.data.gov",
                "license": "https://example.gov/LICENSE.md",
                "openSourceProject": 1,
                "repository": "https://github.com/18F/api.data.gov",
                "contact": {"email": "18f@gsa.gov"},
            },
            {"name": "internal", "openSourceProject": 0, "governmentWideReuseProject": 1},
            "not a project",
        ],
    }
    inventory = parse_code_json(json.dumps(doc).encode())
    assert [r.name for r in inventory.releases] == ["api.data.gov", "internal"]
    first, second = inventory.releases
    assert first.repository_url == "https://github.com/18F/api.data.gov"
    assert first.licences == ("https://example.gov/LICENSE.md",)
    assert (first.usage_type, second.usage_type) == ("openSource", "governmentWideReuse")
    assert inventory.problems == ("release #2 skipped: not an object with a name",)


def test_schema_2_release_and_per_repository_file() -> None:
    release = {
        "name": "tool",
        "repositoryUrl": "https://gitlab.com/agency/tool.git",
        "permissions": {
            "licenses": [{"name": "MIT", "URL": "x"}, {"URL": "u"}],
            "usageType": ["openSource"],
        },
        "languages": ["Python", "Python", 3, None],
        "tags": "single",
        "date": {"created": "2020-01-01", "lastModified": "2021-02-03"},
        "projects": [],
    }
    inventory = parse_code_json(json.dumps(release).encode())
    assert inventory.agency is None and len(inventory.releases) == 1
    got = inventory.releases[0]
    assert got.repository_url == "https://gitlab.com/agency/tool.git"
    assert got.licences == ("MIT", "u")
    assert got.usage_type == "openSource"
    assert got.languages == ("Python", "3")
    assert got.tags == ("single",)
    assert (got.date_created, got.date_modified) == ("2020-01-01", "2021-02-03")


def test_inventory_defects_are_problems_not_errors() -> None:
    doc = {"version": "9.9", "releases": {"not": "a list"}}
    inventory = parse_code_json(json.dumps(doc).encode())
    assert inventory.releases == ()
    assert set(inventory.problems) == {
        "unknown schema version '9.9'",
        "inventory has no 'agency'",
        "'releases' is not a list",
    }
    many = {"agency": "X", "version": "2.0.0", "releases": [1] * 500}
    assert len(parse_code_json(json.dumps(many).encode()).problems) == 50


@pytest.mark.parametrize("data", [b"", b"{", b"[1", b"42", b'"x"', b"{}", b'{"agency": "X"}'])
def test_not_an_inventory_raises_metadata_error(data: bytes) -> None:
    with pytest.raises(MetadataError):
        parse_code_json(data)


def test_deep_nesting_is_a_metadata_error() -> None:
    with pytest.raises(MetadataError):
        parse_code_json(b"[" * 100_000)


_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
_keys = st.sampled_from(
    ["agency", "version", "releases", "projects", "name", "permissions", "licenses", "license",
     "usageType", "date", "created", "contact", "email", "languages", "tags", "URL",
     "repositoryURL", "Software", "openSourceProject"]
) | st.text(max_size=8)  # fmt: skip
json_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_keys, inner, max_size=6),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_fuzz_bytes(data: bytes) -> None:
    with contextlib.suppress(MetadataError):
        parse_code_json(data)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_fuzz_json_shapes(doc: object) -> None:
    try:
        inventory = parse_code_json(json.dumps(doc).encode())
    except MetadataError:
        return
    assert all(isinstance(r.name, str) and r.name for r in inventory.releases)
