"""Inventory importers on the real lists (government.github.com, ORE, code.gov) and fuzzing."""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from crawlers.inventories import (
    GROUPS,
    AgencyEntry,
    InventoryError,
    SourceEntry,
    merge_agencies,
    owner_source,
    parse_code_gov_agencies,
    parse_code_json_index,
    parse_governments_yml,
    parse_ore,
    parse_publiccode_url_list,
    source_from_url,
)
from registry.analysis.metadata.errors import MetadataError
from registry.errors import GovcodeError

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def _data(*parts: str) -> Path:
    path = DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared/data/{'/'.join(parts)} is absent")
    return path


def _unique_keys(agencies: list[AgencyEntry] | tuple[AgencyEntry, ...]) -> None:
    assert len({a.key for a in agencies}) == len(agencies)
    sources = [s.key for a in agencies for s in a.sources]
    assert len(set(sources)) == len(sources)


def test_governments_yml(capsys: pytest.CaptureFixture[str]) -> None:
    data = _data("government-github", "governments.yml").read_bytes()
    headings = yaml.safe_load(data)  # the independent count
    result = parse_governments_yml(data)
    with capsys.disabled():
        print(f"\ngovernments.yml: {len(result.agencies)} organisations in {len(headings)} groups")
    assert len(result.agencies) == sum(len(v or []) for v in headings.values()) == 956
    assert len(headings) == 75 and set(headings) <= set(GROUPS)
    assert result.problems == ()
    _unique_keys(result.agencies)
    assert all(len(a.sources) == 1 and a.sources[0].kind == "github" for a in result.agencies)
    by_key = {a.key: a for a in result.agencies}
    assert by_key["gh:alphagov"].country == "GB"
    assert (by_key["gh:18f"].country, by_key["gh:18f"].level) == ("US", "federal")
    assert parse_governments_yml(data) == result  # idempotent


def test_governments_yml_defects_are_problems() -> None:
    data = b"Canada:\n  - cds-snc\n  - CDS-SNC\n  - 'bad login!'\n  - [x]\n"
    data += b"Narnia:\n  - aslan\nEmpty:\n"
    result = parse_governments_yml(data)
    assert [a.key for a in result.agencies] == ["gh:cds-snc", "gh:aslan"]
    assert result.agencies[1].country is None
    assert len(result.problems) == 5  # duplicate, two bad logins, two unknown headings
    with pytest.raises(InventoryError):
        parse_governments_yml(b"- just\n- a list\n")
    with pytest.raises(InventoryError):
        parse_governments_yml(b"a: [unclosed\n")


def _ore_inputs() -> tuple[list[tuple[str, bytes]], list[tuple[str, bytes]], bytes]:
    root = _data("ore", "_data")
    admins = [
        (str(p.relative_to(root)), p.read_bytes())
        for p in sorted(root.glob("administrations/*.yml"))
    ]
    codes = [(str(p.relative_to(root)), p.read_bytes()) for p in sorted(root.glob("code/*/*.yml"))]
    return admins, codes, (root / "i18n" / "provinces.yml").read_bytes()


def test_ore_releases_import_bilingual(capsys: pytest.CaptureFixture[str]) -> None:
    admins, codes, provinces = _ore_inputs()
    expected = sum(len(yaml.safe_load(data)["releases"]) for _, data in codes)
    result = parse_ore(admins, codes, provinces)
    with capsys.disabled():
        print(f"\nORE: {len(result.releases)} releases, {len(result.agencies)} administrations")
    assert len(result.releases) == expected == 67
    for release in result.releases:
        assert set(release.name) == set(release.description) == {"en", "fr"}
        assert release.repository_url and release.licences
    assert result.problems == ("administration 'test (please remove)' skipped: not a code",)
    _unique_keys(result.agencies)
    assert len({r.key for r in result.releases}) == len(result.releases)
    by_key = {a.key: a for a in result.agencies}
    assert by_key["ore:tbs-sct"].names["fr"].startswith("Secrétariat du Conseil du Trésor")
    assert by_key["ore:ab"].level == "provincial"
    assert SourceEntry("github", "abgov", "github.com") in by_key["ore:ab"].sources
    assert by_key["ore:city-of-montreal-qc"].names["fr"] == "Ville de Montréal"
    # canada-ca holds releases of several administrations: none of them owns the org.
    shared = [s for a in result.agencies for s in a.sources if s.locator == "canada-ca"]
    assert shared == []
    assert any(
        s.locator == "https://github.com/canada-ca/ore-ero" for s in by_key["ore:tbs-sct"].sources
    )


def test_ore_unknown_admin_without_provinces_is_reported() -> None:
    release = b"adminCode: zz\nreleases:\n  - name: {en: A, fr: A}\n  - 42\n"
    result = parse_ore([], [("code/provincial/zz.yml", release)])
    assert [(a.key, a.name, a.level) for a in result.agencies] == [("ore:zz", "zz", "provincial")]
    assert len(result.releases) == 1 and len(result.problems) == 2


def test_code_json_indexes_dedupe_and_the_invalid_one_is_reported(
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = _data("code-json", "dsacms-code-gov", "agency-indexes")
    files = sorted(folder.glob("*.json"))
    digests: dict[str, list[str]] = {}
    for path in files:
        digests.setdefault(hashlib.sha256(path.read_bytes()).hexdigest(), []).append(path.name)
    copies = [names for names in digests.values() if len(names) > 1]
    assert len(copies) == 2  # DoA = USDA, DoT = TREASURY, byte for byte
    records, refused = [], []
    for path in files:
        try:
            records.extend(parse_code_json_index(path.read_bytes()).agencies)
        except MetadataError as exc:
            assert isinstance(exc, InventoryError | GovcodeError)
            refused.append(path.name)
    merged = merge_agencies(records)
    with capsys.disabled():
        print(f"\ncode.json indexes: {len(files)} files, {len(records)} read, {refused} refused, "
              f"{len(merged)} agencies, {sum(len(a.sources) for a in merged)} sources")  # fmt: skip
    assert refused == ["GSA-index.json"]
    _unique_keys(merged)
    assert len(merged) == len(records) - len(copies)
    for names in copies:
        alone = [parse_code_json_index((folder / n).read_bytes()).agencies[0] for n in names]
        assert alone[0] == alone[1]
        assert merge_agencies(alone) == [alone[0]]


def test_code_gov_agencies_merge_with_indexes() -> None:
    metadata = _data("code-json", "gsa-code-gov-data", "agency_metadata.json").read_bytes()
    index = _data("code-json", "dsacms-code-gov", "agency-indexes", "TREASURY-index.json")
    listed = parse_code_gov_agencies(metadata).agencies
    assert len(listed) == 30
    url = "https://www.treasury.gov/code.json"
    inventory = parse_code_json_index(index.read_bytes(), url=url).agencies
    merged = {a.key: a for a in merge_agencies([*listed, *inventory])}
    treasury = merged["us-codegov:treasury"]
    assert treasury.name == "Department of the Treasury"
    kinds = sorted(s.kind for s in treasury.sources)
    assert kinds == ["code-json", "github", "github"]
    assert len(merged) == 30


def test_source_from_url_and_owner_source() -> None:
    assert source_from_url("https://github.com/AlbertaHealth/") == SourceEntry(
        "github", "AlbertaHealth", "github.com"
    )
    assert source_from_url("https://gitlab.com/a/b", group=True) == SourceEntry(
        "gitlab", "a/b", "gitlab.com"
    )
    assert source_from_url("git://code.example.gov/x/y.git") == SourceEntry(
        "git", "https://code.example.gov/x/y", "code.example.gov"
    )
    for bad in ("file:///etc/passwd", "ext::sh -c id", "https://", "http://[::1", "javascript:x"):
        assert source_from_url(bad) is None
    assert owner_source("git://github.com/CDCgov/AlignmentViewer.git") == SourceEntry(
        "github", "CDCgov", "github.com"
    )
    assert owner_source("https://gitlab.com/g/sub/project").locator == "g/sub"
    assert owner_source("https://software.nasa.gov/software/ARC-1") is None
    assert SourceEntry("github", "GSA", "github.com").key == "github:github.com:gsa"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"# list\nhttps://a.gov/publiccode.yml\n\nhttps://A.GOV/publiccode.yml  # again\n"
         b"ftp://a.gov/x\nnot a url\nhttps://b.gov/r\n",
         ["https://a.gov/publiccode.yml", "https://b.gov/r"]),
        (b"- https://a.gov/x\n- url: https://b.gov/y\n- https://a.gov/x\n- 7\n",
         ["https://a.gov/x", "https://b.gov/y"]),
        (b'["https://a.gov/x", null, {"url": "https://c.gov/z"}]',
         ["https://a.gov/x", "https://c.gov/z"]),
        (b"\xef\xbb\xbf  \n", []),
    ],
)  # fmt: skip
def test_publiccode_url_list(data: bytes, expected: list[str]) -> None:
    assert parse_publiccode_url_list(data) == expected


@pytest.mark.parametrize("data", [b"[1, 2", b'{"a": 1}', b"- [unclosed\n"])
def test_publiccode_url_list_refuses_broken_structures(data: bytes) -> None:
    with pytest.raises(InventoryError):
        parse_publiccode_url_list(data)


_yaml_text = st.recursive(
    st.none() | st.integers() | st.text(max_size=15),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
).map(lambda doc: yaml.safe_dump(doc).encode())  # fmt: skip
_inputs = st.binary(max_size=200) | _yaml_text


@settings(max_examples=200, deadline=None)
@given(_inputs)
def test_fuzz_governments_and_url_lists(data: bytes) -> None:
    for parser in (parse_governments_yml, parse_publiccode_url_list, parse_code_gov_agencies):
        with contextlib.suppress(InventoryError):
            parser(data)


@settings(max_examples=200, deadline=None)
@given(_inputs, _inputs)
def test_fuzz_ore_and_code_json_index(admins: bytes, codes: bytes) -> None:
    with contextlib.suppress(InventoryError):
        parse_ore([("administrations/x.yml", admins)], [("code/y/z.yml", codes)], admins)
    with contextlib.suppress(InventoryError):
        parse_code_json_index(codes, url="https://x.gov/code.json")
