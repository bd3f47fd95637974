"""The idea store, run against SQLite and PostgreSQL (the `store` fixture is parametrised over both)."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest_ideas import HEADER, row, write_xlsx
from sqlalchemy import inspect, text

from raaderum.ideas import SAMPLE_BATCH_NAME, ProposalNotFound, SearchFilters
from raaderum.ideas.records import ProposalRecord
from raaderum.store.engine import current_revision, database_url, make_engine, migrate
from raaderum.store.ideas import IdeaStore
from raaderum.store.models import Base


def _workbook(tmp_path: Path) -> Path:
    rows = [["Idébank, budget 2020"], HEADER,
            row(kommune="Århus", title="Hverdagsrehabilitering", b=-100, bo1=None, bo2="ej opgjort", bo3=0),
            row(kommune="Vejle", title="Vejbelysning til LED", area="Veje", typ="Investering", b=500, bo1=-200,
                one_off=1500),
            row(kommune="Gotham", title="Afvises"),
            ["I alt", None, None, None, None, None, None, 400]]
    return write_xlsx(tmp_path / "idebank.xlsx", {"Forslag": rows})


def test_migrate_is_idempotent_and_schema_matches_models(store: IdeaStore) -> None:
    store.migrate()
    from alembic.script import ScriptDirectory

    from raaderum.store.engine import alembic_config

    assert current_revision(store.engine) == ScriptDirectory.from_config(alembic_config()).get_current_head()
    names = set(inspect(store.engine).get_table_names())
    assert {"import_batches", "proposals", "committee_mappings", "alembic_version"} <= names
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_import_dry_run_then_import_then_reimport(store: IdeaStore, tmp_path: Path) -> None:
    path = _workbook(tmp_path)
    dry = store.import_workbook(path, dry_run=True)
    assert dry.dry_run and dry.counts()["imported"] == 2 and store.count() == 0 and store.batches() == []
    report = store.import_workbook(path)
    c = report.counts()
    assert (c["imported"], c["rejected"], c["skipped"]) == (2, 1, 2)
    assert store.count() == 2 and report.batch_id is not None
    (batch,) = store.batches()
    assert (batch.file_name, batch.rows_imported, batch.rows_rejected, batch.is_sample) == ("idebank.xlsx", 2, 1,
                                                                                            False)
    assert len(batch.file_sha256) == 64
    again = store.import_workbook(path)
    assert again.counts()["imported"] == 0 and store.count() == 2 and len(store.batches()) == 1
    assert all("findes allerede" in o.reason for o in again.skipped if o.row in (3, 4))


def test_stored_fields_nulls_signs_and_source(store: IdeaStore, tmp_path: Path) -> None:
    store.import_workbook(_workbook(tmp_path))
    first, second = store.list()
    assert (first.municipality_code, first.municipality_name, first.budget_year) == (751, "Aarhus", 2020)
    assert first.amounts == (-100.0, None, None, 0.0)  # unknown stays None; an explicit 0 stays 0
    assert first.one_off_investment is None
    assert (first.source_file, first.source_sheet, first.source_row) == ("idebank.xlsx", "Forslag", 3)
    assert (second.area_id, second.area_text, second.type_id) == ("veje_trafik", "Veje", "investering")
    assert second.amounts[:2] == (500.0, -200.0) and second.one_off_investment == 1500.0
    assert store.get(second.id) == second
    assert first.version == 1 and first.created_at is not None and not first.is_sample
    with pytest.raises(ProposalNotFound):
        store.get(99999)


def test_sample_is_loaded_once_and_labelled(store: IdeaStore) -> None:
    added = store.ensure_sample()
    assert added >= 150 and store.count() == added
    assert store.ensure_sample() == 0
    records = store.list()
    assert all(r.is_sample for r in records)
    assert len({r.municipality_code for r in records}) >= 40
    assert {r.budget_year for r in records} == {2019, 2020}
    (batch,) = store.batches()
    assert batch.file_name == SAMPLE_BATCH_NAME and batch.is_sample
    assert records[0].to_dict()["sample_label"] == "Eksempeldata"
    facets = store.facets()
    assert sum(v.count for v in facets["year"]) == added
    assert sum(v.count for v in facets["area"]) == added
    assert store.remove_sample() == added and store.count() == 0 and store.batches() == []


def test_search_similar_and_clusters_through_the_store(store: IdeaStore) -> None:
    store.ensure_sample()
    result = store.search("gadelys", SearchFilters(year=2019))
    assert result.hits and all(h.record.budget_year == 2019 for h in result.hits)
    assert "belysning" in result.hits[0].record.title.lower()
    base = result.hits[0].id
    sims = store.similar(base, 3)
    assert sims and base not in [s.id for s in sims]
    assert any(len(c.municipalities) > 1 for c in store.clusters(0.5))
    # The index follows the store: new proposals are searchable at once.
    rec = ProposalRecord(municipality_code=101, municipality_name="København", budget_year=2020,
                         title="Zebraovergange med solcelledrevne lamper", description="Test.")
    store.add_batch("ny.xlsx", "0" * 64, [rec])
    assert store.search("zebraovergange").hits[0].record.title.startswith("Zebraovergange")


def test_add_batch_skips_known_content(store: IdeaStore) -> None:
    rec = ProposalRecord(municipality_code=101, municipality_name="København", budget_year=2020, title="A")
    batch, stored = store.add_batch("a.xlsx", "1" * 64, [rec, rec])
    assert batch is not None and len(stored) == 1 and stored[0].id is not None
    batch2, stored2 = store.add_batch("b.xlsx", "2" * 64, [rec])
    assert batch2 is None and stored2 == [] and store.count() == 1


def test_unmigrated_database_gives_a_clear_error(db_url: str, register: object) -> None:
    s = IdeaStore(db_url)
    try:
        with pytest.raises(Exception, match="Kør migreringen"):
            s.count()
    finally:
        s.close()


def test_database_url_default_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAADERUM_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("RAADERUM_DATABASE_URL", raising=False)
    url = database_url()
    assert url == f"sqlite:///{tmp_path / 'home' / 'raaderum.sqlite'}" and (tmp_path / "home").is_dir()
    monkeypatch.setenv("RAADERUM_DATABASE_URL", "postgresql+psycopg://x@localhost/y")
    assert database_url() == "postgresql+psycopg://x@localhost/y"


def test_sqlite_engine_uses_wal_and_foreign_keys(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'sub' / 'db.sqlite'}"
    migrate(url)
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        engine.dispose()
