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


# ------------------------------------------------------------------ release 2: price basis and peer models


def test_noegletal_fixed_prices_scale_by_the_index_ratio() -> None:
    from raaderum.analysis.prices import price_basis
    from raaderum.release.reader import open_release

    cur = json.loads(runner.invoke(app, ["noegletal", "751", "--year", "2021", "--json"]).stdout)
    r = runner.invoke(app, ["noegletal", "751", "--year", "2021", "--prices", "faste", "--base-year", "2023",
                            "--json"])
    assert r.exit_code == 0, r.output
    fix = json.loads(r.stdout)
    basis = price_basis(open_release(), "faste", 2023)
    ratio = basis.values[2023] / basis.values[2021]
    assert fix["provenance"]["prices"]["basis"] == "faste" and fix["provenance"]["prices"]["base_year"] == 2023
    assert fix["provenance"]["price_basis"] == basis.label
    for a, b in zip(cur["areas"], fix["areas"], strict=True):
        if a["per_inhabitant"]:
            assert b["per_inhabitant"] / a["per_inhabitant"] == pytest.approx(ratio, rel=1e-12)
    assert fix["areas"][0]["expenditure_status"] == "derived"


def test_noegletal_text_prints_the_price_basis() -> None:
    r = runner.invoke(app, ["noegletal", "aarhus", "--year", "2022", "--prices", "faste"])
    assert r.exit_code == 0, r.output
    out = " ".join(r.stdout.split())
    assert "prisgrundlag: Faste 2023-priser (forbrugerprisindeks, ikke kommunernes pris- og lønindeks)" in out
    assert "afledt" in out
    r = runner.invoke(app, ["noegletal", "aarhus", "--year", "2022"])
    assert "Løbende priser" in " ".join(r.stdout.split())


def test_noegletal_bad_price_basis_and_base_year() -> None:
    r = runner.invoke(app, ["noegletal", "aarhus", "--prices", "dyre"])
    assert r.exit_code == 2 and "prisgrundlag" in r.stderr.lower()
    r = runner.invoke(app, ["noegletal", "aarhus", "--base-year", "2020"])
    assert r.exit_code == 2 and "faste priser" in r.stderr


def test_benchmark_peer_model_and_prices_in_text_and_json() -> None:
    from raaderum.analysis.peers import load_peer_registry

    reg = load_peer_registry()
    r = runner.invoke(app, ["benchmark", "751", "--year", "2022", "--peer-model", "aeldre", "--prices", "faste",
                            "--base-year", "2020", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["peer_model"]["id"] == "aeldre" and data["peers"]["model"]["id"] == "aeldre"
    assert data["provenance"]["prices"]["basis"] == "faste" and data["provenance"]["prices"]["base_year"] == 2020
    std = json.loads(runner.invoke(app, ["benchmark", "751", "--year", "2022", "--json"]).stdout)
    assert std["peer_model"]["id"] == "standard"
    assert [p["code"] for p in std["peers"]["members"]] != [p["code"] for p in data["peers"]["members"]]
    r = runner.invoke(app, ["benchmark", "751", "--year", "2022", "--peer-model", "auto", "--prices", "faste"])
    assert r.exit_code == 0, r.output
    out = " ".join(r.stdout.split())
    assert "Prisgrundlag: Faste 2023-priser" in out and "Sammenligningsmodel: Områdets egen model" in out
    assert reg.model("aeldre").name.split(":")[0] in out  # the model column under auto
    assert "positivt" in out and "afledt" in out


def test_benchmark_unknown_peer_model_is_a_usage_error() -> None:
    r = runner.invoke(app, ["benchmark", "751", "--peer-model", "ingen"])
    assert r.exit_code == 2 and "sammenligningsmodel" in r.stderr.lower() and "aeldre" in r.stderr
