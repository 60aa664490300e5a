"""Load a file from ``scripts/`` as a module, so the suite runs the same harness bounded."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def load_script(name: str) -> ModuleType:
    """``load_script("fuzz_api")`` → the module in ``scripts/fuzz_api.py`` (cached)."""
    module_name = f"dekat_script_{name}"
    scripts = str(ROOT / "scripts")
    if scripts not in sys.path:
        sys.path.append(scripts)  # the scripts import their sibling ``serverctl``
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, ROOT / "scripts" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module
