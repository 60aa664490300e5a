"""``recommender`` is a pure library: the standard library and numpy, nothing of the directory.

Two checks, because each misses what the other sees: importing every module in a fresh
interpreter catches indirect imports (a helper that pulls in SQLAlchemy), and reading the
sources catches imports inside functions that no import-time check would execute.
"""

from __future__ import annotations

import ast
import doctest
import importlib
import json
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import recommender

PACKAGE_DIR = Path(recommender.__file__).resolve().parent
FORBIDDEN = ("directory", "sqlalchemy", "fastapi", "starlette", "sqlite3", "psycopg", "pydantic")
ALLOWED_THIRD_PARTY = frozenset({"numpy", "recommender"})
FITTING_ONLY = {"tree_fit.py": frozenset({"lightgbm"})}
"""Modules that may import more, inside the function that fits: the refresh fits the tree
ranker with LightGBM; ranking reads the stored trees with numpy alone."""
MODULES = sorted(f"recommender.{m.name}" for m in pkgutil.iter_modules([str(PACKAGE_DIR)]))


def test_every_module_is_listed() -> None:
    expected = {
        "candidates",
        "weights",
        "scoring",
        "ranking",
        "reasons",
        "history",
        "personal",
        "cooccurrence",
        "timeofday",
        "diversity",
        "events",
        "interactions",
    }
    assert {m.removeprefix("recommender.") for m in MODULES} >= expected


def test_importing_every_module_loads_nothing_forbidden() -> None:
    script = textwrap.dedent(
        f"""
        import importlib, json, sys
        for name in {MODULES!r}:
            importlib.import_module(name)
        print(json.dumps(sorted(sys.modules)))
        """
    )
    done = subprocess.run(
        [sys.executable, "-I", "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=PACKAGE_DIR.parent,
        timeout=60,
    )
    loaded = json.loads(done.stdout)
    offending = sorted(
        m for m in loaded for bad in FORBIDDEN if m == bad or m.startswith(bad + ".")
    )
    assert offending == []
    assert "lightgbm" not in loaded  # imported only when the refresh fits the trees
    assert "numpy" in loaded  # the check really ran the imports


def _imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
        ):
            roots.add("<dynamic import>")
    return roots


@pytest.mark.parametrize("path", sorted(PACKAGE_DIR.glob("*.py")), ids=lambda p: p.name)
def test_sources_import_only_the_standard_library_and_numpy(path: Path) -> None:
    roots = _imported_roots(path)
    allowed = ALLOWED_THIRD_PARTY | FITTING_ONLY.get(path.name, frozenset())
    outside = {r for r in roots if r not in sys.stdlib_module_names} - allowed
    assert outside == set(), f"{path.name} imports {sorted(outside)}"
    assert not roots & set(FORBIDDEN), f"{path.name} imports {sorted(roots & set(FORBIDDEN))}"


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name: str) -> None:
    module = importlib.import_module(name)
    failed, _attempted = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failed == 0
