from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from raaderum.cli import app

runner = CliRunner()


def test_kommuner_json() -> None:
    r = runner.invoke(app, ["kommuner", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert len(data["municipalities"]) == 98
    assert {"code": 751, "name": "Aarhus", "region_code": 1082, "region": "Region Midtjylland", "group_code": 2,
            "group": "Storbykommuner"} in data["municipalities"]


def test_noegletal_json_has_figures_with_provenance() -> None:
    r = runner.invoke(app, ["noegletal", "Høje Taastrup", "--year", "2021", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["municipality"] == {"code": 169, "name": "Høje-Taastrup"}
    assert data["year"] == 2021
    assert len(data["functions"]) == 25 and len(data["areas"]) >= 12
    assert data["provenance"]["table"] == "REGK31" and "Løbende" in data["provenance"]["price_basis"]
    a = data["areas"][0]
    assert {"per_inhabitant", "national_per_inhabitant", "rank", "per_target", "target_group", "status"} <= set(a)


def test_noegletal_text_says_source_and_estimates() -> None:
    r = runner.invoke(app, ["noegletal", "aarhus", "--year", "2024"])
    assert r.exit_code == 0, r.output
    assert "Kilde: Danmarks Statistik" in r.stdout
    assert "Skøn" in r.stdout and "fremskrevet" in r.stdout


def test_unknown_municipality_exit_code_and_suggestions() -> None:
    r = runner.invoke(app, ["noegletal", "Århuus"])
    assert r.exit_code == 2
    assert "Ukendt kommune" in r.stderr and "Aarhus" in r.stderr


def test_unknown_year() -> None:
    r = runner.invoke(app, ["noegletal", "Aarhus", "--year", "1999"])
    assert r.exit_code == 2 and "1999" in r.stderr


def test_data_info_shows_provenance() -> None:
    r = runner.invoke(app, ["data", "info"])
    assert r.exit_code == 0, r.output
    assert "embedded-" in r.stdout and "sha256" in r.stdout and "Kilde: Danmarks Statistik" in r.stdout
    r = runner.invoke(app, ["data", "info", "--json"])
    assert json.loads(r.stdout)["checks"]["municipalities"] == 98


def test_readme_lists_exactly_the_settings_of_the_registry() -> None:
    """The README's table of settings and raaderum.config.SETTINGS agree (name, variable and default)."""
    import re
    from pathlib import Path

    from raaderum.config import SETTINGS

    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = text.split("## Indstillinger", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| `([a-z_]+)` \| `([A-Z_]+)` \| ([^|]+) \|", section, re.M)
    def shown(default: object) -> str:
        if default is None:
            return "—"
        if isinstance(default, bool):
            return "1" if default else "0"
        return str(default)
    assert [(n, e, d.strip()) for n, e, d in rows] == [(s.name, s.env, shown(s.default)) for s in SETTINGS]


def test_no_module_but_config_reads_the_environment() -> None:
    import ast
    from pathlib import Path

    import raaderum

    root = Path(raaderum.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if path == root / "config.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in {"environ", "getenv"} and \
                    isinstance(node.value, ast.Name) and node.value.id == "os":
                offenders.append(f"{path.relative_to(root)}:{node.lineno}")
    assert offenders == []


def test_config_prints_every_setting_with_secrets_masked(monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from typer.testing import CliRunner

    import raaderum.cli
    from raaderum.config import SETTINGS

    monkeypatch.setenv("RAADERUM_DATABASE_URL", "postgresql+psycopg://drift:hemmelig-kode@db.example/raaderum")
    monkeypatch.setenv("RAADERUM_KEEP_DATABASE_URL", "1")
    monkeypatch.setenv("RAADERUM_PAGE_CACHE", "0")
    r = CliRunner().invoke(raaderum.cli.app, ["config", "--json"])
    assert r.exit_code == 0, r.output
    assert "hemmelig-kode" not in r.output
    data = json.loads(r.stdout)
    shown = {s["name"]: s for s in data["settings"]}
    assert list(shown) == [s.name for s in SETTINGS]
    assert shown["database_url"]["value"] == "postgresql+psycopg://drift:***@db.example/raaderum"
    assert shown["page_cache"]["value"] == "False" and shown["page_cache"]["given"] is True
    text = CliRunner().invoke(raaderum.cli.app, ["config"]).output
    assert all(s.env in text for s in SETTINGS) and "hemmelig-kode" not in text
    monkeypatch.setenv("RAADERUM_PAGE_CACHE", "kanske")
    bad = CliRunner().invoke(raaderum.cli.app, ["config"])
    assert bad.exit_code == 2 and "RAADERUM_PAGE_CACHE" in bad.output and "kanske" in bad.output
