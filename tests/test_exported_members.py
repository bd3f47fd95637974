"""The public API of the package is small, explicit and importable (cf. httpx's test_exported_members)."""

from __future__ import annotations

import raaderum


def test_every_exported_name_resolves() -> None:
    for name in raaderum.__all__:
        assert getattr(raaderum, name) is not None, name


def test_exports_are_the_documented_set() -> None:
    assert set(raaderum.__all__) == {
        "__version__", "open_release", "Release", "key_figures", "area_panel", "run_benchmark", "REFERENCES",
        "choose_peers", "decompose", "load_catalog", "load_levers", "MunicipalityRegister", "IdeaStore",
        "SearchFilters", "build_release", "update_release", "StatbankClient", "RaaderumError"}


def test_public_api_works_end_to_end() -> None:
    rel = raaderum.open_release()
    assert raaderum.key_figures(rel, "Aarhus", 2022).municipality.code == 751
    assert raaderum.run_benchmark(rel, "Aarhus", 2022).total["potential"] >= 0


def test_every_error_class_is_exported_from_errors() -> None:
    """Derived from the module, as httpx's test does: every RaaderumError subclass defined in raaderum.errors is in
    its __all__, and __all__ names nothing else but public_errors."""
    import inspect

    from raaderum import errors

    defined = {name for name, obj in vars(errors).items()
               if inspect.isclass(obj) and issubclass(obj, errors.RaaderumError) and obj.__module__ == errors.__name__}
    assert defined == set(errors.public_errors())
    assert set(errors.__all__) == defined | {"public_errors"}


def test_every_error_carries_a_status_and_exit_code_from_its_base() -> None:
    from raaderum import errors

    bases = {errors.InvalidInput: 400, errors.NotFound: 404, errors.Conflict: 409, errors.Unauthenticated: 401,
             errors.Forbidden: 403, errors.Unavailable: 503}
    for cls in errors.public_errors().values():
        if cls is errors.RaaderumError:
            continue
        assert any(issubclass(cls, b) for b in bases), f"{cls.__name__} has no base class with a status"
        assert 400 <= cls.status < 600 and cls.exit_code >= 1 and cls.title
    assert errors.UnknownMunicipality("x").status == 404 and errors.PermissionDenied().status == 403
    assert errors.TooManyAttempts("vent", 90).headers == {"Retry-After": "90"}


def test_no_error_class_is_defined_outside_errors() -> None:
    """One exception tree: Råderum's own error classes live in raaderum.errors (other modules re-export them)."""
    import ast
    from pathlib import Path

    root = Path(raaderum.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if path.name == "errors.py" and path.parent == root:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                    isinstance(b, ast.Name) and (b.id.endswith("Error") or b.id in {"NotFound", "Conflict"})
                    for b in node.bases):
                offenders.append(f"{path.relative_to(root)}:{node.name}")
    assert offenders == []
