"""Files bigger than the content sample are named from a prefix of their content, never
from empty content (where go-enry answers its prior: ``.cs`` -> Smalltalk, ``.rs`` -> XML)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import enry
import pytest

from crawlers.git.cli import GitTree
from crawlers.git.libgit2 import Pygit2Tree
from localforge.repos import make_repo
from registry.analysis.languages import (
    _by_extension,
    analyse_languages,
    entry_language,
    is_counted,
    is_source,
)
from registry.analysis.tree import FileEntry, MemoryTree
from registry.settings import Settings

SAMPLE = 4096

CSHARP = (
    "using System;\nusing System.Collections.Generic;\n\nnamespace Gov.Benefits.Eligibility\n{\n"
    '    public sealed class Rule\n    {\n        public string Name { get; init; } = "";\n'
    "        public bool Applies(IDictionary<string, int> facts) => facts.Count > 0;\n    }\n}\n"
)
PHP = (
    "<?php\n\ndeclare(strict_types=1);\n\nnamespace App\\Http\\Controllers;\n\n"
    "final class PermitController\n{\n    public function show(int $id): array\n    {\n"
    "        return ['id' => $id, 'status' => 'granted'];\n    }\n}\n"
)
RUST = (
    "use std::collections::HashMap;\n\n/// Counts permits per office.\n"
    "pub fn tally(rows: &[(String, u32)]) -> HashMap<String, u32> {\n"
    "    let mut out = HashMap::new();\n    for (office, n) in rows {\n"
    "        *out.entry(office.clone()).or_insert(0) += n;\n    }\n    out\n}\n"
)
FSHARP = (
    "module Gov.Tax.Calculator\n\nopen System\n\ntype Band = { Lower: decimal; Rate: decimal }\n\n"
    "let taxFor (bands: Band list) (income: decimal) =\n    bands\n"
    "    |> List.sumBy (fun b -> max 0m (income - b.Lower) * b.Rate)\n"
)
DLANG = (
    "module registry.main;\n\nimport std.stdio;\n\nvoid main()\n{\n"
    '    writeln("permits");\n}\n\nunittest\n{\n    assert(1 + 1 == 2);\n}\n'
)
QMAKE = "QT += core gui widgets\nTARGET = permits\nTEMPLATE = app\nSOURCES += main.cpp\n"
CPP_H = (
    "#include <vector>\n#include <string>\n"
    "namespace geo {\nclass Point {\npublic:\n  double x;\n};\n}\n"
)
OBJC_M = (
    '#import <Foundation/Foundation.h>\n#import "Permit.h"\n\n@implementation Permit\n'
    '- (NSString *)status {\n    return @"granted";\n}\n@end\n'
)
PERL = (
    "#!/usr/bin/perl\nuse strict;\nuse warnings;\n\n"
    "my %seen;\nwhile (my $line = <STDIN>) {\n    $seen{$line}++;\n}\n"
)
TYPESCRIPT = (
    "import { Injectable } from '@angular/core';\n\n@Injectable({ providedIn: 'root' })\n"
    "export class PermitService {\n  private readonly base: string = '/api';\n"
    "  list(): Promise<string[]> { return fetch(this.base).then(r => r.json()); }\n}\n"
)

# (extension, content, the language a reader names) for real code seen in public repos
REAL = [
    (".cs", CSHARP, "C#"),
    (".php", PHP, "PHP"),
    (".rs", RUST, "Rust"),
    (".fs", FSHARP, "F#"),
    (".d", DLANG, "D"),
    (".pro", QMAKE, "QMake"),
    (".h", CPP_H, "C++"),
    (".m", OBJC_M, "Objective-C"),
    (".pl", PERL, "Perl"),
    (".ts", TYPESCRIPT, "TypeScript"),
]


def grow(content: str, size: int) -> str:
    """``content`` repeated until the file is at least ``size`` bytes."""
    return content * (size // len(content) + 1)


@cache
def ambiguous_extensions() -> tuple[str, ...]:
    """Every extension Linguist gives to more than one language, one at least counted.

    enry exports no list of languages, so the list is closed over enry's own answers:
    extension-looking strings in its shared library seed a set of languages, and each
    language's extensions (``get_language_extensions``) and each extension's languages
    are followed until nothing new turns up.
    """
    library = Path(enry.__file__).with_name("libenry.so").read_bytes()
    seeds = {m.group().decode() for m in re.finditer(rb"\.[a-z0-9_+\-]{1,12}", library)}
    todo = [lang for ext in seeds for lang in _by_extension(ext)]
    seen: set[str] = set()
    extensions: set[str] = set()
    while todo:
        language = todo.pop()
        if language in seen:
            continue
        seen.add(language)
        for ext in enry.get_language_extensions(language):
            extensions.add(ext.lower())
            todo.extend(c for c in _by_extension(ext.lower()) if c not in seen)
    return tuple(
        sorted(
            ext
            for ext in extensions
            if len(_by_extension(ext)) > 1 and any(is_counted(c) for c in _by_extension(ext))
        )
    )


def test_the_ambiguous_extensions_are_linguists_whole_list() -> None:
    found = ambiguous_extensions()
    assert {".cs", ".php", ".fs", ".d", ".pro", ".rs", ".h", ".m", ".pl", ".inc"} <= set(found)
    assert len(found) > 100  # 156 with enry-python 0.2.0's data


@pytest.mark.parametrize("ext", ambiguous_extensions())
def test_every_ambiguous_extension_is_named_alike_below_and_above_the_sample(ext: str) -> None:
    """The same content, in a file under the sample and in one far over it, is the same
    language: the big one is read (a prefix) and never named from its name alone."""
    unit = "# a line of code\nvalue = compute(1, 2)\n"
    small = grow(unit, SAMPLE // 4)[: SAMPLE // 2]
    big = grow(unit, SAMPLE * 8)
    path = f"src/module{ext}"
    below = analyse_languages(MemoryTree({path: small}), content_sample=SAMPLE)
    above = analyse_languages(MemoryTree({path: big}), content_sample=SAMPLE)
    assert above.primary == below.primary
    if above.primary is not None:
        assert above.shares[0].bytes == len(big)


@pytest.mark.parametrize(("ext", "content", "language"), REAL, ids=[r[0] for r in REAL])
def test_real_code_is_named_by_content_at_any_size(ext: str, content: str, language: str) -> None:
    for size in (len(content), SAMPLE - 1, SAMPLE * 3, SAMPLE * 50):
        text = grow(content, size) if size > len(content) else content
        tree = MemoryTree({f"src/unit{ext}": text})
        finding = analyse_languages(tree, content_sample=SAMPLE)
        assert [(s.language, s.bytes) for s in finding.shares] == [(language, len(text))], size


def test_a_csharp_system_of_large_files_is_csharp_not_smalltalk(tmp_path: Path) -> None:
    """Thousands of large .cs files in a real system: here 40 of them, each bigger than the
    sample and the last over the blob cap, read through both git readers."""
    files = {f"src/Module{i}/Service{i}.cs": grow(CSHARP, 20_000) for i in range(40)}
    files["src/Web/index.php"] = grow(PHP, 30_000)
    files["native/src/lib.rs"] = grow(RUST, 25_000)
    files["tools/Calc.fs"] = grow(FSHARP, 18_000)
    files["src/Generated/Huge.cs"] = grow(CSHARP, 80_000)  # over max_blob_bytes below
    repo = make_repo(tmp_path / "benefits", files)
    cap = 64 * 1024
    expected = {
        "C#": sum(len(v) for k, v in files.items() if k.endswith(".cs")),
        "PHP": len(files["src/Web/index.php"]),
        "Rust": len(files["native/src/lib.rs"]),
        "F#": len(files["tools/Calc.fs"]),
    }
    git_dir = Path(repo.git_dir)
    for reader in (GitTree, Pygit2Tree):
        with reader(git_dir, "HEAD", max_blob_bytes=cap, max_files=1000) as tree:
            assert tree.read("src/Generated/Huge.cs") is None  # over the cap: unreadable
            finding = analyse_languages(tree, content_sample=16_384)
        assert {s.language: s.bytes for s in finding.shares} == expected, reader.__name__
        assert finding.primary == "C#"


class PartialTree(MemoryTree):
    """A tree whose ``missing`` blobs are listed but cannot be read, as in a partial clone."""

    def __init__(self, files: dict[str, str], missing: set[str]) -> None:
        super().__init__(files)
        self.missing = missing

    def read(self, path: str, limit: int = 1_000_000) -> bytes | None:
        return None if path in self.missing else super().read(path, limit)

    def read_prefix(self, path: str, size: int) -> bytes | None:
        return None if path in self.missing else super().read_prefix(path, size)


def test_unreadable_files_follow_the_tree_then_linguists_popular_list() -> None:
    files = {
        "a/Small.fs": FSHARP,
        "a/Other.fs": FSHARP * 3,
        "a/Huge.fs": FSHARP * 900,  # unreadable: takes what the readable .fs files are
        "b/Huge.cs": CSHARP * 900,  # unreadable, no readable .cs: C# is the popular one
        "c/Huge.h": CPP_H * 900,  # unreadable: C, C++ and Objective-C are all popular
        "d/Huge.pro": QMAKE * 900,  # unreadable: no candidate is popular
    }
    missing = {"a/Huge.fs", "b/Huge.cs", "c/Huge.h", "d/Huge.pro"}
    finding = analyse_languages(PartialTree(files, missing), content_sample=SAMPLE)
    by_language = {s.language: s.bytes for s in finding.shares}
    assert by_language == {
        "F#": len(FSHARP) * 904,
        "C#": len(CSHARP) * 900,
    }
    lone = PartialTree({"x/Huge.fs": FSHARP * 900}, {"x/Huge.fs"})
    assert analyse_languages(lone).primary is None  # never GLSL from empty content
    assert entry_language(lone, FileEntry("x/Huge.fs", len(FSHARP) * 900)) is None


def test_provenance_counts_rust_sources() -> None:
    """``is_source`` must not fall to enry's empty-content guess (``.rs`` -> XML)."""
    assert is_source("src/lib.rs", RUST.encode())
    assert is_source("src/Service.cs", CSHARP.encode())
    assert not is_source("docs/guide.md", b"# Guide\n\nText.\n")


def test_the_sample_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    assert Settings().language_sample_bytes == 16_384
    monkeypatch.setenv("GOVCODE_LANGUAGE_SAMPLE_BYTES", "2048")
    assert Settings().language_sample_bytes == 2048
