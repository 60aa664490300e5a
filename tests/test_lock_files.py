"""The lock files pin what pyproject.toml asks for, and the runtime pins are the tested ones."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _lock_status() -> ModuleType:
    path = ROOT / "scripts" / "lock_status.py"
    spec = importlib.util.spec_from_file_location("lock_status", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("lock_status", module)
    spec.loader.exec_module(module)
    return module


lock_status = _lock_status()


@pytest.mark.parametrize(
    ("lock", "extras"), [("test.lock", ["test"]), ("runtime.lock", [])], ids=["test", "runtime"]
)
def test_shipped_lock_pins_every_requirement(lock: str, extras: list[str]) -> None:
    path = ROOT / "requirements" / lock
    missing = lock_status.unpinned(
        lock_status.wanted(ROOT / "pyproject.toml", extras), lock_status.lock_pins(path)
    )
    assert missing == [], f"requirements/{lock} is stale: run scripts/lock"


def test_runtime_lock_uses_the_tested_versions() -> None:
    test = lock_status.lock_pins(ROOT / "requirements" / "test.lock")
    runtime = lock_status.lock_pins(ROOT / "requirements" / "runtime.lock")
    assert runtime, "runtime.lock pins nothing"
    assert {name: v for name, v in runtime.items() if not v <= test.get(name, set())} == {}


def test_unpinned_names_missing_and_out_of_range_requirements(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    lock.write_text(
        "# header\n"
        "fastapi==0.115.0           # via dekat\n"
        "numpy==1.26.4 ; python_full_version < '3.12'\n"
        "numpy==2.3.0 ; python_full_version >= '3.12'\n"
        "Pillow==9.0.0\n"
        "    # via something\n",
        encoding="utf-8",
    )
    pins = lock_status.lock_pins(lock)
    reqs = [
        Requirement(line)
        for line in (
            "fastapi>=0.115",
            "numpy>=1.26",
            "pillow>=10.3",
            "boto3>=1.34",
            "pywin32>=306; sys_platform == 'nonexistent-os'",
        )
    ]
    assert lock_status.unpinned(reqs, pins) == ["pillow>=10.3", "boto3>=1.34"]


def test_cli_exit_status_and_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lock = tmp_path / "empty.lock"
    lock.write_text("", encoding="utf-8")
    assert lock_status.main([str(lock)]) == 1
    assert "run scripts/lock" in capsys.readouterr().err
    assert lock_status.main([str(ROOT / "requirements" / "test.lock"), "test"]) == 0
    assert lock_status.main([]) == 2
