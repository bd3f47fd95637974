"""The import rule (issue 9): layers as packages, imports flowing one way, no cycles, no cycle-dodging local imports.

The rule is the import-linter contract in pyproject.toml ([tool.importlinter]):

    raaderum.web | raaderum.cli → server → reports → store → ideas → analysis → release → catalog → config
    → raaderum.errors | raaderum.formatting

`make lint` and `.ci/run` run it. These tests show that it holds, that it bites (a copy of the package with one
violating module breaks it, however the import is written), and that the two ways around it that a static import
graph cannot see are closed too: function-local imports without a reason, and imports through the lazy
re-exports of ``raaderum/__init__.py``.
"""

from __future__ import annotations

import ast
import functools
import io
import os
import re
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "raaderum"


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    """`lint-imports` on the pyproject.toml and the ``raaderum`` package found in ``cwd``."""
    exe = Path(sys.executable).with_name("lint-imports")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from importlinter.cli import lint_imports_command; "
                                                                  "lint_imports_command()"]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSTARTUP")}
    return subprocess.run([*cmd, "--no-cache", "--no-logo", "pyproject.toml"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_code_keeps_the_import_contract() -> None:
    r = lint_imports(ROOT)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out
    assert "BROKEN" not in out and re.search(r"Contracts: [1-9]\d* kept, 0 broken\.", out), out


def _copy_of_the_package(tmp_path: Path) -> Path:
    """The package's Python files and pyproject.toml under ``tmp_path/src`` (lint-imports analyses that copy)."""
    src = tmp_path / "src"

    def ignore(folder: str, names: list[str]) -> list[str]:
        return [n for n in names if n == "__pycache__" or (not n.endswith(".py") and not (Path(folder) / n).is_dir())]

    shutil.copytree(PACKAGE, src / "raaderum", ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", src / "pyproject.toml")
    return src


# case → (files: a new file is written, an existing one gets the text appended; what the report must say)
VIOLATIONS = {
    # a lower layer importing a higher one, at module level
    "release imports server": ({"release/_violation.py": "from raaderum.server import permissions\n"},
                               "raaderum.release is not allowed to import raaderum.server"),
    # a function-local import does not hide it
    "store imports web in a function": ({"store/_violation.py": "def f():\n    import raaderum.web.app\n"},
                                        "raaderum.store is not allowed to import raaderum.web"),
    # nor does a TYPE_CHECKING block
    "analysis imports ideas for typing": ({"analysis/_violation.py": "from typing import TYPE_CHECKING\n"
                                                                     "if TYPE_CHECKING:\n"
                                                                     "    from raaderum.ideas import records\n"},
                                          "raaderum.analysis is not allowed to import raaderum.ideas"),
    # the bottom layer stays at the bottom
    "errors imports config": ({"errors.py": "\nimport raaderum.config\n"},
                              "raaderum.errors is not allowed to import raaderum.config"),
    # web and cli are independent siblings, and so are errors and formatting
    "cli imports web": ({"cli/_violation.py": "import raaderum.web\n"},
                        "raaderum.cli is not allowed to import raaderum.web"),
    "web imports cli": ({"web/_violation.py": "from raaderum.cli import _common\n"},
                        "raaderum.web is not allowed to import raaderum.cli"),
    "formatting imports errors": ({"formatting.py": "\nimport raaderum.errors\n"},
                                  "raaderum.formatting is not allowed to import raaderum.errors"),
    # a new top-level module must be placed in a layer
    "unplaced module": ({"newthing.py": "import raaderum.config\n"}, "- raaderum.newthing"),
    # two sibling modules importing each other
    "sibling cycle": ({"analysis/_cycle_a.py": "from raaderum.analysis import _cycle_b\n",
                       "analysis/_cycle_b.py": "from raaderum.analysis import _cycle_a\n"},
                      "No import cycles between sibling modules BROKEN"),
}


@pytest.mark.parametrize("case", sorted(VIOLATIONS))
def test_the_contract_bites(tmp_path: Path, case: str) -> None:
    src = _copy_of_the_package(tmp_path)
    files, expected = VIOLATIONS[case]
    for rel, text in files.items():
        target = src / "raaderum" / rel
        before = target.read_text(encoding="utf-8") if target.exists() else ""
        target.write_text(before + text, encoding="utf-8")
    r = lint_imports(src)
    out = r.stdout + r.stderr
    assert r.returncode != 0, out
    assert "BROKEN" in out and expected in out, out


# --- What a static import graph cannot see ---------------------------------------------------------------------


@functools.cache
def _modules() -> list[tuple[Path, str, ast.Module]]:
    """(path, source, syntax tree) of every module of the package, parsed once."""
    out = []
    for path in sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts):
        source = path.read_text(encoding="utf-8")
        out.append((path, source, ast.parse(source, filename=str(path))))
    return out


def _comments(source: str) -> dict[int, str]:
    return {tok.start[0]: tok.string for tok in tokenize.generate_tokens(io.StringIO(source).readline)
            if tok.type == tokenize.COMMENT}


def _local_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Import statements inside a function (or a method, or a nested function)."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if in_function and isinstance(child, ast.Import | ast.ImportFrom):
                found.append(child)
            visit(child, in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef))

    visit(tree, False)
    return found


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    return ["." * node.level + (node.module or "")]


def _uncommented_local_imports(rel: Path, source: str, tree: ast.AST) -> list[str]:
    """The rule below, for one module at ``rel`` (relative to the package)."""
    in_cli = rel.parts[0] == "cli"
    checked = [node for node in _local_imports(tree)
               if in_cli or any(n == "raaderum" or n.startswith(("raaderum.", ".")) for n in _imported(node))]
    comments = _comments(source) if checked else {}
    offenders = []
    for node in checked:
        lines = range(node.lineno, (node.end_lineno or node.lineno) + 1)
        if not any("lazy:" in comments.get(n, "") for n in lines):
            offenders.append(f"raaderum/{rel}:{node.lineno}: {', '.join(_imported(node))}")
    return offenders


def test_function_local_imports_say_why() -> None:
    """Every function-local import of a raaderum module, and every one in raaderum/cli, carries `# lazy: …`.

    A local import only to dodge a cycle is not allowed (the layers make cycles impossible); one that keeps start-up
    fast, or defers a heavy import to the one command that needs it, is fine, and says so on its line.
    """
    offenders = [o for path, source, tree in _modules()
                 for o in _uncommented_local_imports(path.relative_to(PACKAGE), source, tree)]
    assert not offenders, "function-local imports without a '# lazy: <why>' comment:\n" + "\n".join(offenders)


@pytest.mark.parametrize(("rel", "source", "flagged"), [
    ("store/x.py", "def f():\n    from raaderum.web import app\n", True),
    ("store/x.py", "def f():\n    from raaderum.web import app  # lazy: start-up\n", False),
    ("store/x.py", "class C:\n    def m(self):\n        def inner():\n            from . import y\n", True),
    ("store/x.py", "def f():\n    from raaderum.ideas import (\n        a,\n        b,  # lazy: big\n    )\n", False),
    ("store/x.py", "def f():\n    import json\n", False),  # not a raaderum module, not in cli
    ("store/x.py", "from raaderum.ideas import a\n", False),  # module level
    ("cli/x.py", "def f():\n    import json\n", True),
    ("cli/x.py", "async def f():\n    import json  # lazy: start-up\n", False),
])
def test_the_local_import_check_bites(rel: str, source: str, flagged: bool) -> None:
    assert bool(_uncommented_local_imports(Path(rel), source, ast.parse(source))) is flagged


SUBMODULES = {p.stem if p.suffix == ".py" else p.name for p in PACKAGE.iterdir()
              if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").exists()}


def _absolute(rel: Path, node: ast.ImportFrom) -> str:
    """The module a ``from … import`` in the module at ``rel`` (relative to the package) imports from."""
    if node.level == 0:
        return node.module or ""
    package = ["raaderum", *rel.parts[:-1]]
    base = package[:len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _imports_around(rel: Path, tree: ast.AST) -> list[str]:
    """Imports in the module at ``rel`` that an import graph cannot follow (see the test below)."""
    offenders = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _absolute(rel, node) == "raaderum":
            bad = [a.name for a in node.names if a.name != "__version__" and a.name not in SUBMODULES]
            if bad:
                offenders.append(f"raaderum/{rel}:{node.lineno}: from raaderum import {', '.join(bad)}")
        elif isinstance(node, ast.Import) and any(a.name == "raaderum" for a in node.names):
            offenders.append(f"raaderum/{rel}:{node.lineno}: import raaderum")
        elif isinstance(node, ast.Call):
            fn = node.func
            name = fn.attr if isinstance(fn, ast.Attribute) else fn.id if isinstance(fn, ast.Name) else ""
            if name in ("import_module", "__import__"):
                offenders.append(f"raaderum/{rel}:{node.lineno}: {name}(…)")
    return offenders


def test_nothing_imports_around_the_contract() -> None:
    """No module reaches another through the root package's lazy re-exports or a dynamic import.

    ``raaderum/__init__.py`` re-exports names lazily with ``importlib.import_module``; an import-linter graph
    sees ``from raaderum import IdeaStore`` as an import of the root package only. So inside the package the root
    is imported for ``__version__`` or a submodule (``from raaderum import config``) only, and nothing else imports
    modules by name at run time.
    """
    offenders = [o for path, _, tree in _modules() if path != PACKAGE / "__init__.py"
                 for o in _imports_around(path.relative_to(PACKAGE), tree)]
    assert not offenders, "imports the contract cannot see:\n" + "\n".join(offenders)


@pytest.mark.parametrize(("rel", "source", "flagged"), [
    ("release/x.py", "from raaderum import IdeaStore\n", True),
    ("release/x.py", "from .. import IdeaStore\n", True),
    ("release/x.py", "def f():\n    import raaderum\n", True),
    ("release/x.py", "import importlib\nm = importlib.import_module('raaderum.web')\n", True),
    ("release/x.py", "m = __import__('raaderum.web')\n", True),
    ("release/x.py", "from raaderum import __version__, config\n", False),
    ("release/x.py", "from .. import config\n", False),
    ("release/x.py", "from . import schema\n", False),
    ("release/x.py", "from importlib import resources\n", False),
])
def test_the_check_for_hidden_imports_bites(rel: str, source: str, flagged: bool) -> None:
    assert bool(_imports_around(Path(rel), ast.parse(source))) is flagged
