"""The two commands on a fresh machine (issue 9): pinned dependencies, and `make test` without Chromium.

- requirements.lock pins every dependency (runtime and test extras); `make setup` installs from it, and
  scripts/check_lock.py (run by `.ci/run`) fails when it no longer matches pyproject.toml.
- pyproject.toml declares no runtime dependency the code does not import, and no package-data glob for a folder
  that does not exist.
- `make test` checks for Chromium first (scripts/ensure-chromium): as root it installs Debian's chromium; otherwise
  it stops at once with the command to run and never starts pytest.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from types import ModuleType

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
INSTALL_COMMAND = "sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium fonts-dejavu-core"


def _check_lock() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_lock", ROOT / "scripts" / "check_lock.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- The lock ---------------------------------------------------------------------------------------------------


def test_the_lock_matches_pyproject() -> None:
    assert _check_lock().problems(ROOT / "pyproject.toml", ROOT / "requirements.lock") == []


def test_the_lock_check_bites(tmp_path: Path) -> None:
    check = _check_lock()
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "demo"\nversion = "1"\n'
                         'dependencies = ["alpha>=2", "beta[fast]", "gamma; sys_platform == \'nonexistent\'"]\n'
                         '[project.optional-dependencies]\ntest = ["delta"]\n', encoding="utf-8")
    lock = tmp_path / "requirements.lock"
    lock.write_text("# header\n"
                    "alpha==1.5                # via demo (pyproject.toml)\n"
                    "beta==3.0                 # via demo (pyproject.toml)\n"
                    "epsilon==1.0              # via demo (pyproject.toml)\n"
                    "zeta>=1\n", encoding="utf-8")
    found = "\n".join(check.problems(pyproject, lock))
    assert "alpha>=2 does not allow the pinned alpha==1.5" in found  # a pin outside the specifier
    assert "optional-dependencies.test: delta is not pinned" in found  # an extra's dependency missing
    assert "pins epsilon for demo, but pyproject.toml no longer asks for it" in found  # a dropped dependency
    assert "not an exact pin" in found and "zeta>=1" in found
    assert "gamma" not in found  # not for this machine
    assert "beta" not in found
    r = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_lock.py"), str(pyproject), str(lock)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "make lock" in r.stderr
    assert check.problems(pyproject, tmp_path / "missing.lock") == ["missing.lock is missing: run `make lock`"]


def test_the_lock_pins_what_dependency_extras_add() -> None:
    """psycopg[binary] and uvicorn[standard] bring packages of their own; the lock has them (when installed)."""
    pins, _, _ = _check_lock().read_lock((ROOT / "requirements.lock").read_text(encoding="utf-8"))
    for dist, extra_dep in (("psycopg", "psycopg-binary"), ("uvicorn", "uvloop")):
        try:
            metadata.version(dist)
        except metadata.PackageNotFoundError:  # pragma: no cover - the lock is installed by make setup
            pytest.skip(f"{dist} not installed")
        assert canonicalize_name(extra_dep) in pins


def test_make_setup_installs_from_the_lock() -> None:
    """The stamp depends on pyproject.toml and the lock; the recipe installs the lock, then the package alone."""
    make = shutil.which("make")
    if make is None:  # pragma: no cover - make is a requirement of the README
        pytest.skip("make not installed")
    r = subprocess.run([make, "-n", "-B", ".venv/.installed"], cwd=ROOT, capture_output=True, text=True,
                       timeout=60, env={k: v for k, v in os.environ.items() if not k.startswith("MAKE")})
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    lock = next(i for i, line in enumerate(lines) if "install -q -r requirements.lock" in line)
    editable = next(i for i, line in enumerate(lines) if "install -q --no-deps -e ." in line)
    assert lock < editable and "touch .venv/.installed" in lines[-1]
    assert not any(".[test]" in line for line in lines)
    db = subprocess.run([make, "-p", "-n", "-q", "setup"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                        env={k: v for k, v in os.environ.items() if not k.startswith("MAKE")}).stdout
    rule = next(line for line in db.splitlines() if line.startswith(".venv/.installed:"))
    assert "pyproject.toml" in rule and "requirements.lock" in rule


# --- pyproject.toml hygiene -------------------------------------------------------------------------------------

# Runtime dependencies that no module imports by name: SQLAlchemy loads the driver from a URL
# (postgresql+psycopg://…), and FastAPI parses forms with python-multipart.
USED_WITHOUT_IMPORT = {"psycopg", "python-multipart"}


def _imported_top_levels() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "raaderum").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def test_every_runtime_dependency_is_used() -> None:
    imported = _imported_top_levels()
    providers = metadata.packages_distributions()  # top-level module → distributions
    used = {canonicalize_name(d) for module in imported for d in providers.get(module, [])}
    unused = [r for r in PYPROJECT["project"]["dependencies"]
              if (name := canonicalize_name(Requirement(r).name)) not in used and name not in USED_WITHOUT_IMPORT]
    assert not unused, f"runtime dependencies that raaderum never imports: {unused}"


def test_package_data_globs_match_files() -> None:
    package_data = PYPROJECT["tool"]["setuptools"]["package-data"]
    empty = [f"{pkg}: {glob}" for pkg, globs in package_data.items() for glob in globs
             if not any(p.is_file() for p in (ROOT / pkg.replace(".", "/")).glob(glob))]
    assert not empty, f"package-data globs that match no file: {empty}"


# --- make test without Chromium ---------------------------------------------------------------------------------


@pytest.fixture
def fake_bin() -> Iterator[Path]:
    """A folder anyone can read, with an apt-get and a sudo that only record that they were called."""
    folder = Path(tempfile.mkdtemp(prefix="raaderum-fake-bin-"))
    try:
        folder.chmod(0o755)
        log = folder / "calls.log"
        log.write_text("", encoding="utf-8")
        log.chmod(0o666)
        for tool in ("apt-get", "sudo"):
            stub = folder / tool
            stub.write_text(f'#!/bin/sh\necho "{tool} $*" >> "{log}"\nexit 1\n', encoding="utf-8")
            stub.chmod(0o755)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _env(fake_bin: Path) -> dict[str, str]:
    return {"PATH": f"{fake_bin}:/usr/bin:/bin", "HOME": "/", "LANG": "C.UTF-8",
            "RAADERUM_CHROMIUM": str(fake_bin / "no-chromium-here")}


def test_ensure_chromium_stops_at_once_when_not_root(fake_bin: Path) -> None:
    script = ROOT / "scripts" / "ensure-chromium"
    cmd = ["bash", "-s"]  # the script comes on stdin, so an unprivileged user need not reach the work tree
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:  # pragma: no cover - util-linux is on every Debian
            pytest.skip("setpriv is needed to run the script as a user other than root")
        cmd = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    started = time.monotonic()
    with open(script, encoding="utf-8") as stdin:
        r = subprocess.run(cmd, stdin=stdin, env=_env(fake_bin), cwd="/", capture_output=True, text=True, timeout=30)
    assert time.monotonic() - started < 10
    assert r.returncode != 0
    assert INSTALL_COMMAND in r.stderr
    assert "Chromium mangler" in r.stderr and "Chromium is missing" in r.stderr
    assert (fake_bin / "calls.log").read_text(encoding="utf-8") == ""  # installed nothing, asked nobody


def test_make_test_never_starts_pytest_without_chromium(fake_bin: Path, tmp_path: Path) -> None:
    """With the browser missing (and, as root, RAADERUM_CHROMIUM set, so apt-get cannot help) make stops first."""
    make = shutil.which("make")
    if make is None:  # pragma: no cover
        pytest.skip("make not installed")
    started = tmp_path / "pytest-started"
    fake_python = tmp_path / "python"
    fake_python.write_text(f'#!/bin/sh\ntouch "{started}"\n', encoding="utf-8")
    fake_python.chmod(0o755)
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("MAKE")}, **_env(fake_bin)}
    r = subprocess.run([make, "-s", "-o", ".venv/.installed", "test", f"PY={fake_python}"], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert INSTALL_COMMAND in r.stderr
    assert not started.exists()
    assert (fake_bin / "calls.log").read_text(encoding="utf-8") == ""
