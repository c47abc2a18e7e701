"""The shape of the code base: who may import whom, no cycles, no unused dependencies.

The rules are ``../shared/DESIGN.md``'s: data flows one way (sources → crawl → analyse →
store → index → serve → notify). The graph is read from the source with ``ast``, so a rule
broken inside a function (a lazy import) is caught too.
"""

from __future__ import annotations

import ast
import importlib.metadata
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("registry", "crawlers", "web", "localforge")


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue  # Alembic scripts: loaded by Alembic, not imported
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str, path: Path) -> Iterator[tuple[str, bool]]:
    """(imported module, at top level) for every import in ``path``; TYPE_CHECKING-only
    imports are skipped (they never run)."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]

    def walk(nodes: list[ast.stmt], top: bool) -> Iterator[tuple[str, bool]]:
        for node in nodes:
            if isinstance(node, ast.If) and _is_type_checking(node):
                continue
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield alias.name, top
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                for alias in node.names:
                    candidate = f"{base}.{alias.name}"
                    yield (candidate if candidate in MODULES else base), top
            for field in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(node, field, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], ast.AST):
                    deeper = top and not isinstance(
                        node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
                    )
                    yield from walk(inner, deeper)  # type: ignore[arg-type]

    yield from walk(ast.parse(path.read_text()).body, True)


def _owner(target: str) -> str | None:
    """The project module an imported name lands in (None for third-party modules)."""
    while target and target not in MODULES:
        target = target.rpartition(".")[0]
    return target or None


GRAPH = {m: list(_imports(m, p)) for m, p in MODULES.items()}


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


# (importer prefix, allowed exception prefixes, forbidden target prefixes)
RULES = [
    ("registry", ("registry.cli",), ("crawlers", "web")),
    ("crawlers", (), ("web",)),
    ("localforge", (), ("registry", "crawlers", "web")),
]


def test_no_production_module_imports_tests():
    offenders = [
        f"{m} imports {t}" for m, edges in GRAPH.items() for t, _ in edges if _within(t, "tests")
    ]
    assert offenders == []


def test_no_forbidden_arrows():
    offenders = []
    for module, edges in GRAPH.items():
        for target, _ in edges:
            for prefix, allowed, forbidden in RULES:
                if not _within(module, prefix) or any(_within(module, a) for a in allowed):
                    continue
                if any(_within(target, f) for f in forbidden):
                    offenders.append(f"{module} -> {target}")
    assert offenders == []


def test_analysis_imports_only_itself_and_errors():
    offenders = [
        f"{module} -> {target}"
        for module, edges in GRAPH.items()
        if _within(module, "registry.analysis")
        for target, _ in edges
        if _owner(target)
        and not _within(target, "registry.analysis")
        and target != "registry.errors"
        and target != "registry"
    ]
    assert offenders == []


def test_no_import_cycles():
    """Top-level imports only: an import inside a function runs later and cannot loop."""
    edges = {
        m: {o for t, top in es if top and (o := _owner(t)) and o != m} for m, es in GRAPH.items()
    }
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*path[path.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert cycles == []


_IMPORT_ALONE = """
import importlib, json, os, sys, traceback
modules, third_party = json.loads(sys.argv[1]), json.loads(sys.argv[2])
for name in third_party:  # shared, already-loaded libraries make each fork cheap
    try:
        importlib.import_module(name)
    except Exception:
        pass
failures = []
for module in modules:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            importlib.import_module(module)
            code = 0
        except BaseException:
            os.write(write, traceback.format_exc(limit=3).encode()[-2000:])
            code = 1
        os._exit(code)
    os.close(write)
    message = b""
    while chunk := os.read(read, 65536):
        message += chunk
    os.close(read)
    _, status = os.waitpid(pid, 0)
    if status:
        failures.append(module + ": " + message.decode(errors="replace"))
print(json.dumps(failures))
"""


def test_every_module_imports_on_its_own():
    """Each module is imported in a fresh child process that holds none of the project's
    modules, so none relies on another having been imported first."""
    import json
    import subprocess

    third_party = sorted(
        {t.split(".")[0] for es in GRAPH.values() for t, _ in es} - set(PACKAGES) - {"tests"}
    )
    result = subprocess.run(
        [sys.executable, "-W", "error", "-c", _IMPORT_ALONE, json.dumps(list(MODULES)),
         json.dumps(third_party)],
        capture_output=True, text=True, cwd=ROOT, timeout=240, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout) == []


def _requirement_name(spec: str) -> str:
    for stop in "<>=![ ;~":
        spec = spec.split(stop)[0]
    return spec.strip().lower().replace("_", "-")


def test_every_runtime_dependency_is_imported_by_production_code():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    declared = {_requirement_name(d) for d in pyproject["project"]["dependencies"]}
    imported = {t.split(".")[0] for es in GRAPH.values() for t, _ in es}
    by_distribution: dict[str, set[str]] = {}
    for top, dists in importlib.metadata.packages_distributions().items():
        for dist in dists:
            by_distribution.setdefault(dist.lower().replace("_", "-"), set()).add(top)
    missing = [d for d in declared if d in by_distribution and not by_distribution[d] & imported]
    unknown = [d for d in declared if d not in by_distribution]
    if unknown:
        pytest.fail(f"declared but not installed, so cannot be checked: {unknown}")
    assert sorted(missing) == []


# Names of a closed set of kinds that production code may write only in the set's table.
# Source kinds: no string equal to one anywhere ("git" is left out: it also names the git
# program, a URL scheme and a VCS in exports). Channels: "email" is also a form field and a
# contact's key, so only where a channel is meant: compared with, passed as ``channel=``,
# looked up with ``channel_kind`` or listed in a ``Literal``.
_SOURCE_KINDS = {"github", "gitlab", "git-list", "code-json"}
_OLD_KIND_NAMES = {"github-org", "gitlab-group", "git-url"}  # renamed by migration 0003
_CHANNELS = {"email", "webhook", "atom"}
# (module, name): the same word meaning something else
_SAME_WORD = {
    ("registry.cli.importers", "code-json"),  # `govcode import code-json`: the file format
    ("registry.services.source_registry", "git-url"),  # a locator form, not a kind
}


def _string_constants(tree: ast.AST) -> Iterator[ast.Constant]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node


def _channel_uses(tree: ast.AST) -> Iterator[ast.Constant]:
    """String constants standing for a channel: compared with, a ``channel=`` keyword, an
    argument of ``channel_kind``, an item of a ``Literal[...]``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            yield from (c for c in [node.left, *node.comparators] if isinstance(c, ast.Constant))
        elif isinstance(node, ast.keyword) and node.arg == "channel":
            yield from _string_constants(node.value)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "channel_kind":
            yield from _string_constants(node)
        elif isinstance(node, ast.Subscript) and getattr(node.value, "id", "") == "Literal":
            yield from _string_constants(node.slice)


def _bare_names(table: str, names: set[str], uses) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        f"{module}:{node.lineno} {node.value!r}"
        for module, path in MODULES.items()
        if module != table and not _within(module, "localforge")
        for node in uses(ast.parse(path.read_text()))
        if node.value in names and (module, node.value) not in _SAME_WORD
    ]


def test_source_kind_names_are_written_only_in_their_table():
    """Callers look a kind up (``source_kind``, ``KINDS`` or the table's constants) and read
    its capabilities; a bare name elsewhere is a comparison the table cannot see."""
    names = _SOURCE_KINDS | _OLD_KIND_NAMES
    assert _bare_names("registry.source_kinds", names, _string_constants) == []


def test_channel_names_are_written_only_in_their_table():
    assert _bare_names("registry.notify.channels", _CHANNELS, _channel_uses) == []
