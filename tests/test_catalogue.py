"""Issue 13, the råderumskatalog: totals per year, committee and scenario equal the sums of their proposals; adopting
from the idea bank keeps the link and the source; the status history is kept; optimistic locking gives the
conflict message; who may read; the embedded default's local user (and its refusal when accounts exist); the CLI.

SQLite and PostgreSQL (the ``engine`` fixture), the CLI on SQLite.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from raaderum.errors import ConflictError, InputError, PermissionDenied, ProposalNotFound
from raaderum.server import catalogue as cs
from raaderum.server import workspace as ws
from raaderum.store import catalogue as cstore
from raaderum.store.models import AuditEntry, CatalogueStatusChange, Proposal
from raaderum.store.models import User as UserRow

OWN, OTHER = 751, 101
PERIODS = ("b", "bo1", "bo2", "bo3")


def _catalogue(engine: Any, user: Any, name: str = "Råderumskatalog 2027", code: int = OWN) -> Any:
    return cs.create_catalogue(engine, user, code, 2027, name)


def _random_catalogue(engine: Any, user: Any, n: int = 40, seed: int = 7) -> tuple[Any, list[Any]]:
    rng = random.Random(seed)
    c = _catalogue(engine, user, f"Tilfældigt katalog {seed}")
    areas = ["folkeskole", "dagtilbud", "aeldre", "administration", "veje_trafik", "indkoeb", "sundhed"]
    props = []
    for i in range(n):
        fields: dict[str, Any] = {"title": f"Forslag {i}", "area_id": rng.choice(areas)}
        for p in PERIODS:
            if rng.random() < 0.85:
                fields[f"amount_{p}"] = str(rng.randint(-5000, 800))
        if rng.random() < 0.5:
            fields["one_off_investment"] = str(rng.randint(0, 2000))
        if rng.random() < 0.5:
            fields["staff_effect"] = f"{rng.randint(-40, 10) / 2}".replace(".", ",")
        props.append(cs.add_proposal(engine, user, c.id, fields))
    for p in props[::5]:
        cs.set_status(engine, user, p.id, p.version, rng.choice(["fravalgt", "udsat"]))
    return c, props


# ------------------------------------------------------------------------------------------------ totals


def test_totals_per_year_committee_and_scenario_equal_the_sums_of_their_proposals(engine: Any, users: Any) -> None:
    ed = users["editor"]
    c, _ = _random_catalogue(engine, ed)
    data = cstore.load_catalogue(engine, c.id)
    ids = [p.id for p in data.proposals]
    cs.create_scenario(engine, ed, c.id, "Scenarie A", proposal_ids=ids[::2])
    cs.create_scenario(engine, ed, c.id, "Scenarie B", proposal_ids=ids[1::3])
    cs.set_target(engine, ed, c.id, "", {"b": "-20.000", "bo3": "-40.000"}, 0)
    data = cstore.load_catalogue(engine, c.id)
    committees = data.committees()
    assert len(committees) >= 4
    for sd in [None, *data.scenarios]:
        selection = data.selection(sd)
        counted = [p for p in selection if p.status not in ("fravalgt", "udsat")]
        rows = data.totals(sd)
        assert rows[-1].committee == "" and [r.committee for r in rows[:-1]] == sorted({p.committee for p in selection})
        for r in rows:
            mine = [p for p in counted if not r.committee or p.committee == r.committee]
            for period in PERIODS:
                known = [getattr(p, f"amount_{period}") for p in mine if getattr(p, f"amount_{period}") is not None]
                assert r.amounts[period] == (pytest.approx(sum(known)) if known or not mine else None)
                assert r.unknown[period] == len(mine) - len(known)
            assert r.count == len(mine)
            assert r.one_off_investment == pytest.approx(sum(p.one_off_investment or 0 for p in mine))
            assert r.staff_effect == pytest.approx(sum(p.staff_effect or 0 for p in mine))
        # the committee rows add up to the whole selection
        for period in PERIODS:
            assert sum(r.amounts[period] or 0 for r in rows[:-1]) == pytest.approx(rows[-1].amounts[period] or 0)
        overall = rows[-1]
        assert overall.remaining["b"] == pytest.approx((overall.amounts["b"] or 0) + 20000)
        assert overall.remaining["bo1"] is None
        assert overall.reached("b") == ((overall.amounts["b"] or 0) <= -20000)
    # one committee only
    one = committees[0]
    rows = data.totals(committee=one.upper())
    assert [r.committee for r in rows] == [one]
    assert rows[0].count == len([p for p in data.proposals if p.committee == one and cstore.counts(p)])


def test_a_period_no_counted_proposal_has_an_amount_for_is_unknown_not_zero(engine: Any, users: Any) -> None:
    ed = users["editor"]
    c = _catalogue(engine, ed)
    cs.add_proposal(engine, ed, c.id, {"title": "Kun B", "area_id": "aeldre", "amount_b": "-1.250"})
    row = cstore.load_catalogue(engine, c.id).totals()[-1]
    assert row.amounts == {"b": -1250.0, "bo1": None, "bo2": None, "bo3": None}
    assert row.unknown == {"b": 0, "bo1": 1, "bo2": 1, "bo3": 1}


def test_amounts_are_read_in_danish_formats_and_savings_stay_negative(engine: Any, users: Any) -> None:
    ed = users["editor"]
    c = _catalogue(engine, ed)
    p = cs.add_proposal(engine, ed, c.id, {"title": "Formater", "amount_b": "-1.250", "amount_bo1": "-1.250,5",
                                           "amount_bo2": "+500", "amount_bo3": "1,5 mio.", "staff_effect": "-2,5",
                                           "one_off_investment": ""})
    assert (p.amount_b, p.amount_bo1, p.amount_bo2, p.amount_bo3) == (-1250.0, -1250.5, 500.0, 1500.0)
    assert p.staff_effect == -2.5 and p.one_off_investment is None
    assert p.committee == "Økonomiudvalget"  # no area: the finance committee, as for the themes
    with pytest.raises(InputError, match="B \\(budgetår\\)"):
        cs.add_proposal(engine, ed, c.id, {"title": "x", "amount_b": "ca. halvdelen"})
    with pytest.raises(InputError, match="kontroltegn"):
        cs.add_proposal(engine, ed, c.id, {"title": "bip\x07"})
    with pytest.raises(InputError, match="Udvalget"):
        cs.add_proposal(engine, ed, c.id, {"title": "x", "committee": "Udvalget for Alt"})


# ------------------------------------------------------------------------------------------------ the idea bank


def test_adopting_from_the_idea_bank_copies_the_text_and_keeps_the_link_and_source(engine: Any, users: Any) -> None:
    ed = users["editor"]
    c = _catalogue(engine, ed)
    src = ws.create_proposal(engine, users["other_editor"], OTHER, {
        "title": "Fælles indkøb af hjælpemidler", "description": "Et fælles udbud med nabokommunerne.",
        "area_id": "aeldre", "amount_b": "-300", "amount_bo1": "-900", "amount_bo2": "-900", "amount_bo3": "-900",
        "one_off_investment": "150", "budget_year": "2024"})
    p = cs.adopt_proposal(engine, ed, c.id, src.id)
    assert (p.title, p.description, p.area_id) == (src.title, src.description, "aeldre")
    assert (p.amount_b, p.amount_bo1, p.amount_bo3, p.one_off_investment) == (-300.0, -900.0, -900.0, 150.0)
    assert (p.source_proposal_id, p.source_municipality_code, p.source_municipality_name, p.source_budget_year,
            p.source_title) == (src.id, OTHER, "København", 2024, src.title)
    # the committee is the adopting municipality's own name for the area
    cs_engine_mapping = {e.area_id: e.committee for e in ws.committee_entries(engine, OWN)}
    assert p.committee == cs_engine_mapping["aeldre"]
    hist = cstore.status_history(engine, p.id)
    assert [(h.from_status, h.to_status) for h in hist] == [(None, "ide")]
    assert f"forslag nr. {src.id} fra København Kommune, budget 2024" in hist[0].note
    # everything can be rewritten; the link stays
    p2 = cs.edit_proposal(engine, ed, p.id, p.version, {"title": "Vores eget indkøbsforslag", "amount_bo3": "-1.200",
                                                        "consequences_service": "Ingen for borgerne."})
    assert p2.title == "Vores eget indkøbsforslag" and p2.amount_bo3 == -1200.0
    assert (p2.source_proposal_id, p2.source_title) == (src.id, src.title)
    # the source is untouched
    with Session(engine) as s:
        assert s.get(Proposal, src.id).title == "Fælles indkøb af hjælpemidler"
    # a report says where it came from
    from raaderum.reports.catalogue_report import build_report

    view = next(v for v in build_report(engine, c.id).proposals if v.id == p.id)
    assert "København Kommune" in view.source_text and f"nr. {src.id}" in view.source_text
    # adopting can override fields at once, and a withdrawn or missing source is refused
    p3 = cs.adopt_proposal(engine, ed, c.id, src.id, {"title": "Kopi med ny titel"})
    assert p3.title == "Kopi med ny titel" and p3.source_proposal_id == src.id
    with pytest.raises(ProposalNotFound):
        cs.adopt_proposal(engine, ed, c.id, 2147483000)
    ws.withdraw_proposal(engine, users["other_editor"], src.id, ws.get_proposal(engine, src.id).version)
    with pytest.raises(InputError, match="trukket tilbage"):
        cs.adopt_proposal(engine, ed, c.id, src.id)


def test_a_sample_source_is_labelled_as_sample_data(engine: Any, users: Any) -> None:
    from raaderum.reports.catalogue_report import build_report

    ed = users["editor"]
    c = _catalogue(engine, ed)
    with Session(engine) as s:
        sample_id = s.scalar(select(Proposal.id).where(Proposal.is_sample.is_(True)).limit(1))
    p = cs.adopt_proposal(engine, ed, c.id, sample_id)
    view = build_report(engine, c.id).proposals[0]
    assert view.id == p.id and view.source_is_sample and "eksempeldata" in view.source_text


# ------------------------------------------------------------------------------------------------ status, locking


def test_status_history_is_kept_with_dates_who_and_notes(engine: Any, users: Any) -> None:
    ed = users["editor"]
    c = _catalogue(engine, ed)
    p = cs.add_proposal(engine, ed, c.id, {"title": "Rehabilitering", "area_id": "aeldre", "amount_b": "-500"})
    for step, note in (("under_analyse", "Analyse bestilt"), ("i_kataloget", ""), ("I kataloget", "samme igen"),
                       ("vedtaget", "Budgetaftalen 2027")):
        p = cs.set_status(engine, ed, p.id, p.version, step, note)
    hist = cstore.status_history(engine, p.id)
    assert [(h.from_status, h.to_status, h.note) for h in hist] == [
        (None, "ide", "Oprettet i kataloget."), ("ide", "under_analyse", "Analyse bestilt"),
        ("under_analyse", "i_kataloget", ""), ("i_kataloget", "i_kataloget", "samme igen"),
        ("i_kataloget", "vedtaget", "Budgetaftalen 2027")]
    assert all(h.by == ed.name for h in hist)
    ats = [h.at.replace(tzinfo=None) for h in hist]
    assert ats == sorted(ats) and p.status_changed_at.replace(tzinfo=None) == ats[-1]
    before = len(cstore.status_history(engine, p.id))
    cs.set_status(engine, ed, p.id, p.version, "vedtaget")  # no change, no note: nothing written
    assert len(cstore.status_history(engine, p.id)) == before
    with pytest.raises(InputError, match="Ukendt status"):
        cs.set_status(engine, ed, p.id, p.version, "måske")
    # fravalgt and udsat leave the totals, and come back with another status
    p = cs.set_status(engine, ed, p.id, p.version, "fravalgt")
    assert cstore.load_catalogue(engine, c.id).totals()[-1].count == 0
    p = cs.set_status(engine, ed, p.id, p.version, "udsat")
    assert cstore.load_catalogue(engine, c.id).totals()[-1].excluded == 1


def test_optimistic_locking_gives_the_conflict_message_and_saves_nothing(engine: Any, users: Any) -> None:
    ed, op = users["editor"], users["operator"]
    c = _catalogue(engine, ed)
    p = cs.add_proposal(engine, ed, c.id, {"title": "Første udgave", "amount_b": "-100"})
    opened = p.version
    cs.edit_proposal(engine, op, p.id, opened, {"title": "Operatørens udgave"})
    with pytest.raises(ConflictError) as e:
        cs.edit_proposal(engine, ed, p.id, opened, {"title": "Redaktørens udgave"})
    msg = str(e.value)
    assert f"af {op.name}" in msg and "version 1" in msg and "version 2" in msg and "IKKE gemt" in msg
    assert cstore.get_proposal(engine, p.id).title == "Operatørens udgave"
    with pytest.raises(ConflictError, match=op.name):
        cs.set_status(engine, ed, p.id, opened, "vedtaget")
    # targets, scenarios and the catalogue itself lock the same way
    t = cs.set_target(engine, op, c.id, "", {"b": "-1.000"}, 0)
    with pytest.raises(ConflictError, match="Målet for hele kataloget"):
        cs.set_target(engine, ed, c.id, "", {"b": "-2.000"}, 0)
    cs.set_target(engine, ed, c.id, "", {"b": "-2.000"}, t.version)
    sc = cs.create_scenario(engine, ed, c.id, "A")
    cs.edit_scenario(engine, op, sc.id, sc.version, add=[p.id])
    with pytest.raises(ConflictError, match="Scenariet"):
        cs.edit_scenario(engine, ed, sc.id, sc.version, remove=[p.id])
    with pytest.raises(ConflictError, match="Scenariet"):
        cs.delete_scenario(engine, ed, sc.id, sc.version)
    cs.edit_catalogue(engine, op, c.id, c.version, name="Nyt navn")
    with pytest.raises(ConflictError, match="Kataloget"):
        cs.edit_catalogue(engine, ed, c.id, c.version, reference="national")


def test_scenario_membership_add_remove_and_replace(engine: Any, users: Any) -> None:
    ed = users["editor"]
    c = _catalogue(engine, ed)
    ps = [cs.add_proposal(engine, ed, c.id, {"title": f"F{i}", "amount_b": str(-100 * (i + 1))}) for i in range(4)]
    other = _catalogue(engine, ed, "Et andet katalog")
    foreign = cs.add_proposal(engine, ed, other.id, {"title": "Fremmed"})
    sc = cs.create_scenario(engine, ed, c.id, "Scenarie A: uden serviceforringelser", proposal_ids=[ps[0].id])
    sc = cs.edit_scenario(engine, ed, sc.id, sc.version, add=[ps[1].id, ps[2].id], remove=[ps[0].id])
    data = cstore.load_catalogue(engine, c.id)
    sd = data.scenario("scenarie a: UDEN serviceforringelser")
    assert sd.members == {ps[1].id, ps[2].id}
    assert data.totals(sd)[-1].amounts["b"] == -500.0
    sc = cs.edit_scenario(engine, ed, sc.id, sc.version, proposal_ids=[ps[3].id])
    assert cstore.load_catalogue(engine, c.id).scenario(sc.id).members == {ps[3].id}
    with pytest.raises(InputError, match="ikke i dette katalog"):
        cs.edit_scenario(engine, ed, sc.id, sc.version, add=[foreign.id])
    with pytest.raises(InputError, match="allerede et scenarie"):
        cs.create_scenario(engine, ed, c.id, "Scenarie A: uden serviceforringelser")


# ------------------------------------------------------------------------------------------------ who may


def test_editors_write_their_own_readers_read_others_see_nothing(engine: Any, users: Any) -> None:
    ed, rd, kbh = users["editor"], users["reader"], users["other_editor"]
    c = _catalogue(engine, ed)
    p = cs.add_proposal(engine, ed, c.id, {"title": "Eget"})
    for who in (rd, kbh, None):
        with pytest.raises(PermissionDenied):
            cs.add_proposal(engine, who, c.id, {"title": "Fremmed"})
        with pytest.raises(PermissionDenied):
            cs.set_status(engine, who, p.id, p.version, "vedtaget")
        with pytest.raises(PermissionDenied):
            cs.create_catalogue(engine, who, OWN, 2027, "Forsøg")
    assert cs.can_read(rd, OWN) and cs.can_read(ed, OWN) and cs.can_read(users["operator"], OWN)
    assert not cs.can_read(kbh, OWN) and not cs.can_read(None, OWN)
    with pytest.raises(PermissionDenied, match="egen kommune"):
        cs.require_read(kbh, OWN)
    # the operator may act for any municipality
    cs.add_proposal(engine, users["operator"], c.id, {"title": "Operatørens"})


def test_every_change_writes_exactly_one_audit_row_naming_the_catalogue_municipality(engine: Any, users: Any) -> None:
    ed = users["editor"]
    with Session(engine) as s:
        last = s.scalar(select(func.coalesce(func.max(AuditEntry.id), 0)))
    c = _catalogue(engine, ed)
    p = cs.add_proposal(engine, ed, c.id, {"title": "A", "area_id": "aeldre"})
    p = cs.set_status(engine, ed, p.id, p.version, "under_analyse")
    cs.set_target(engine, ed, c.id, "", {"b": "-1"}, 0)
    link = cs.create_share_link(engine, ed, c.id)
    cs.revoke_share_link(engine, ed, link.token)
    with Session(engine) as s:
        rows = list(s.scalars(select(AuditEntry).where(AuditEntry.id > last).order_by(AuditEntry.id)))
    assert [r.action for r in rows] == ["catalogue.create", "catalogue.proposal.add", "catalogue.status",
                                        "catalogue.target", "catalogue.share", "catalogue.unshare"]
    assert {r.municipality_code for r in rows} == {OWN} and {r.user_name for r in rows} == {ed.name}
    assert link.token not in repr([(r.before, r.after, r.entity_id) for r in rows])


# ------------------------------------------------------------------------------------------------ the local user


LOCAL = ("127.0.0.1", "127.0.0.1:8000")


@pytest.mark.parametrize("app_url", ["sqlite"], indirect=True)
def test_local_user_exists_only_without_accounts_and_only_from_the_loopback(app_url: str) -> None:
    from raaderum.store.engine import make_engine

    engine = make_engine(app_url)
    try:
        actor = cs.local_actor(engine, *LOCAL)
        assert actor is not None and actor.role == "editor" and actor.municipality_code is None
        assert actor.name == cs.LOCAL_ACTOR_NAME and actor.id is None
        for client, host in (("10.0.0.7", "127.0.0.1:8000"), ("127.0.0.1", "raaderum.example.dk"),
                             ("127.0.0.1", "evil.example:8000"), (None, None), ("testclient", "testserver")):
            assert cs.local_actor(engine, client, host) is None, (client, host)
        assert cs.local_actor(engine, "::1", "[::1]:8000") is not None
        assert cs.local_actor(engine, "127.0.0.1", "localhost") is not None
        with pytest.raises(PermissionDenied):
            cs.choose_local_municipality(engine, "10.0.0.7", "127.0.0.1", "Aarhus")
        row = cs.choose_local_municipality(engine, *LOCAL, "Aarhus")
        assert row.municipality_code == OWN
        actor = cs.local_actor(engine, *LOCAL)
        assert actor is not None and actor.municipality_code == OWN
        c = cs.create_catalogue(engine, actor, OWN, 2027, "Lokalt katalog")
        with pytest.raises(PermissionDenied):
            cs.create_catalogue(engine, actor, OTHER, 2027, "Andres katalog")
        with Session(engine) as s:
            e = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
            assert (e.action, e.user_name, e.user_id, e.entity_id) == ("catalogue.create", cs.LOCAL_ACTOR_NAME,
                                                                       None, str(c.id))
        # one account exists: the local user is gone, and the choice cannot be made any more
        from conftest_accounts import make_user

        make_user(engine, "foerste-bruger", "reader", OWN)
        assert cs.local_actor(engine, *LOCAL) is None
        with pytest.raises(PermissionDenied, match="log ind"):
            cs.choose_local_municipality(engine, *LOCAL, "København")
        with Session(engine) as s:
            assert s.scalar(select(func.count()).select_from(UserRow)) == 1
    finally:
        engine.dispose()


# ------------------------------------------------------------------------------------------------ the CLI


def _cli(args: list[str]) -> Any:
    import raaderum.cli

    return CliRunner().invoke(raaderum.cli.app, args)


@pytest.mark.parametrize("app_url", ["sqlite"], indirect=True)
def test_cli_from_new_catalogue_to_export_and_follow_up(app_url: str, tmp_path: Any) -> None:
    r = _cli(["katalog", "show"])
    assert r.exit_code == 2 and "ingen råderumskataloger" in r.stderr
    r = _cli(["katalog", "new", "--kommune", "Herning", "--budgetaar", "2019", "--navn", "Råderumskatalog 2019"])
    assert r.exit_code == 0, r.output
    cid = int(r.stdout.strip())
    r = _cli(["katalog", "add", "--titel", "Fælles administrativt servicecenter", "--omraade", "administration",
              "--b", "-5.000", "--bo1", "-10.000", "--bo2", "-15.000", "--bo3", "-15.000", "--aarsvaerk", "-25"])
    assert r.exit_code == 0, r.output
    pid = int(r.stdout.strip())
    r = _cli(["katalog", "add", "--fra-idebank", "3", "--json"])
    assert r.exit_code == 0, r.output
    adopted = json.loads(r.stdout)
    assert adopted["proposal"]["source_proposal_id"] == 3 and adopted["catalogue_id"] == cid
    r = _cli(["katalog", "set", str(pid), "--ansvarlig", "Økonomichefen", "--service", "Ingen"])
    assert r.exit_code == 0 and "version 2" in r.stdout, r.output
    r = _cli(["katalog", "set", str(pid), "--titel", "x", "--version", "1"])
    assert r.exit_code == 2 and "IKKE gemt" in r.stderr
    r = _cli(["katalog", "status", str(pid), "vedtaget", "--note", "Budgetaftalen", "--json"])
    assert r.exit_code == 0, r.output
    assert [h["to"] for h in json.loads(r.stdout)["history"]] == ["ide", "vedtaget"]
    r = _cli(["katalog", "target", "--b", "-20.000", "--bo1", "-30.000"])
    assert r.exit_code == 0 and "B -20.000, BO1 -30.000" in r.stdout, r.output
    r = _cli(["katalog", "target", "--udvalg", "økonomiudvalget", "--b", "-5.000"])
    assert r.exit_code == 0 and "Økonomiudvalget" in r.stdout, r.output
    r = _cli(["katalog", "scenario", "Scenarie A", "--tilfoej", f"{pid}"])
    assert r.exit_code == 0, r.output
    r = _cli(["katalog", "scenario", "Scenarie B", "--tilfoej", f"{pid},{adopted['id']}", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["proposal_ids"] == sorted([pid, adopted["id"]])
    r = _cli(["katalog", "show", "--json"])
    assert r.exit_code == 0, r.output
    shown = json.loads(r.stdout)
    total = shown["totals"][-1]
    assert total["amounts"]["b"] == -5000.0 + adopted["proposal"]["amount_b"]
    assert total["target"]["b"] == -20000.0 and total["remaining"]["b"] == total["amounts"]["b"] + 20000.0
    assert {p["id"] for p in shown["proposals"]} == {pid, adopted["id"]}
    r = _cli(["katalog", "show", "--scenario", "Scenarie A", "--scenario", "Scenarie B", "--json"])
    assert r.exit_code == 0, r.output
    both = json.loads(r.stdout)["comparison"]
    assert [b["scenario"]["name"] for b in both] == ["Scenarie A", "Scenarie B"]
    assert both[0]["totals"][-1]["amounts"]["b"] == -5000.0
    r = _cli(["katalog", "show", "--scenario", "Scenarie A"])
    assert r.exit_code == 0 and "-5.000" in r.stdout and "ikke nået" in r.stdout, r.output
    for fmt in ("pdf", "docx", "xlsx"):
        out = tmp_path / f"u.{fmt}"
        r = _cli(["katalog", "export", "--format", fmt, "--udvalg", "Økonomiudvalget", "--scenario", "Scenarie B",
                  "--out", str(out)])
        assert r.exit_code == 0, r.output
        assert out.stat().st_size > 1000
    assert (tmp_path / "u.pdf").read_bytes()[:5] == b"%PDF-"
    r = _cli(["katalog", "export", "--format", "odt", "--out", str(tmp_path / "x.odt")])
    assert r.exit_code == 2 and "pdf, docx eller xlsx" in r.stderr
    r = _cli(["katalog", "opfoelgning", "--json"])
    assert r.exit_code == 0, r.output
    f = json.loads(r.stdout)
    area = next(a for a in f["areas"] if a["area_id"] == "administration")
    assert [y["year"] for y in area["followup"]["years"]] == [2019, 2020, 2021, 2022]
    assert area["followup"]["years"][0]["expected"] == -5000.0
    assert area["followup"]["years"][0]["observed"] < 0
    r = _cli(["katalog", "opfoelgning"])
    assert r.exit_code == 0 and "observeret udvikling i regnskabet" in r.stdout and "ikke bevis" in r.stdout
    # a second catalogue: the commands now ask for --katalog
    r = _cli(["katalog", "new", "--kommune", "Aarhus", "--budgetaar", "2027", "--navn", "Aarhus 2027", "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["municipality"] == {"code": 751, "name": "Aarhus"}
    r = _cli(["katalog", "show"])
    assert r.exit_code == 2 and "--katalog" in r.stderr
    r = _cli(["katalog", "show", "--katalog", str(cid), "--json"])
    assert r.exit_code == 0 and json.loads(r.stdout)["catalogue"]["id"] == cid
    r = _cli(["katalog", "list", "--json"])
    assert len(json.loads(r.stdout)["catalogues"]) == 2
    # the CLI acts as the system actor, audited
    from raaderum.store.engine import make_engine

    engine = make_engine(app_url)
    try:
        with Session(engine) as s:
            actions = [(e.action, e.user_name) for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
            steps = s.scalar(select(func.count()).select_from(CatalogueStatusChange))
    finally:
        engine.dispose()
    assert ("catalogue.create", "system:cli") in actions and ("catalogue.status", "system:cli") in actions
    assert {u for a, u in actions if a.startswith("catalogue")} == {"system:cli"}
    assert steps == 3  # two creations and one status change
