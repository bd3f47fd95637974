"""The idea bank's storage: proposals and import batches in the app store (SQLite file or PostgreSQL).

    >>> store = IdeaStore()                 # RAADERUM_DATABASE_URL, or $RAADERUM_HOME/raaderum.sqlite  # doctest: +SKIP
    >>> store.migrate()                      # doctest: +SKIP
    >>> report = store.import_workbook("idebank_2020.xlsx", dry_run=True)  # doctest: +SKIP
    >>> store.search("gadelys").hits[0].record.title  # doctest: +SKIP

Re-importing a file adds nothing: every proposal has a content hash (municipality, year, texts, amounts), unique
in the table, and rows whose hash is already stored are reported as skipped.

The search index is kept in a file under ``$RAADERUM_HOME/search-index/`` (one per database URL), keyed by the
store's revision: a new process (a CLI search, a server worker) loads it instead of rebuilding, and when the store
has changed since, only the added, changed and removed proposals are applied (:meth:`SearchIndex.updated`).
"""

from __future__ import annotations

import builtins
import functools
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import DateTime, Integer, delete, func, insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from raaderum import config
from raaderum.errors import IndexFileChanged, StoreError  # StoreError re-exported
from raaderum.ideas.records import SAMPLE_BATCH_NAME, BatchInfo, ProposalRecord
from raaderum.ideas.search import (
    Cluster,
    FacetValue,
    ProposalNotFound,
    SearchFilters,
    SearchIndex,
    SearchResult,
    SimilarHit,
)
from raaderum.store.engine import database_url, ensure_schema, make_engine, migrate, migrations_dir
from raaderum.store.quick_search import REVISION_SQL, index_path, url_hash

if TYPE_CHECKING:  # the workbook reader (openpyxl) is loaded only to import; the ORM (below) only to read or write
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from raaderum.ideas.excel_import import ImportReport
    from raaderum.ideas.layouts import LayoutProfile, SheetOverrides
    from raaderum.release.municipalities import MunicipalityRegister
    from raaderum.store.models import ImportBatch

# A CLI search of a persisted index needs the database only for the store's revision (one Core query below). The
# ORM (sqlalchemy.orm and the app store's 30-odd mapped classes: a third of a second to import and configure) is
# imported by the methods that read or write rows, on their first call.

_COLUMNS = ("municipality_code", "municipality_name", "budget_year", "area_id", "area_text", "committee_text",
            "title", "description", "type_id", "type_text", "amount_b", "amount_bo1", "amount_bo2", "amount_bo3",
            "one_off_investment", "contact", "source_file", "source_sheet", "source_row", "batch_id",
            "content_hash", "is_sample", "created_at", "updated_at", "version", "source_ref", "source_fields")


@functools.lru_cache(maxsize=1)
def _table_columns() -> tuple[Any, ...]:
    """The proposals table's columns in record order (for Core selects of whole records)."""
    from raaderum.store.models import Proposal  # lazy: the ORM only when rows are read

    return tuple(Proposal.__table__.c[c] for c in ("id", *_COLUMNS))


#: The store's revision in one Core statement, typed as the ORM would type it (so a revision read here equals one
#: read through the mapped class: the persisted index's key compares equal).
_REVISION_SQL = text(REVISION_SQL).columns(
    n=Integer(), max_id=Integer(), updated=DateTime(timezone=True))
_ANY_SQL = text("SELECT 1 FROM proposals LIMIT 1")


def _to_record(p: Any) -> ProposalRecord:
    """A record from an ORM row or a Core row (``select(*_table_columns())``)."""
    m = p._mapping if hasattr(p, "_mapping") else None
    d = {c: (m[c] if m is not None else getattr(p, c)) for c in _COLUMNS}
    d["source_fields"] = dict(d["source_fields"] or {})
    d["source_ref"] = d["source_ref"] or ""
    return ProposalRecord(**d, id=m["id"] if m is not None else p.id)


def _batch_info(b: ImportBatch) -> BatchInfo:
    return BatchInfo(id=b.id, file_name=b.file_name, file_sha256=b.file_sha256, imported_at=b.imported_at,
                     rows_total=b.rows_total, rows_imported=b.rows_imported, rows_rejected=b.rows_rejected,
                     rows_skipped=b.rows_skipped, is_sample=b.is_sample)




@functools.lru_cache(maxsize=1)
def _head_revision() -> str | None:
    """The newest migration's revision, read from the migration files (the one no other file revises)."""
    revisions: dict[str, str | None] = {}
    for path in (migrations_dir() / "versions").glob("*.py"):
        src = path.read_text(encoding="utf-8")
        rev = re.search(r'^revision\s*=\s*["\']([^"\']+)["\']', src, re.M)
        down = re.search(r'^down_revision\s*=\s*(?:["\']([^"\']+)["\']|None)', src, re.M)
        if rev:
            revisions[rev.group(1)] = down.group(1) if down else None
    heads = set(revisions) - {d for d in revisions.values() if d}
    return heads.pop() if len(heads) == 1 else None


class IdeaStore:
    """Proposals in the app store at ``url`` (default :func:`raaderum.store.engine.database_url`)."""

    def __init__(self, url: str | None = None, *, register: MunicipalityRegister | None = None,
                 refresh_seconds: float | None = None, index_dir: str | Path | None = None,
                 persist_index: bool = True) -> None:
        self.url = url or database_url()
        #: Where the search index is kept between processes (default ``$RAADERUM_HOME/search-index``); with
        #: ``persist_index=False`` it lives in memory only.
        self.index_dir = Path(index_dir) if index_dir is not None else None
        self.persist_index = persist_index
        self._engine = None
        self._register = register
        self._index: SearchIndex | None = None
        self._index_key: tuple[Any, ...] | None = None
        self._lock = threading.Lock()
        #: 0: the search index is rebuilt before answering whenever the store changed (always current). > 0: a
        #: change made elsewhere (another worker, the workspace) is picked up by a background rebuild at most
        #: this often, and searches meanwhile use the previous index (like a search engine's refresh interval).
        self.refresh_seconds = (config.current().search_refresh_seconds if refresh_seconds is None
                                else float(refresh_seconds))
        self._built_at = 0.0
        self._rebuilding = False
        #: Set by :meth:`close`: a background rebuild that wakes up afterwards stops instead of opening a new
        #: connection pool that nobody would close.
        self._closed = threading.Event()

    def __repr__(self) -> str:
        return f"IdeaStore({self.engine.url.render_as_string(hide_password=True)!r})"

    def __enter__(self) -> IdeaStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def engine(self):  # type: ignore[no-untyped-def]
        if self._engine is None:
            self._closed.clear()  # used again after close(): open again
            self._engine = make_engine(self.url)
        return self._engine

    def close(self) -> None:
        """Release the database connections (and stop a pending background rebuild of the search index)."""
        self._closed.set()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def migrate(self) -> None:
        """Create or upgrade the tables (Alembic, idempotent; safe when two processes do it at once on a new SQLite
        file: see :func:`raaderum.store.engine.migrate`). A database at the newest revision is recognised with one
        query, without loading Alembic (every CLI command starts here)."""
        try:
            with self.engine.connect() as conn:
                current = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except (OperationalError, ProgrammingError):
            current = None
        if current is not None and current == _head_revision():
            return
        migrate(self.url, engine=self.engine)

    def _session(self) -> Session:
        from sqlalchemy.orm import Session  # lazy: the ORM only when rows are read or written (see the top)

        return Session(self.engine, expire_on_commit=False)

    def _guard(self, e: Exception) -> StoreError:
        return StoreError(f"Idébankens database kan ikke bruges ({type(e).__name__}): {str(e).splitlines()[0]}. "
                          "Er den oprettet? Kør migreringen (IdeaStore.migrate()).")

    @property
    def register(self) -> MunicipalityRegister:
        if self._register is None:
            from raaderum.release.reader import current_register  # lazy: the data release, only to import

            self._register = current_register()
        return self._register

    # ---- reading

    def count(self, *, include_sample: bool = True) -> int:
        """How many proposals are stored."""
        from raaderum.store.models import Proposal  # lazy: the ORM only when rows are read

        q = select(func.count(Proposal.id))
        if not include_sample:
            q = q.where(Proposal.is_sample.is_(False))
        try:
            with self._session() as s:
                return int(s.scalar(q) or 0)
        except (OperationalError, ProgrammingError) as e:
            raise self._guard(e) from None

    def list(self, *, municipality_code: int | None = None, budget_year: int | None = None,
             area_id: str | None = None, batch_id: int | None = None,
             include_sample: bool = True) -> list[ProposalRecord]:
        """Stored proposals in id order, optionally filtered."""
        from raaderum.store.models import Proposal  # lazy: the ORM only when rows are read

        q = select(*_table_columns()).order_by(Proposal.id)
        if batch_id is not None:
            q = q.where(Proposal.batch_id == int(batch_id))
        if municipality_code is not None:
            q = q.where(Proposal.municipality_code == int(municipality_code))
        if budget_year is not None:
            q = q.where(Proposal.budget_year == int(budget_year))
        if area_id is not None:
            q = q.where(Proposal.area_id == area_id)
        if not include_sample:
            q = q.where(Proposal.is_sample.is_(False))
        try:
            with self._session() as s:
                return [_to_record(p) for p in s.execute(q)]
        except (OperationalError, ProgrammingError) as e:
            raise self._guard(e) from None

    def get(self, proposal_id: int) -> ProposalRecord:
        """The proposal with ``proposal_id``; :class:`ProposalNotFound` otherwise."""
        from raaderum.store.models import Proposal  # lazy: the ORM only when rows are read

        try:
            with self._session() as s:
                p = s.get(Proposal, int(proposal_id))
                if p is None:
                    raise ProposalNotFound(f"Forslag nr. {proposal_id} findes ikke i idébanken.")
                return _to_record(p)
        except (OperationalError, ProgrammingError) as e:
            raise self._guard(e) from None

    def batches(self) -> builtins.list[BatchInfo]:
        from raaderum.store.models import ImportBatch  # lazy: the ORM only when rows are read

        with self._session() as s:
            return [_batch_info(b) for b in s.scalars(select(ImportBatch).order_by(ImportBatch.id))]

    def existing_hashes(self, hashes: Iterable[str]) -> dict[str, int]:
        """Which of ``hashes`` are stored already: content hash → proposal id."""
        from raaderum.store.models import Proposal  # lazy: the ORM only when rows are read

        wanted = list(dict.fromkeys(hashes))
        found: dict[str, int] = {}
        with self._session() as s:
            for i in range(0, len(wanted), 500):
                chunk = wanted[i:i + 500]
                for h, pid in s.execute(select(Proposal.content_hash, Proposal.id)
                                        .where(Proposal.content_hash.in_(chunk))):
                    found[h] = pid
        return found

    # ---- writing

    def add_batch(self, file_name: str, file_sha256: str, proposals: Sequence[ProposalRecord], *,
                  rows_total: int | None = None, rows_rejected: int = 0, rows_skipped: int = 0,
                  is_sample: bool = False, within: Callable[[Session, BatchInfo | None], None] | None = None,
                  ) -> tuple[BatchInfo | None, builtins.list[ProposalRecord]]:
        """Store ``proposals`` as one import batch; those whose content is stored already are left out.

        ``within(session, batch)`` is called inside the same transaction before it commits (the services write
        their audit row there: the batch and its audit row land together or not at all).

        Returns the batch (None when nothing was new, so a re-import leaves no trace) and the stored records
        with their ids.
        """
        from raaderum.store.models import ImportBatch, Proposal, utcnow  # lazy: the ORM only when rows are written

        existing = self.existing_hashes(p.content_hash for p in proposals)
        seen: set[str] = set()
        new: builtins.list[ProposalRecord] = []
        for p in proposals:
            if p.content_hash in existing or p.content_hash in seen:
                continue
            seen.add(p.content_hash)
            new.append(p)
        if not new:
            if within is not None:
                with self._session() as s, s.begin():
                    within(s, None)
            return None, []
        now = utcnow()
        try:
            with self._session() as s, s.begin():
                batch = ImportBatch(file_name=file_name, file_sha256=file_sha256, imported_at=now,
                                    rows_total=rows_total if rows_total is not None else len(proposals),
                                    rows_imported=len(new), rows_rejected=rows_rejected,
                                    rows_skipped=rows_skipped + (len(proposals) - len(new)), is_sample=is_sample)
                s.add(batch)
                s.flush()
                rows = []
                for p in new:
                    d = {c: getattr(p, c) for c in _COLUMNS if c not in ("batch_id", "created_at", "updated_at",
                                                                         "version", "is_sample")}
                    d.update(batch_id=batch.id, is_sample=is_sample or p.is_sample, created_at=now, updated_at=now,
                             version=1, source_fields=dict(p.source_fields) if p.source_fields else None,
                             source_ref=(p.source_ref or "")[:100])
                    rows.append(d)
                for i in range(0, len(rows), 1000):
                    s.execute(insert(Proposal), rows[i:i + 1000])
                info = _batch_info(batch)
                if within is not None:
                    within(s, info)
        except IntegrityError as e:
            raise StoreError("Nogle forslag blev gemt af en anden import samtidig; importér filen igen "
                             f"(intet fra denne import er gemt). Detalje: {str(e).splitlines()[0]}") from None
        except (OperationalError, ProgrammingError) as e:
            raise self._guard(e) from None
        return info, self.list(batch_id=info.id)

    def profiles(self) -> builtins.list[LayoutProfile]:
        """The saved import profiles ([] in a store without the table yet)."""
        from raaderum.store.import_profiles import list_profiles  # lazy: the ORM only when rows are read

        try:
            return list_profiles(self)
        except (OperationalError, ProgrammingError):
            return []

    def import_workbook(self, path: str | Path, *, dry_run: bool = False, savings_positive: bool | None = None,
                        overrides: Mapping[str, SheetOverrides | Mapping[str, Any]] | None = None,
                        accept: bool = False, use_profiles: bool = True, save_profile_as: str | None = None,
                        user_name: str = "", file_name: str | None = None,
                        within: Callable[[Session, ImportReport], None] | None = None) -> ImportReport:
        """Read the workbook at ``path`` and store its proposals (unless ``dry_run``); every row is reported.

        ``overrides`` (per sheet, ``"*"`` for all: columns, unit, sign, municipality, budget year, header rows) and
        the saved profiles (unless ``use_profiles=False``) decide the mapping; ``accept`` takes the suggested answers
        to the open questions (``--yes``). When a sheet's mapping still needs a decision, nothing is stored: the
        report has ``stopped`` set and lists the questions. ``file_name``: the uploaded file's own name (reported
        and stored as the proposals' source file). ``save_profile_as``: save each data sheet's confirmed
        mapping as a layout profile of that name (``"name – sheet"`` when sheets differ), in the same transaction
        as the proposals. ``within(session, report)`` runs in the storing transaction (see :meth:`add_batch`); the
        services use it for the audit row. Call it through :func:`raaderum.server.imports.import_workbook`, which
        checks the permission."""
        from raaderum.ideas.excel_import import read_workbook  # lazy: openpyxl only when a workbook is imported
        from raaderum.store.import_profiles import save_profile  # lazy: the ORM only when rows are written

        profiles = self.profiles() if use_profiles else []
        report = read_workbook(path, register=self.register, savings_positive=savings_positive,
                               overrides=overrides, profiles=profiles, accept=accept, file_name=file_name)
        report.dry_run = dry_run
        existing = self.existing_hashes(p.content_hash for p in report.proposals)
        for o in report.outcomes:
            if o.status == "imported" and o.proposal is not None and o.proposal.content_hash in existing:
                o.status = "skipped"
                o.reason = f"findes allerede i idébanken (forslag nr. {existing[o.proposal.content_hash]})"
        if dry_run:
            return report
        if report.needs_decision:
            report.stopped = True
            return report
        to_save = self._profiles_to_save(report, save_profile_as, user_name)
        c = report.counts()

        def hook(s: Session, batch: BatchInfo | None) -> None:
            for prof in to_save:
                save_profile(s, prof, user_name=user_name)
            report.saved_profiles = [prof.name for prof in to_save]
            if within is not None:
                report.batch_id = batch.id if batch is not None else None
                within(s, report)

        batch, stored = self.add_batch(report.file_name, report.file_sha256, report.proposals,
                                       rows_total=c["rows"], rows_rejected=c["rejected"], rows_skipped=c["skipped"],
                                       within=hook)
        if batch is not None:
            report.batch_id = batch.id
            by_hash = {r.content_hash: r for r in stored}
            for o in report.imported:
                if o.proposal is not None and o.proposal.content_hash in by_hash:
                    o.proposal = by_hash[o.proposal.content_hash]
        return report

    @staticmethod
    def _profiles_to_save(report: ImportReport, name: str | None, user_name: str) -> builtins.list[LayoutProfile]:
        if not name or not name.strip():
            return []
        sheets = [s for s in report.sheets if s.is_data and s.signature]
        by_signature: dict[str, Any] = {}
        for sh in sheets:
            by_signature.setdefault(sh.signature, sh)
        many = len(by_signature) > 1
        return [sh.profile_for(f"{name.strip()} – {sh.name}" if many else name.strip(), created_by=user_name)
                for sh in by_signature.values()]

    def ensure_sample(self) -> int:
        """Load the shipped sample idea bank into an empty store (flagged ``is_sample``); returns how many."""
        if self._has_proposals():
            return 0
        from raaderum.ideas.sample_data import sample_records, sample_sha256  # lazy: 150 records, needed once

        records = sample_records()
        try:
            batch, stored = self.add_batch(SAMPLE_BATCH_NAME, sample_sha256(), records, is_sample=True)
        except StoreError:
            if self.count() > 0:  # another process loaded it at the same moment: nothing left to do
                return 0
            raise
        return len(stored) if batch else 0

    def _has_proposals(self) -> bool:
        """Does the store hold any proposal? (One Core query: every CLI command asks it.)"""
        try:
            with self.engine.connect() as conn:
                return conn.execute(_ANY_SQL).first() is not None
        except (OperationalError, ProgrammingError) as e:
            raise self._guard(e) from None

    def remove_sample(self) -> int:
        """Delete the sample proposals and their batch; returns how many proposals were removed."""
        from raaderum.store.models import ImportBatch, Proposal  # lazy: the ORM only when rows are written

        with self._session() as s, s.begin():
            res = s.execute(delete(Proposal).where(Proposal.is_sample.is_(True)))
            n = getattr(res, "rowcount", 0) or 0
            s.execute(delete(ImportBatch).where(ImportBatch.is_sample.is_(True)))
        return int(n)

    # ---- search

    def revision(self) -> tuple[Any, ...]:
        """Changes whenever a proposal is added, removed or edited (count, highest id, last update)."""
        return self._revision()

    def _revision(self) -> tuple[Any, ...]:
        with self.engine.connect() as conn:
            return tuple(conn.execute(_REVISION_SQL).one())

    def _index_records(self) -> builtins.list[ProposalRecord]:
        """The proposals the search covers: all but those withdrawn in a municipality's workspace."""
        records = self.list()
        try:
            hidden = withdrawn_ids(self.engine)
        except (OperationalError, ProgrammingError):  # a store without the workspace tables
            hidden = set()
        return [r for r in records if r.id not in hidden]

    # The search index is keyed by the revision: (count, highest id, last update). A key on disk also names the
    # database (a hash of its URL), so two databases never share a file.

    def _url_hash(self) -> str:
        return url_hash(self.url)

    def index_file(self) -> Path | None:
        """The file the search index is kept in between processes (None: not persisted)."""
        if not self.persist_index:
            return None
        return index_path(self.url, self.index_dir)

    def _save_index(self, index: SearchIndex, rev: tuple[Any, ...]) -> None:
        path = self.index_file()
        if path is None:
            return
        try:
            index.save(path, {"url": self._url_hash(), "revision": rev})
        except OSError:  # a read-only home folder: the index stays in memory
            pass

    def _build_index(self, rev: tuple[Any, ...]) -> SearchIndex:
        index = SearchIndex(self._index_records())
        self._save_index(index, rev)
        return index

    def _caught_up(self, index: SearchIndex, old: tuple[Any, ...], rev: tuple[Any, ...]) -> SearchIndex:
        """``index`` (built at revision ``old``) with the proposals added, changed, withdrawn or removed since; a
        full rebuild when most of it changed, or when the result does not add up to what the store holds."""
        from raaderum.store.models import Proposal  # lazy: the ORM only when the index is brought up to date

        old_count, old_max_id, old_updated = old
        if not old_count or old_max_id is None or old_updated is None:
            return SearchIndex(self._index_records())
        try:
            hidden = withdrawn_ids(self.engine)
        except (OperationalError, ProgrammingError):
            hidden = set()
        with self._session() as s:
            current = set(s.scalars(select(Proposal.id)))
            changed = [_to_record(r) for r in s.execute(
                select(*_table_columns()).where((Proposal.id > old_max_id) | (Proposal.updated_at > old_updated))
                .order_by(Proposal.id))]
        in_index = set(index.ids.tolist())
        removed = {i for i in in_index if i not in current or i in hidden}
        removed |= {r.id for r in changed if r.id in hidden}
        visible = [r for r in changed if r.id not in hidden]
        if len(visible) + len(removed) > max(2000, len(index) // 2):
            return SearchIndex(self._index_records())
        if not visible and not removed:
            return index
        try:
            updated = index.updated(visible, removed)
        except IndexFileChanged:  # another process replaced the file the index was loaded from
            return SearchIndex(self._index_records())
        if len(updated) != len(current - hidden):
            return SearchIndex(self._index_records())
        return updated

    def _loaded_or_built(self, rev: tuple[Any, ...]) -> SearchIndex:
        """The index from its file (caught up with the store if it changed since), else built and saved."""
        path = self.index_file()
        if path is not None and path.is_file():
            loaded = SearchIndex.load(path)
            if loaded is not None:
                index, saved = loaded
                old = tuple(saved.get("revision") or ())
                if saved.get("url") == self._url_hash() and len(old) == 3:
                    if old == rev:
                        return index
                    try:
                        index = self._caught_up(index, old, rev)
                    except (OperationalError, ProgrammingError) as e:
                        raise self._guard(e) from None
                    self._save_index(index, rev)
                    return index
        return self._build_index(rev)

    def search_index(self) -> SearchIndex:
        """The search index of the stored proposals: loaded from its file, or built, on first use; then brought up
        to date with the changes since (see ``refresh_seconds`` for when that happens in the background)."""
        key = self._revision()
        with self._lock:
            if self._index is not None and self._index_key == key:
                return self._index
            if self._index is None:
                self._index = self._loaded_or_built(key)
                self._index_key = key
                self._built_at = time.monotonic()
                return self._index
            if self.refresh_seconds <= 0:
                assert self._index_key is not None
                self._index = self._caught_up(self._index, self._index_key, key)
                self._index_key = key
                self._built_at = time.monotonic()
                self._save_index(self._index, key)
                return self._index
            if not self._rebuilding:
                self._rebuilding = True
                wait = max(0.0, self.refresh_seconds - (time.monotonic() - self._built_at))
                threading.Thread(target=self._rebuild_later, args=(wait,), daemon=True).start()
            return self._index

    def _rebuild_later(self, wait: float) -> None:
        try:
            if self._closed.wait(wait):  # closed while waiting: nothing to rebuild, and no new pool
                return
            key = self._revision()
            with self._lock:
                base, base_key = self._index, self._index_key
            index = self._caught_up(base, base_key, key) if base is not None and base_key is not None else \
                SearchIndex(self._index_records())
            self._save_index(index, key)
            with self._lock:
                self._index, self._index_key, self._built_at = index, key, time.monotonic()
        except Exception:  # noqa: BLE001 - e.g. the database is down: the next search tries again
            pass
        finally:
            self._rebuilding = False

    def search(self, query: str, filters: SearchFilters | None = None, limit: int = 20,
               offset: int = 0) -> SearchResult:
        return self.search_index().search(query, filters, limit=limit, offset=offset)

    def similar(self, proposal_id: int, n: int = 10) -> builtins.list[SimilarHit]:
        """Proposals like ``proposal_id``. The proposal itself is read from the database (always current); when
        the search index has not caught up with it yet (it was created a moment ago elsewhere), the proposals
        most like its text are found by searching for its title instead, so its page never waits for the index."""
        record = self.get(proposal_id)
        index = self.search_index()
        try:
            return index.similar(proposal_id, n)
        except ProposalNotFound:
            hits = index.search(record.title or record.description[:200], limit=n + 1).hits
            return [SimilarHit(h.id, float(h.score), h.record) for h in hits if h.id != proposal_id][:n]

    def clusters(self, threshold: float = 0.5) -> builtins.list[Cluster]:
        return self.search_index().clusters(threshold)

    def facets(self, filters: SearchFilters | None = None, query: str = "") -> dict[str, builtins.list[FacetValue]]:
        """Facet counts (area, type, municipality, year, committee, amount band) of the stored proposals."""
        return self.search_index().search(query, filters, limit=0).facets


def withdrawn_ids(engine: Engine) -> set[int]:
    """Ids of withdrawn proposals (for lists and searches that should leave them out)."""
    from sqlalchemy.orm import Session  # lazy: the ORM only when rows are read (see the top)

    from raaderum.store.models import ProposalStatus  # lazy: the ORM only when rows are read

    with Session(engine) as s:
        return set(s.scalars(select(ProposalStatus.proposal_id).where(ProposalStatus.withdrawn_at.is_not(None))))


def close_default_store() -> None:
    """Close the process-wide store (tests, and servers that switch database)."""
    global _default, _default_url
    with _default_lock:
        if _default is not None:
            _default.close()
        _default, _default_url = None, None


_default: IdeaStore | None = None
_default_url: str | None = None
_default_lock = threading.Lock()


def default_store() -> IdeaStore:
    """The process-wide store for long-running faces (web app, exports): one per process and database URL, so
    the search index stays in memory; migrated on first use, and an empty store gets the labelled sample."""
    global _default, _default_url
    url = database_url()
    with _default_lock:
        if _default is None or _default_url != url:
            if _default is not None:
                _default.close()
            store = IdeaStore(url)
            try:
                ensure_schema(store.engine)  # SQLite is migrated here; a server database by `raaderum db migrate`
                store.ensure_sample()
            except BaseException:
                store.close()  # no pooled connection is left for the garbage collector
                raise
            _default, _default_url = store, url
        return _default


__all__ = ["IdeaStore", "StoreError", "close_default_store", "default_store"]
