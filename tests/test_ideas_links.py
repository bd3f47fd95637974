"""Linking proposals to benchmark gaps, committee mappings and the committee pack (issue 4)."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from raaderum.analysis.benchmark import run_benchmark
from raaderum.analysis.key_figures import area_panel
from raaderum.errors import InputError, UnknownArea
from raaderum.ideas import ProposalRecord
from raaderum.ideas.links import full_year_amount, rank_proposals
from raaderum.release.reader import Release
from raaderum.reports.committee_pack import build_committee_pack, write_committee_pack
from raaderum.server.permissions import SYSTEM_ACTOR
from raaderum.server.workspace import set_committee as _set_committee
from raaderum.store.committees import areas_of_committee, committee_entries, committee_mapping
from raaderum.store.ideas import IdeaStore
from raaderum.store.links import proposals_for_gap


def set_committee(store, code, area, name):  # type: ignore[no-untyped-def]
    _set_committee(store.engine, SYSTEM_ACTOR, code, area, name)


AREA = "folkeskole"  # an area where Aarhus has peers both cheaper and dearer in 2022


# The shared ``store`` fixture (tests/conftest.py), on SQLite only.
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _p(code: int, name: str, pid: int, year: int = 2020, bo3: float | None = -500.0, **kw: object) -> ProposalRecord:
    return ProposalRecord(municipality_code=code, municipality_name=name, budget_year=year, title=f"Forslag {pid}",
                          area_id=AREA, amount_bo3=bo3, id=pid, **kw)  # type: ignore[arg-type]


def test_peers_with_lower_unit_cost_come_first(release: Release) -> None:
    res = run_benchmark(release, "Aarhus", 2022)
    panel = area_panel(release, 2022)
    j = panel.area_index(AREA)
    own = panel.unit_cost[panel.index(751), j]
    peers = [(p.code, p.name, panel.unit_cost[panel.index(p.code), j]) for p in res.peers.peers]
    cheaper = sorted([p for p in peers if p[2] < own], key=lambda p: p[2])
    dearer = [p for p in peers if p[2] >= own]
    non_peer = next(m for m in release.register if m.code not in {p[0] for p in peers} and m.code != 751
                    and panel.unit_cost[panel.index(m.code), j] < own)
    assert len(cheaper) >= 2 and dearer
    props = [_p(751, "Aarhus", 1), _p(non_peer.code, non_peer.name, 2), _p(dearer[0][0], dearer[0][1], 3),
             _p(cheaper[1][0], cheaper[1][1], 4), _p(cheaper[0][0], cheaper[0][1], 5)]
    ranked = rank_proposals(props, res, AREA, release)
    assert [lp.id for lp in ranked] == [5, 4, 3, 2, 1]
    assert [lp.tier for lp in ranked] == [0, 0, 1, 2, 4]
    first = ranked[0]
    pop = panel.population[panel.index(cheaper[0][0])]
    assert first.amount_per_inhabitant == pytest.approx(-500 * 1000 / pop)
    assert first.unit_cost_gap == pytest.approx(cheaper[0][2] / own - 1)
    assert "lavere end Aarhus" in first.reason and "kr. pr. indbygger" in first.reason
    assert ranked[-1].reason.startswith("Kommunens eget forslag")
    # order of the input does not matter
    assert [lp.id for lp in rank_proposals(list(reversed(props)), res, AREA, release)] == [5, 4, 3, 2, 1]


def test_full_year_amount_is_the_last_known_year() -> None:
    assert full_year_amount(_p(101, "København", 1, bo3=None, amount_bo2=-300.0, amount_b=100.0)) == -300.0
    assert full_year_amount(_p(101, "København", 1, bo3=None)) is None


@SQLITE_ONLY
def test_proposals_for_gap_on_the_sample(store: IdeaStore, release: Release) -> None:
    store.ensure_sample()
    res = run_benchmark(release, "Aarhus", 2022)
    links = proposals_for_gap(751, "dagtilbud", benchmark=res, store=store)
    assert links and all(lp.area_id == "dagtilbud" for lp in links)
    assert [lp.tier for lp in links] == sorted(lp.tier for lp in links)
    assert all(lp.is_sample for lp in links)


@SQLITE_ONLY
def test_committee_mapping_default_override_and_reset(store: IdeaStore) -> None:
    assert committee_mapping(store, 751)["folkeskole"] == "Børne- og Ungeudvalget"
    set_committee(store, 751, "folkeskole", "  Skoleudvalget ")
    assert committee_mapping(store, 751)["folkeskole"] == "Skoleudvalget"
    assert committee_mapping(store, 461)["folkeskole"] == "Børne- og Ungeudvalget"  # other municipalities keep theirs
    assert areas_of_committee(store, 751, "skoleudvalget") == ["folkeskole"]
    assert not next(e for e in committee_entries(store, 751) if e.area_id == "folkeskole").is_default
    set_committee(store, 751, "folkeskole", "")
    assert committee_mapping(store, 751)["folkeskole"] == "Børne- og Ungeudvalget"
    with pytest.raises(UnknownArea):
        set_committee(store, 751, "rumfart", "X")
    with pytest.raises(InputError, match="Kendte udvalg"):
        areas_of_committee(store, 751, "Rumfartsudvalget")


@SQLITE_ONLY
def test_committee_pack_is_ordered_by_the_gaps(store: IdeaStore, release: Release) -> None:
    store.ensure_sample()
    pack = build_committee_pack("Aarhus", "Børne- og Ungeudvalget", store=store, year=2022)
    res = run_benchmark(release, "Aarhus", 2022)
    expected = [a.id for a in res.areas if a.id in {"dagtilbud", "folkeskole", "sfo", "specialundervisning",
                                                     "privatskoler", "udsatte_boern"}]
    assert [a.id for a in pack.areas] == expected
    assert all(r.municipality_code != 751 for a in pack.areas for _, r in a.proposals)
    data = write_committee_pack(pack)
    assert data is not None
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Overblik", "Forslag", "Metode og kilder"]
    ws = wb["Forslag"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == pack.proposal_count > 0
    area_order = list(dict.fromkeys(r[0] for r in rows))
    assert area_order == [a.name for a in pack.areas if a.proposals]
    assert all(r[16] == "Eksempeldata" for r in rows)  # sample data labelled in every row
    assert "Eksempeldata" in str(wb["Overblik"]["A4"].value)


@SQLITE_ONLY
def test_committee_pack_writes_text_never_formulas(store: IdeaStore, release: Release) -> None:
    store.add_batch("x.xlsx", "0" * 64, [ProposalRecord(municipality_code=461, municipality_name="Odense",
                                                         budget_year=2020, title="=HYPERLINK(\"http://x\")",
                                                         description="<script>alert(1)</script>",
                                                         area_id="folkeskole")])
    data = write_committee_pack(build_committee_pack(751, "Børne- og Ungeudvalget", store=store, year=2022))
    ws = openpyxl.load_workbook(io.BytesIO(data or b""))["Forslag"]
    row = next(r for r in ws.iter_rows(min_row=2) if r[2].value == "Odense")
    assert row[4].data_type == "s" and row[4].value == "=HYPERLINK(\"http://x\")"
    assert row[5].value == "<script>alert(1)</script>"


def test_cli_export_and_udvalg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from raaderum.cli import app

    monkeypatch.setenv("RAADERUM_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite'}")
    runner = CliRunner()
    r = runner.invoke(app, ["ideas", "udvalg", "--kommune", "Aarhus", "--set", "folkeskole=Skoleudvalget"])
    assert r.exit_code == 0, r.output
    assert "Folkeskole: Skoleudvalget" in r.stdout and "SFO: Børne- og Ungeudvalget (standard)" in r.stdout
    out = tmp_path / "pakke.xlsx"
    r = runner.invoke(app, ["ideas", "export", "--kommune", "751", "--udvalg", "Skoleudvalget", "--xlsx", str(out)])
    assert r.exit_code == 0, r.output
    assert "Skoleudvalget i Aarhus" in r.stdout and "eksempeldata" in r.stdout
    wb = openpyxl.load_workbook(out)
    assert {row[0] for row in wb["Forslag"].iter_rows(min_row=2, values_only=True)} == {"Folkeskole"}
    r = runner.invoke(app, ["ideas", "export", "--kommune", "751", "--udvalg", "Rumfart", "--xlsx", str(out)])
    assert r.exit_code == 2 and "Kendte udvalg" in r.stderr
    r = runner.invoke(app, ["ideas", "udvalg", "--kommune", "751", "--set", "folkeskole"])
    assert r.exit_code == 2 and "OMRÅDE=Udvalgsnavn" in r.stderr
