"""The package rules of ``docs/architecture.md``, checked against every import in ``directory/``.

The table in the document is the rule: it is parsed here, so the picture a newcomer reads
and the imports the code makes cannot drift apart. Sources are read with ``ast`` (not
imported), so an import inside a function counts as much as one at the top of a module.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest

import directory

PACKAGE_DIR = Path(directory.__file__).resolve().parent
DOC = PACKAGE_DIR.parent / "docs" / "architecture.md"
ENTRY = frozenset({"app", "bootstrap", "cli", "evaluation"})
CORE = "core"
EVERY = "*"


def _unit(module: str) -> str:
    """The package a ``directory.…`` module belongs to: a sub-package, entry or the core."""
    parts = module.split(".")
    if len(parts) == 1:
        return CORE  # ``import directory`` (the version) is the core's
    name = parts[1]
    if name in ENTRY:
        return "entry"
    return name if (PACKAGE_DIR / name).is_dir() else CORE


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every ``directory`` import in the file, at any depth."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: relative import"
            if node.module and (node.module + ".").startswith("directory."):
                found.extend((node.lineno, f"{node.module}.{a.name}") for a in node.names)
        elif isinstance(node, ast.Import):
            found.extend(
                (node.lineno, a.name) for a in node.names if (a.name + ".").startswith("directory.")
            )
    return found


@cache
def _edges() -> dict[tuple[str, str], list[str]]:
    """Package → package imports, each with where it happens."""
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if "versions" in path.relative_to(PACKAGE_DIR).parts:
            continue  # migration scripts are frozen history
        source = _unit(_module_name(path))
        for line, target in _imports(path):
            target_unit = _unit(target)
            if target_unit != source:
                where = f"{path.relative_to(PACKAGE_DIR.parent)}:{line} imports {target}"
                edges[(source, target_unit)].append(where)
    return edges


@cache
def _allowed() -> dict[str, frozenset[str]]:
    """The "may import" table of docs/architecture.md."""
    table: dict[str, frozenset[str]] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = re.fullmatch(r"\|\s*([a-z_]+)\s*\|\s*([a-z_, ]*?)\s*\|", line.strip())
        if match and match.group(1) != "package":
            cell = match.group(2)
            names = {n.strip() for n in cell.split(",") if n.strip()}
            table[match.group(1)] = frozenset({EVERY} if cell == "every package" else names)
    return table


def test_every_package_has_a_row() -> None:
    packages = {
        p.name
        for p in PACKAGE_DIR.iterdir()
        if p.is_dir() and (p / "__init__.py").exists() and p.name not in ENTRY
    }
    assert packages | {"entry"} == set(_allowed())


def test_the_core_imports_no_package() -> None:
    wrong = [w for (source, _), ws in _edges().items() if source == CORE for w in ws]
    assert wrong == []


def test_nothing_imports_an_entry_point() -> None:
    wrong = [w for (s, t), ws in _edges().items() if t == "entry" and s != "entry" for w in ws]
    assert wrong == []


@pytest.mark.parametrize("package", sorted(set(_allowed()) - {"entry"}))
def test_imports_follow_the_table(package: str) -> None:
    allowed = _allowed()[package] | {CORE}
    wrong = [
        w
        for (source, target), ws in _edges().items()
        if source == package and target not in allowed
        for w in ws
    ]
    assert wrong == [], "add the package to its row in docs/architecture.md only if no cycle"


def test_the_table_lists_no_stale_dependency() -> None:
    """A row names only packages really imported, so the document stays a true picture."""
    used = set(_edges())
    stale = sorted(
        f"{package} -> {target}"
        for package, targets in _allowed().items()
        for target in targets
        if target != EVERY and (package, target) not in used
    )
    assert stale == []


def test_no_cycle_between_packages() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target in _edges():
        graph[source].add(target)
    done: set[str] = set()

    def visit(node: str, path: tuple[str, ...]) -> None:
        assert node not in path, "cycle: " + " -> ".join((*path, node))
        if node in done:
            return
        for nxt in sorted(graph[node]):
            visit(nxt, (*path, node))
        done.add(node)

    for node in sorted(graph):
        visit(node, ())
