"""Check that requirements.lock matches pyproject.toml (run by `make check-lock` and `.ci/run`).

The lock is what `make setup` installs. It matches pyproject.toml when:
  - every line is one exact pin (``name==version``);
  - every dependency of ``[project]`` and of every optional extra is pinned, to a version its specifier allows
    (markers are evaluated for this machine);
  - the requirements behind a dependency's own extras (``psycopg[binary]`` → psycopg-binary) are pinned too, as far
    as the installed metadata tells them;
  - no pin is annotated as coming from pyproject.toml ("via raaderum (pyproject.toml)") that pyproject.toml no
    longer asks for (a dependency was dropped without relocking).

Usage: python scripts/check_lock.py [PYPROJECT] [LOCK]. Exit 0 when they match, 1 with one line per problem.
Needs only ``packaging`` (pinned in the lock itself).
"""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;#]+)\s*(?:#\s*(?P<via>.*))?$")


def read_lock(text: str) -> tuple[dict[str, Version], dict[str, str], list[str]]:
    """(pins by canonical name, annotation by name, problems) of a pip-compile lock."""
    pins: dict[str, Version] = {}
    via: dict[str, str] = {}
    problems: list[str] = []
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith(("-e ", "--editable")):
            problems.append(f"lock line {n}: editable install in the lock: {line!r}")
            continue
        m = PIN.match(line)
        if m is None:
            problems.append(f"lock line {n}: not an exact pin (name==version): {line!r}")
            continue
        name = str(canonicalize_name(m["name"]))
        try:
            version = Version(m["version"])
        except InvalidVersion:
            problems.append(f"lock line {n}: invalid version {m['version']!r}")
            continue
        if name in pins:
            problems.append(f"lock line {n}: {name} pinned twice")
        pins[name] = version
        via[name] = m["via"] or ""
    return pins, via, problems


def declared(pyproject: dict[str, Any]) -> tuple[str, list[tuple[str, Requirement]]]:
    """(project name, [(where, requirement)]) for the dependencies and every optional extra."""
    project = pyproject["project"]
    reqs = [("dependencies", Requirement(r)) for r in project.get("dependencies", [])]
    for extra, items in sorted(project.get("optional-dependencies", {}).items()):
        reqs += [(f"optional-dependencies.{extra}", Requirement(r)) for r in items]
    return str(project["name"]), reqs


def _environment(extra: str = "") -> dict[str, str]:
    """This machine's marker environment, with ``extra`` set (as pip evaluates a dependency of an extra)."""
    return {**{k: str(v) for k, v in default_environment().items()}, "extra": extra}


def _extra_requirements(req: Requirement) -> list[Requirement]:
    """What ``req``'s own extras add (from the installed distribution's metadata; [] when it is not installed)."""
    if not req.extras:
        return []
    try:
        requires = metadata.requires(req.name) or []
    except metadata.PackageNotFoundError:
        return []
    out = []
    for raw in requires:
        dep = Requirement(raw)
        if dep.marker is None:
            continue  # an unconditional dependency of the package, not of the extra
        if any(dep.marker.evaluate(_environment(e)) for e in req.extras) and not dep.marker.evaluate(_environment()):
            out.append(dep)
    return out


def problems(pyproject_path: Path, lock_path: Path) -> list[str]:
    if not lock_path.exists():
        return [f"{lock_path.name} is missing: run `make lock`"]
    pins, via, found = read_lock(lock_path.read_text(encoding="utf-8"))
    name, reqs = declared(tomllib.loads(pyproject_path.read_text(encoding="utf-8")))
    direct: set[str] = set()
    for where, req in reqs:
        direct.add(canonicalize_name(req.name))
        if req.marker is not None and not req.marker.evaluate(_environment()):
            continue  # not for this machine
        checks = [(req, f"{where}: {req}")]
        checks += [(dep, f"{where}: {req} needs {dep}") for dep in _extra_requirements(req)]
        for r, what in checks:
            k = str(canonicalize_name(r.name))
            if k not in pins:
                found.append(f"{what} is not pinned in {lock_path.name}")
            elif not r.specifier.contains(pins[k], prereleases=True):
                found.append(f"{what} does not allow the pinned {k}=={pins[k]}")
    marker = f"{name} (pyproject.toml)"
    for key, annotation in sorted(via.items()):
        if marker in annotation and key not in direct:
            found.append(f"{lock_path.name} pins {key} for {name}, but pyproject.toml no longer asks for it")
    return found


def main(argv: list[str]) -> int:
    pyproject = Path(argv[1]) if len(argv) > 1 else ROOT / "pyproject.toml"
    lock = Path(argv[2]) if len(argv) > 2 else ROOT / "requirements.lock"
    found = problems(pyproject, lock)
    for p in found:
        print(f"check-lock: {p}", file=sys.stderr)
    if found:
        print(f"check-lock: {lock.name} does not match {pyproject.name}; run `make lock` and commit the result.",
              file=sys.stderr)
        return 1
    print(f"check-lock: {lock.name} matches {pyproject.name}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
