"""Backup → wipe → restore gives identical data (SQLite and PostgreSQL, and across the two), through the core and
the `raaderum backup` / `raaderum restore` commands."""

from __future__ import annotations

import json
from pathlib import Path

import conftest_accounts as ca
import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

import raaderum.cli
import raaderum.cli.backup
import raaderum.cli.db
import raaderum.cli.users  # noqa: F401  (registers the commands until the lead does)
from raaderum.server import workspace as ws
from raaderum.server.sessions import create_session
from raaderum.store.backup import EXCLUDED, TABLES, BackupError, backup, dump, read_backup, restore, row_counts
from raaderum.store.engine import make_engine, migrate


def populate(engine: Engine) -> None:
    """Something in every table, including unicode, markup, nulls and JSON with nested values."""
    from raaderum.server import catalogue as cs

    cs.choose_local_municipality(engine, "127.0.0.1", "127.0.0.1", ca.OWN)  # before any account exists
    users = ca.standard_users(engine)
    ed, op = users["editor"], users["operator"]
    item = ws.add_to_shortlist(engine, ed, ca.OWN, ca.sample_proposal(engine, ca.OTHER), comment="Æblegrød <b>")
    ws.update_shortlist_item(engine, ed, item.id, item.version, status="fravalgt")
    rec = ws.create_proposal(engine, ed, ca.OWN, {"title": "Ny idé ø", "amount_b": "-12,5", "area_id": "aeldre"})
    ws.edit_proposal(engine, ed, rec.id, rec.version, {"description": "Linje 1\nLinje 2"})
    ws.withdraw_proposal(engine, op, rec.id, rec.version + 1)
    ws.create_share_link(engine, ed, ca.OWN)
    ws.set_committee_audited(engine, ed, ca.OWN, "folkeskole", "Udvalget for Læring")
    ws.set_note(engine, ed, ca.OWN, "Noter 📝", 0)
    from raaderum.ideas.levers import load_levers
    from raaderum.server.levers import save_lever

    lv = load_levers()[0]
    save_lever(engine, op, lv.id, {"title": lv.title + " ✓", "summary": lv.summary, "body": lv.body,
                                   "areas": "\n".join(lv.areas), "idea_types": "\n".join(lv.idea_types),
                                   "key_figures": "\n".join(lv.key_figures), "questions": "\n".join(lv.questions),
                                   "time_to_effect": lv.time_to_effect, "requires_investment": lv.requires_investment},
               0)
    from raaderum.ideas.layouts import LayoutProfile
    from raaderum.store.import_profiles import save_profile

    save_profile(engine, LayoutProfile(name="Kommunens layout ✓", signature="a" * 64, header_height=2,
                                       columns={"A": "municipality", "B": "title", "C": None},
                                       labels={"A": "Kommunenavn", "B": "Titel", "C": "Status"}, unit="kr",
                                       savings_positive=True), user_name=op.name)
    cat = cs.create_catalogue(engine, ed, ca.OWN, 2027, "Råderumskatalog ✓ <b>")
    cp = cs.adopt_proposal(engine, ed, cat.id, ca.sample_proposal(engine, ca.OTHER),
                           {"consequences_staff": "Linje 1\nLinje 2", "staff_effect": "-2,5"})
    cs.set_status(engine, ed, cp.id, cp.version, "under_analyse", "Bemærkning ø")
    cs.set_target(engine, ed, cat.id, "", {"b": "-1.250,5"}, 0)
    cs.create_scenario(engine, ed, cat.id, "Scenarie A", proposal_ids=[cp.id])
    cs.create_share_link(engine, ed, cat.id)
    from raaderum.server import network as net

    contact = net.create_contact(engine, ed, ca.OWN, {"name": "Anne Jensen ✓", "email": "aj@aarhus.dk"})
    net.set_mark(engine, ed, ca.OWN, "proposal", ca.sample_proposal(engine, ca.OTHER), status="i_gang",
                 contact_id=contact.id, note="<i>ø</i>")
    net.create_experience(engine, ed, ca.OWN, {"title": "Erfaring ✓", "lever_id": lv.id,
                                               "catalogue_proposal_id": cp.id, "realised": "2025: -1.250,5",
                                               "contact_id": contact.id, "public": True})
    n = net.create_network(engine, op, "Råderumsnetværk Øst ✓", municipalities=[ca.OWN, ca.OTHER],
                           coordinators=[users["reader"].name])
    net.create_meeting(engine, op, n.id, {"title": "Møde 1", "held_on": "2027-03-15", "agenda": "1.\n2."})
    net.share(engine, ed, n.id, ca.OWN, "shortlist")
    from raaderum.store.models import AppSecret, DigestSend, DigestSubscription
    from raaderum.store.transactions import transaction

    with transaction(engine) as s:  # the digest's own rows (its services are tested in tests/test_digest.py)
        s.add(AppSecret(name="link_signing", value="b" * 64))
        s.add(DigestSubscription(user_id=ed.id, email="ed@aarhus.dk", email_opt_in=True, areas=["aeldre"],
                                 committees=["Udvalget for Læring"], link_key="k" * 32))
        s.add(DigestSend(user_id=ed.id, month="2026-11", status="sent", email="ed@aarhus.dk", items=3,
                         message_id="<a@b>", error=""))
    create_session(engine, ed)  # sessions are not backed up


def _tables(engine: Engine, *, without_restore_audit: bool = False) -> dict:  # type: ignore[type-arg]
    tables = dump(engine)["tables"]
    if without_restore_audit:  # `raaderum restore` audits itself: leave its own rows out of the comparison
        log = tables["audit_log"]
        action = log["columns"].index("action")
        log["rows"] = [r for r in log["rows"] if r[action] != "backup.restore"]
        log["count"] = len(log["rows"])
    return tables


def test_backup_wipe_restore_is_identical(engine: Engine, tmp_path: Path) -> None:
    populate(engine)
    before = _tables(engine)
    assert all(before[t]["count"] > 0 for t in TABLES), {t: before[t]["count"] for t in TABLES}
    path = tmp_path / "backup.json"
    counts = backup(engine, path)
    assert counts == {t: before[t]["count"] for t in TABLES}
    data = read_backup(path)
    from alembic.script import ScriptDirectory

    from raaderum.store.engine import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert data["schema_revision"] == head and set(data["tables"]) == set(TABLES)
    assert not set(EXCLUDED) & set(data["tables"])
    with pytest.raises(BackupError, match="ikke tom"):
        restore(engine, path)  # refuses to mix with existing data
    restore(engine, path, wipe=True)
    assert _tables(engine) == before
    assert row_counts(engine)["sessions"] == 0  # everyone logs in again
    # sequences continue after the restored ids (PostgreSQL), and the app works on the restored data
    users = {u: ca.make_user(engine, f"efter-{u}", "editor", ca.OWN) for u in ("a",)}
    rec = ws.create_proposal(engine, users["a"], ca.OWN, {"title": "Efter gendannelsen"})
    assert rec.id > max(r[0] for r in before["proposals"]["rows"])


def test_restore_into_a_fresh_database_and_across_backends(engine: Engine, app_url: str, tmp_path: Path,
                                                           postgres_base_url: str) -> None:
    populate(engine)
    before = _tables(engine)
    path = tmp_path / "backup.json"
    backup(engine, path)
    # a brand-new, unmigrated database of the other kind
    if app_url.startswith("sqlite"):
        import uuid

        schema = f"raaderum_t_{uuid.uuid4().hex[:12]}"
        admin = make_engine(postgres_base_url)
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        target_url = f"{postgres_base_url}?options=-csearch_path%3D{schema}"
    else:
        admin, schema = None, None
        target_url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
    target = make_engine(target_url)
    try:
        restore(target, path)
        assert _tables(target) == before
    finally:
        target.dispose()
        if admin is not None:
            with admin.begin() as conn:
                conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
            admin.dispose()


def test_restore_refuses_newer_schema_and_broken_files(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "backup.json"
    backup(engine, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    before = _tables(engine)
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({**data, "schema_revision": "0099_future"}), encoding="utf-8")
    with pytest.raises(BackupError, match="nyere databaseversion"):
        restore(engine, newer, wipe=True)
    cut = tmp_path / "cut.json"
    data["tables"]["proposals"]["rows"] = data["tables"]["proposals"]["rows"][:-1]
    cut.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(BackupError, match="ufuldstændig"):
        restore(engine, cut, wipe=True)
    junk = tmp_path / "junk.json"
    junk.write_text("ikke json", encoding="utf-8")
    with pytest.raises(BackupError, match="ikke en Råderum-backup"):
        restore(engine, junk, wipe=True)
    with pytest.raises(BackupError, match="findes ikke"):
        restore(engine, tmp_path / "mangler.json")
    assert _tables(engine) == before  # nothing was touched


def test_restore_is_one_transaction(engine: Engine, tmp_path: Path) -> None:
    populate(engine)
    path = tmp_path / "backup.json"
    backup(engine, path)
    before = _tables(engine)
    data = json.loads(path.read_text(encoding="utf-8"))
    rows = data["tables"]["shortlist_items"]["rows"]
    rows.append(list(rows[0]))  # a duplicate primary key: fails late, after other tables were inserted
    data["tables"]["shortlist_items"]["count"] = len(rows)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(Exception):  # noqa: B017 - the database's integrity error, whatever the backend calls it
        restore(engine, bad, wipe=True)
    assert _tables(engine) == before  # the wipe was rolled back too


def test_cli_backup_and_restore(app_url: str, engine: Engine, tmp_path: Path) -> None:
    populate(engine)
    before = _tables(engine)
    path = tmp_path / "cli-backup.json"
    runner = CliRunner()
    r = runner.invoke(raaderum.cli.app, ["backup", str(path)])
    assert r.exit_code == 0, r.output
    assert "proposals" in r.output
    with Session(engine) as s, s.begin():  # wipe
        for name in reversed(TABLES):
            s.execute(text(f"DELETE FROM {name}"))
    assert _tables(engine) != before
    r = runner.invoke(raaderum.cli.app, ["restore", str(path)])
    assert r.exit_code == 0, r.output  # the wiped database is empty: no --yes needed
    assert _tables(engine, without_restore_audit=True) == before
    r = runner.invoke(raaderum.cli.app, ["restore", str(path)])
    assert r.exit_code == 2 and "--yes" in r.output
    r = runner.invoke(raaderum.cli.app, ["restore", str(path), "--yes"])
    assert r.exit_code == 0 and _tables(engine, without_restore_audit=True) == before


def test_restore_is_a_service_with_its_audit_row_in_the_same_transaction(engine: Engine, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from raaderum.errors import PermissionDenied
    from raaderum.server.backups import restore_backup
    from raaderum.server.permissions import SYSTEM_ACTOR
    from raaderum.store import audit

    populate(engine)
    from raaderum.server.accounts import get_user

    with Session(engine, expire_on_commit=False) as s:
        users = {role: get_user(s, name) for role, name in
                 (("editor", "aarhus-redaktoer"), ("reader", "aarhus-laeser"), ("operator", "operatoer"))}
    path = tmp_path / "b.json"
    backup(engine, path)
    before = _tables(engine)
    for role in ("editor", "reader"):  # refused: nothing changes, nothing is written
        with pytest.raises(PermissionDenied):
            restore_backup(engine, users[role], path, wipe=True)
        assert _tables(engine) == before

    def crash(*a: object, **k: object) -> None:
        raise RuntimeError("kill between the restored rows and the audit row")

    with monkeypatch.context() as m:
        m.setattr(audit, "record", crash)
        with pytest.raises(RuntimeError):
            restore_backup(engine, SYSTEM_ACTOR, path, wipe=True)
    assert _tables(engine) == before  # rolled back as one
    counts = restore_backup(engine, users["operator"], path, wipe=True)
    after = _tables(engine)
    log = after["audit_log"]
    rows = [dict(zip(log["columns"], r, strict=True)) for r in log["rows"] if r[log["columns"].index("action")]
            == "backup.restore"]
    assert len(rows) == 1 and rows[0]["user_name"] == users["operator"].name
    assert rows[0]["after"]["rows"] == counts and rows[0]["after"]["file"] == "b.json"
    assert _tables(engine, without_restore_audit=True) == before


def test_backup_of_an_unmigrated_database_says_so(tmp_path: Path) -> None:
    eng = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    try:
        with pytest.raises(BackupError, match="ikke oprettet"):
            backup(eng, tmp_path / "x.json")
        migrate(engine=eng)
        assert backup(eng, tmp_path / "x.json")["proposals"] == 0
    finally:
        eng.dispose()
