"""Which of pyproject.toml's requirements a lock file does not pin (exit 1 if any).

``./scripts/test`` installs ``requirements/test.lock`` and then ``pip install -e '.[test]'``,
which adds whatever the lock lacks, unpinned. This check says so plainly, so that a
dependency added to pyproject.toml without re-running ``scripts/lock`` is noticed.

    python scripts/lock_status.py requirements/test.lock test
    python scripts/lock_status.py requirements/runtime.lock
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)")


def lock_pins(lock: Path) -> dict[str, set[Version]]:
    """Package name → pinned versions (a universal lock may pin one per platform)."""
    pins: dict[str, set[Version]] = {}
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            name = canonicalize_name(match.group(1))
            pins.setdefault(name, set()).add(Version(match.group(2)))
    return pins


def wanted(pyproject: Path, extras: list[str]) -> list[Requirement]:
    """The project's own requirements plus those of the given extras."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    lines = list(project.get("dependencies", []))
    for extra in extras:
        lines += project.get("optional-dependencies", {}).get(extra, [])
    return [Requirement(line) for line in lines]


def unpinned(requirements: list[Requirement], pins: dict[str, set[Version]]) -> list[str]:
    """Requirements (for this interpreter) that no pin of the lock satisfies."""
    out = []
    for req in requirements:
        if req.marker is not None and not req.marker.evaluate():
            continue
        versions = pins.get(canonicalize_name(req.name), set())
        if not any(req.specifier.contains(v, prereleases=True) for v in versions):
            out.append(str(req))
    return out


def main(argv: list[str]) -> int:
    if not argv:
        sys.stderr.write("usage: lock_status.py LOCK_FILE [EXTRA ...]\n")
        return 2
    lock, extras = Path(argv[0]), argv[1:]
    missing = unpinned(wanted(ROOT / "pyproject.toml", extras), lock_pins(lock))
    if missing:
        sys.stderr.write(
            f"{lock.name} does not pin {', '.join(missing)} from pyproject.toml: "
            "installing them unpinned; run scripts/lock to update the lock\n"
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
