"""Languages by bytes, as Linguist counts them, over in-memory and real git trees."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import git
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.analysis.languages import analyse_languages
from registry.analysis.tree import DEFAULT_READ_LIMIT, FileEntry, MemoryTree

APP_JS = "import { render } from './view.js';\nexport function start() { render(); }\n" * 40
VIEW_JS = "export function render() { document.body.innerHTML = '<p>hi</p>'; }\n" * 25
STYLE_CSS = "body { font-family: sans-serif; }\n.card { margin: 1rem; }\n" * 30
INDEX_HTML = "<!doctype html>\n<html><head><title>App</title></head><body></body></html>\n" * 12
JQUERY_MIN = "/*! jQuery v3.7.1 */!function(e,t){'use strict';" + "e.fn=t;" * 4000 + "}();"
CPP_HEADER = b"#include <vector>\nnamespace geo {\nclass Point {\npublic:\n  double x;\n};\n}\n"
OBJC_HEADER = b"#import <Foundation/Foundation.h>\n@interface Point : NSObject\n@end\n"
C_HEADER = b"#ifndef POINT_H\n#define POINT_H\nstruct point { double x; };\n#endif\n"


class CountingTree(MemoryTree):
    """A MemoryTree that records every read, to prove content is read only when needed."""

    def __init__(self, files: dict[str, bytes | str], symlinks: Sequence[str] = ()) -> None:
        super().__init__(files, symlinks)
        self.reads: list[tuple[str, int]] = []

    def read(self, path: str, limit: int = DEFAULT_READ_LIMIT) -> bytes | None:
        self.reads.append((path, limit))
        return super().read(path, limit)

    def read_prefix(self, path: str, size: int) -> bytes | None:
        self.reads.append((path, size))
        return super().read_prefix(path, size)


def web_app() -> dict[str, bytes | str]:
    return {
        "src/app.js": APP_JS,
        "src/view.js": VIEW_JS,
        "src/style.css": STYLE_CSS,
        "public/index.html": INDEX_HTML,
        "public/vendor/jquery.min.js": JQUERY_MIN,
        "static/jquery.min.js": JQUERY_MIN,
        "node_modules/lodash/lodash.js": "var _ = {};\n" * 3000,
        "node_modules/lodash/package.json": '{"name": "lodash"}',
        "package.json": '{"name": "self-assessment", "version": "1.0.0"}\n',
        "package-lock.json": '{"lockfileVersion": 3, "packages": {}}\n' * 50,
        "README.md": "# Self assessment\n\nA tool.\n" * 20,
        "docs/index.md": "# Guide\n" * 100,
        "docs/examples/demo.html": "<html><body>demo</body></html>\n" * 200,
        "docs/examples/demo.js": "console.log('demo');\n" * 200,
        ".eslintrc.js": "module.exports = { root: true };\n" * 10,
        "config/settings.yml": "debug: false\n" * 40,
    }


def test_web_app_counts_own_code_not_vendored_docs_or_data() -> None:
    finding = analyse_languages(MemoryTree(web_app()))
    by_language = {share.language: share.bytes for share in finding.shares}
    assert by_language == {
        "JavaScript": len(APP_JS) + len(VIEW_JS),
        "CSS": len(STYLE_CSS),
        "HTML": len(INDEX_HTML),
    }
    assert finding.primary == "JavaScript"
    assert [s.bytes for s in finding.shares] == sorted(by_language.values(), reverse=True)
    assert sum(s.share for s in finding.shares) == pytest.approx(1.0)
    total = sum(by_language.values())
    assert finding.shares[0].share == pytest.approx(by_language["JavaScript"] / total)


@pytest.mark.parametrize(
    ("content", "language"),
    [(CPP_HEADER, "C++"), (OBJC_HEADER, "Objective-C"), (C_HEADER, "C")],
)
def test_ambiguous_header_is_resolved_by_content(content: bytes, language: str) -> None:
    finding = analyse_languages(MemoryTree({"include/point.h": content}))
    assert finding.primary == language
    assert finding.shares[0].bytes == len(content)


def test_content_is_read_only_for_ambiguous_names_and_within_the_sample() -> None:
    files: dict[str, bytes | str] = dict(web_app())
    files["include/point.h"] = CPP_HEADER
    files["include/huge.h"] = CPP_HEADER * 2000  # bigger than the sample
    files["scripts/deploy"] = "#!/usr/bin/env python3\nprint('deploy')\n"
    tree = CountingTree(files)
    finding = analyse_languages(tree, content_sample=4096)
    read_paths = {path for path, _ in tree.reads}
    # .h and extensionless scripts need content; .html may be Ecmarkup; .json, .yml are
    # data whatever they hold; .js and .css are certain by name.
    assert read_paths == {
        "include/point.h",
        "include/huge.h",
        "scripts/deploy",
        "public/index.html",
    }
    assert {limit for _, limit in tree.reads} == {4096}
    by_language = {share.language: share.bytes for share in finding.shares}
    # the huge header is named from its first 4096 bytes, not from its name alone
    assert by_language["C++"] == len(CPP_HEADER) * 2001
    assert "C" not in by_language
    assert by_language["Python"] == len(files["scripts/deploy"])


def test_symlinks_binary_and_empty_trees() -> None:
    tree = CountingTree(
        {
            "src/main.py": "print('x')\n" * 10,
            "src/link.py": "x" * 5000,
            "lib/blob.h": b"\0\1\2" * 9,
        },
        symlinks=["src/link.py"],
    )
    finding = analyse_languages(tree)
    assert [(s.language, s.bytes) for s in finding.shares] == [("Python", 110)]
    assert all(path != "src/link.py" for path, _ in tree.reads)
    assert analyse_languages(MemoryTree({})).primary is None


class GitTree:
    """A Tree over a GitPython commit: the real shape of what the crawler hands over."""

    def __init__(self, repo: git.Repo) -> None:
        self._tree = repo.head.commit.tree

    def entries(self) -> list[FileEntry]:
        return [
            FileEntry(blob.path, blob.size, blob.mode == 0o120000)
            for blob in self._tree.traverse()
            if blob.type == "blob"
        ]

    def read(self, path: str, limit: int = DEFAULT_READ_LIMIT) -> bytes | None:
        blob = self._tree / path
        if blob.mode == 0o120000 or blob.size > limit:
            return None
        return blob.data_stream.read()

    def read_prefix(self, path: str, size: int) -> bytes | None:
        blob = self._tree / path
        return None if blob.mode == 0o120000 else blob.data_stream.read(size)


def test_counts_a_real_git_repository(tmp_path: Path) -> None:
    repo = git.Repo.init(tmp_path / "app")
    work = Path(repo.working_tree_dir or "")
    for path, content in web_app().items():
        target = work / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content.encode() if isinstance(content, str) else content)
    (work / "src" / "point.h").write_bytes(CPP_HEADER)
    (work / "src" / "alias.js").symlink_to("app.js")
    repo.git.add(A=True)
    actor = git.Actor("Dev", "dev@example.gov")
    repo.index.commit("initial", author=actor, committer=actor)
    finding = analyse_languages(GitTree(repo))
    assert {(s.language, s.bytes) for s in finding.shares} == {
        ("JavaScript", len(APP_JS) + len(VIEW_JS)),
        ("CSS", len(STYLE_CSS)),
        ("HTML", len(INDEX_HTML)),
        ("C++", len(CPP_HEADER)),
    }


NAMES = st.sampled_from(
    ["a.h", "b.pl", "c.m", "run", "x.js", "README", "node_modules/x.js", ".a", "Makefile", "é.ts"]
)
PATHS = st.lists(st.one_of(NAMES, st.text(min_size=0, max_size=12)), min_size=1, max_size=3).map(
    "/".join
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    files=st.dictionaries(PATHS, st.binary(max_size=300), max_size=8),
    data=st.data(),
)
def test_never_raises_on_arbitrary_trees(files: dict[str, bytes], data: st.DataObject) -> None:
    symlinks = data.draw(st.lists(st.sampled_from(sorted(files)), max_size=2)) if files else []
    finding = analyse_languages(MemoryTree(files, symlinks), content_sample=128)
    assert all(share.bytes > 0 for share in finding.shares)
    if finding.shares:
        assert sum(share.share for share in finding.shares) == pytest.approx(1.0)
