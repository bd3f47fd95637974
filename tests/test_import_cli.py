"""Issue 12 through the command line: a sheet that needs a decision stops with its mapping and exit code 4; the
operator corrects or confirms it (--unit, --map, --yes), saves the layout as a profile, and the next workbook in the
same layout imports without questions, naming the profile. Every write is audited (system actor)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from test_import_layouts import write
from typer.testing import CliRunner

import raaderum.cli
from raaderum.cli.ideas import EXIT_NEEDS_DECISION
from raaderum.store.engine import make_engine, migrate
from raaderum.store.models import AuditEntry, Proposal

HEADER = ["Kommunens navn", "B-år", "Overskrift", "B", "BO1", "Sagsbehandler"]


def _rows(n: int, start: int = 0) -> list[list[object]]:
    return [HEADER] + [["Aarhus", 2021, f"Forslag nummer {i} om bedre indkøb", -250000 - i, -500000, "Hanne"]
                       for i in range(start, start + n)]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'app.sqlite'}"
    migrate(url)
    monkeypatch.setenv("RAADERUM_DATABASE_URL", url)
    monkeypatch.setenv("RAADERUM_KEEP_DATABASE_URL", "1")
    return url


def _cli(*args: str) -> object:
    return CliRunner().invoke(raaderum.cli.app, list(args))


def test_a_decision_stops_the_import_then_a_confirmed_profile_carries_the_next_file(db: str, tmp_path: Path) -> None:
    first = write(tmp_path / "foerste.xlsx", _rows(3))
    r = _cli("ideas", "import", str(first), "--json")
    assert r.exit_code == EXIT_NEEDS_DECISION, r.output  # kroner without a stated unit: asked, not guessed
    report = json.loads(r.stdout)
    assert report["stopped"] and report["needs_decision"]
    assert any(q["kind"] == "unit" for s in report["sheets"] for q in s["questions"])
    engine = make_engine(db)
    try:
        with Session(engine) as s:
            assert s.scalar(select(Proposal.id).where(Proposal.is_sample.is_(False))) is None  # nothing written
        r = _cli("ideas", "import", str(first), "--unit", "kr", "--yes", "--gem-profil", "Aarhus-layout")
        assert r.exit_code == 0, r.output
        with Session(engine) as s:
            stored = list(s.scalars(select(Proposal).where(Proposal.is_sample.is_(False)).order_by(Proposal.id)))
            assert [p.amount_b for p in stored] == [-250.0, -250.001, -250.002]
            assert all(p.source_fields for p in stored)  # "Sagsbehandler" kept as a source field
            log = list(s.scalars(select(AuditEntry).where(AuditEntry.action == "ideas.import")))
            assert len(log) == 1 and log[0].user_name == "system:cli"
            assert log[0].after["profiles_saved"] == ["Aarhus-layout"]
        from starlette.testclient import TestClient

        from raaderum.web import create_app

        page = TestClient(create_app()).get(f"/idebank/{stored[0].id}")
        assert page.status_code == 200 and "Øvrige felter fra kilden" in page.text and "Hanne" in page.text
        second = write(tmp_path / "anden.xlsx", _rows(2, start=10))
        r = _cli("ideas", "import", str(second), "--json")
        assert r.exit_code == 0, r.output
        report = json.loads(r.stdout)
        assert report["profiles_used"] and not report["needs_decision"] and report["counts"]["imported"] == 2
        r = _cli("ideas", "profiler", "list", "--json")
        assert [p["name"] for p in json.loads(r.stdout)] == ["Aarhus-layout"]
        out = tmp_path / "profiler.json"
        assert _cli("ideas", "profiler", "export", "--out", str(out)).exit_code == 0
        assert "Aarhus-layout" in out.read_text(encoding="utf-8")
        r = _cli("ideas", "profiler", "delete", "Aarhus-layout")
        assert r.exit_code == 0, r.output
        assert json.loads(_cli("ideas", "profiler", "list", "--json").stdout) == []
        with Session(engine) as s:
            assert s.scalar(select(AuditEntry.id).where(AuditEntry.entity == "import_profile")) is not None
    finally:
        engine.dispose()


def test_map_corrects_a_column(db: str, tmp_path: Path) -> None:
    path = write(tmp_path / "kort.xlsx", _rows(1))
    r = _cli("ideas", "import", str(path), "--unit", "kr", "--map", "F=contact", "--json", "--dry-run")
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    mapping = {m["column"]: m["field"] for m in report["sheets"][0]["mapping"]}
    assert mapping["F"] == "contact"
