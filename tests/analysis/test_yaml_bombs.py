"""Every YAML reader refuses bombs (billion laughs, merge-key laughs, cycles, deep nesting,
huge scalars) with a clear error, in bounded memory and time, and still reads real files."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawlers.forges.plain import parse_git_list
from crawlers.inventories import parse_governments_yml, parse_ore, parse_publiccode_url_list
from registry.analysis.metadata.errors import MetadataError
from registry.analysis.metadata.loose import load_yaml
from registry.analysis.metadata.publiccode import parse_publiccode
from registry.analysis.metadata.yaml_bounded import YamlLimits
from registry.errors import GovcodeError

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


def billion_laughs(levels: int = 9, width: int = 9) -> bytes:
    """The classic: each level is a list of ``width`` aliases of the level below (532 bytes
    at 9 × 9, 9**9 = 387 million strings once expanded)."""
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghijklmnopqrstuvwxyz"
    for i in range(1, levels):
        lines.append(f"{names[i]}: &{names[i]} [" + ",".join([f"*{names[i - 1]}"] * width) + "]")
    return ("\n".join(lines) + "\n").encode()


def merge_key_laughs(levels: int = 20) -> bytes:
    """Merge keys copy pairs: each level merges the one below twice (2**20 pairs)."""
    lines = ["l0: &l0 {k0: v}"]
    for i in range(1, levels):
        lines.append(f"l{i}: &l{i} {{<<: [*l{i - 1}, *l{i - 1}], k{i}: v}}")
    return ("\n".join(lines) + "\n").encode()


def many_merges(count: int = 300) -> bytes:
    """A merge key used far more often than any real file does."""
    lines = ["base: &base {a: 1}"] + [f"m{i}: {{<<: *base}}" for i in range(count)]
    return ("\n".join(lines) + "\n").encode()


BOMBS = {
    "billion laughs": billion_laughs(),
    "merge-key laughs": merge_key_laughs(),
    "many merge keys": many_merges(),
    "alias cycle": b"a: &a [*a, *a]\n",
    "deep nesting (flow)": b"x: " + b"[" * 1_000 + b"]" * 1_000 + b"\n",
    "deep nesting (block)": b"".join(b"  " * i + b"k:\n" for i in range(201)) + b"  v\n",
    "huge scalar": b"name: " + b"x" * 1_100_000 + b"\n",
}

# (name, reader) for every reader of YAML that a crawl or an import meets.
READERS: dict[str, Callable[[bytes], Any]] = {
    "load_yaml": lambda data: load_yaml(data, "test document"),
    "git URL list": parse_git_list,
    "governments.yml": parse_governments_yml,
    "publiccode URL list": parse_publiccode_url_list,
    "ORE": lambda data: parse_ore(
        [("administrations/federal.yml", data)], [("code/federal/x.yml", data)]
    ),
    "publiccode.yml": parse_publiccode,
}

MEMORY_CAP = 64 * 1024 * 1024  # far below what any of the bombs would take expanded


def _read_bounded(reader: Callable[[bytes], Any], data: bytes) -> Any:
    """Run ``reader`` and return what it gave (or the GovcodeError it raised), failing the
    test if it allocated more than ``MEMORY_CAP`` on the way (not traced for inputs of over
    a megabyte: tracing PyYAML's scanner over them takes seconds, and they are linear)."""
    if len(data) > 1_000_000:
        try:
            return reader(data)
        except GovcodeError as exc:
            return exc
    tracemalloc.start()
    try:
        try:
            result: Any = reader(data)
        except GovcodeError as exc:
            result = exc
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_CAP, f"peak {peak} bytes"
    return result


@pytest.mark.parametrize("bomb", list(BOMBS), ids=list(BOMBS))
@pytest.mark.parametrize("reader", list(READERS), ids=list(READERS))
def test_every_reader_refuses_every_bomb(reader: str, bomb: str) -> None:
    result = _read_bounded(READERS[reader], BOMBS[bomb])
    if reader == "publiccode.yml":  # the validator reports, it does not raise
        assert result.errors, result
        assert result.name is None
    elif reader == "publiccode URL list":
        # one URL a line is a format too: a bomb reads as lines that are not URLs
        assert result == [] or isinstance(result, GovcodeError)
    elif reader == "ORE":
        assert isinstance(result, GovcodeError) or result.problems
    else:
        assert isinstance(result, GovcodeError), result


def test_the_refusal_names_the_budget() -> None:
    with pytest.raises(MetadataError, match="too many nodes"):
        load_yaml(BOMBS["billion laughs"], "URL list")
    with pytest.raises(MetadataError, match="refers to itself"):
        load_yaml(BOMBS["alias cycle"], "URL list")
    with pytest.raises(MetadataError, match="deeper than"):
        load_yaml(BOMBS["deep nesting (block)"], "URL list")
    with pytest.raises(MetadataError, match="longer than"):
        load_yaml(BOMBS["huge scalar"], "URL list")
    with pytest.raises(GovcodeError, match="more than 0 aliases"):
        parse_git_list(b"a: &x [https://example.org/a.git]\nurls: *x\n")


def test_small_honest_aliases_still_read() -> None:
    doc = load_yaml(b"base: &b {a: 1, b: 2}\nother:\n  <<: *b\n  c: 3\n", "doc")
    assert doc["other"] == {"a": 1, "b": 2, "c": 3}
    limits = YamlLimits(max_nodes=10)
    with pytest.raises(MetadataError, match="too many nodes"):
        load_yaml(b"[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]", "doc", limits)
    assert load_yaml(b"[1, 2, 3]", "doc", limits) == [1, 2, 3]


def test_real_files_read_within_the_budgets() -> None:
    governments = DATA / "government-github" / "governments.yml"
    if not governments.is_file():
        pytest.skip("../shared/data is not here")
    imported = parse_governments_yml(governments.read_bytes())
    assert len(imported.agencies) > 900
    publiccode = sorted((DATA / "publiccode").glob("*.yml"))
    valid = [p for p in publiccode if "DAE-RespondER" not in p.name]
    assert all(parse_publiccode(p.read_bytes()).name for p in valid[:20])


# Fuzzing: documents assembled from anchors, aliases, merge keys, brackets and scalars.
_PIECES = st.sampled_from(
    ["&a ", "&b ", "*a", "*b", "<<: ", "[", "]", "{", "}", ", ", ": ", "- ", "\n", "  ",
     "k", "v", "'s'", '"t"', "? ", "!!str ", "!!python/object:os.system ", "|\n  x", "#c\n",
     "1e9999", "0x" + "f" * 40, "https://example.org/x.git"]
)  # fmt: skip
_DOCS = st.lists(_PIECES, max_size=80).map(lambda parts: "".join(parts).encode())


def _laughs(seed: tuple[int, int, bool]) -> bytes:
    levels, width, merge = seed
    return merge_key_laughs(levels) if merge else billion_laughs(levels, width)


_BOMB_DOCS = st.tuples(st.integers(2, 12), st.integers(2, 12), st.booleans()).map(_laughs)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(_DOCS, _BOMB_DOCS), reader=st.sampled_from(list(READERS)))
def test_fuzzed_documents_never_escape_or_explode(data: bytes, reader: str) -> None:
    """Whatever the bytes, a reader returns or raises a GovcodeError, within the memory cap."""
    _read_bounded(READERS[reader], data)
