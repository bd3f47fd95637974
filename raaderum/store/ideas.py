"""The idea bank's storage: proposals and import batches in the app store (SQLite file or PostgreSQL).

    >>> store = IdeaStore()                 # RAADERUM_DATABASE_URL, or $RAADERUM_HOME/raaderum.sqlite  # doctest: +SKIP
    >>> store.migrate()                      # doctest: +SKIP
    >>> report = store.import_workbook("idebank_2020.xlsx", dry_run=True)  # doctest: +SKIP
    >>> store.search("gadelys").hits[0].record.title  # doctest: +SKIP

Re-importing a file adds nothing: every proposal has a content hash (municipality, year, texts, amounts), unique
in the table, and rows whose hash is already stored are reported as skipped.
"""

from __future__ import annotations

import builtins
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlalchemy.orm import Session

from raaderum import config
from raaderum.errors import StoreError  # re-exported
from raaderum.ideas.excel_import import ImportReport, read_workbook
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
from raaderum.release.municipalities import MunicipalityRegister
from raaderum.release.reader import current_register
from raaderum.store.engine import database_url, ensure_schema, make_engine, migrate
from raaderum.store.models import ImportBatch, Proposal, ProposalStatus, utcnow

_COLUMNS = ("municipality_code", "municipality_name", "budget_year", "area_id", "area_text", "committee_text",
            "title", "description", "type_id", "type_text", "amount_b", "amount_bo1", "amount_bo2", "amount_bo3",
            "one_off_investment", "contact", "source_file", "source_sheet", "source_row", "batch_id",
            "content_hash", "is_sample", "created_at", "updated_at", "version")


def _to_record(p: Proposal) -> ProposalRecord:
    return ProposalRecord(**{c: getattr(p, c) for c in _COLUMNS}, id=p.id)


def _batch_info(b: ImportBatch) -> BatchInfo:
    return BatchInfo(id=b.id, file_name=b.file_name, file_sha256=b.file_sha256, imported_at=b.imported_at,
                     rows_total=b.rows_total, rows_imported=b.rows_imported, rows_rejected=b.rows_rejected,
                     rows_skipped=b.rows_skipped, is_sample=b.is_sample)




class IdeaStore:
    """Proposals in the app store at ``url`` (default :func:`raaderum.store.engine.database_url`)."""

    def __init__(self, url: str | None = None, *, register: MunicipalityRegister | None = None,
                 refresh_seconds: float | None = None) -> None:
        self.url = url or database_url()
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

    def __repr__(self) -> str:
        return f"IdeaStore({self.engine.url.render_as_string(hide_password=True)!r})"

    def __enter__(self) -> IdeaStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def engine(self):  # type: ignore[no-untyped-def]
        if self._engine is None:
            self._engine = make_engine(self.url)
        return self._engine

    def close(self) -> None:
        """Release the database connections."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def migrate(self) -> None:
        """Create or upgrade the tables (Alembic, idempotent)."""
        migrate(self.url, engine=self.engine)

    def _session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def _guard(self, e: Exception) -> StoreError:
        return StoreError(f"Idébankens database kan ikke bruges ({type(e).__name__}): {str(e).splitlines()[0]}. "
                          "Er den oprettet? Kør migreringen (IdeaStore.migrate()).")

    @property
    def register(self) -> MunicipalityRegister:
        if self._register is None:
            self._register = current_register()
        return self._register

    # ---- reading

    def count(self, *, include_sample: bool = True) -> int:
        """How many proposals are stored."""
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
        q = select(Proposal).order_by(Proposal.id)
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
                return [_to_record(p) for p in s.scalars(q)]
        except (OperationalError, ProgrammingError) as e:
            raise self._guard(e) from None

    def get(self, proposal_id: int) -> ProposalRecord:
        """The proposal with ``proposal_id``; :class:`ProposalNotFound` otherwise."""
        try:
            with self._session() as s:
                p = s.get(Proposal, int(proposal_id))
                if p is None:
                    raise ProposalNotFound(f"Forslag nr. {proposal_id} findes ikke i idébanken.")
                return _to_record(p)
        except (OperationalError, ProgrammingError) as e:
            raise self._guard(e) from None

    def batches(self) -> builtins.list[BatchInfo]:
        with self._session() as s:
            return [_batch_info(b) for b in s.scalars(select(ImportBatch).order_by(ImportBatch.id))]

    def existing_hashes(self, hashes: Iterable[str]) -> dict[str, int]:
        """Which of ``hashes`` are stored already: content hash → proposal id."""
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
                             version=1)
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
        self._index = None
        return info, self.list(batch_id=info.id)

    def import_workbook(self, path: str | Path, *, dry_run: bool = False, savings_positive: bool = False,
                        within: Callable[[Session, ImportReport], None] | None = None) -> ImportReport:
        """Read the workbook at ``path`` and store its proposals (unless ``dry_run``); every row is reported.

        ``within(session, report)`` runs in the storing transaction (see :meth:`add_batch`); the services use it
        for the audit row. Call it through :func:`raaderum.server.imports.import_workbook`, which checks the
        permission."""
        report = read_workbook(path, register=self.register, savings_positive=savings_positive)
        report.dry_run = dry_run
        existing = self.existing_hashes(p.content_hash for p in report.proposals)
        for o in report.outcomes:
            if o.status == "imported" and o.proposal is not None and o.proposal.content_hash in existing:
                o.status = "skipped"
                o.reason = f"findes allerede i idébanken (forslag nr. {existing[o.proposal.content_hash]})"
        if dry_run:
            return report
        c = report.counts()
        def hook(s: Session, batch: BatchInfo | None) -> None:
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

    def ensure_sample(self) -> int:
        """Load the shipped sample idea bank into an empty store (flagged ``is_sample``); returns how many."""
        if self.count() > 0:
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

    def remove_sample(self) -> int:
        """Delete the sample proposals and their batch; returns how many proposals were removed."""
        with self._session() as s, s.begin():
            res = s.execute(delete(Proposal).where(Proposal.is_sample.is_(True)))
            n = getattr(res, "rowcount", 0) or 0
            s.execute(delete(ImportBatch).where(ImportBatch.is_sample.is_(True)))
        self._index = None
        return int(n)

    # ---- search

    def revision(self) -> tuple[Any, ...]:
        """Changes whenever a proposal is added, removed or edited (count, highest id, last update)."""
        return self._revision()

    def _revision(self) -> tuple[Any, ...]:
        with self._session() as s:
            return tuple(s.execute(select(func.count(Proposal.id), func.max(Proposal.id),
                                          func.max(Proposal.updated_at))).one())

    def _index_records(self) -> builtins.list[ProposalRecord]:
        """The proposals the search covers: all but those withdrawn in a municipality's workspace."""
        records = self.list()
        try:
            hidden = withdrawn_ids(self.engine)
        except (OperationalError, ProgrammingError):  # a store without the workspace tables
            hidden = set()
        return [r for r in records if r.id not in hidden]

    def search_index(self) -> SearchIndex:
        """The in-memory search index of the stored proposals, rebuilt when the store has changed (see
        ``refresh_seconds`` for when a rebuild happens in the background instead)."""
        key = self._revision()
        with self._lock:
            if self._index is not None and self._index_key == key:
                return self._index
            if self._index is None or self.refresh_seconds <= 0:
                self._index = SearchIndex(self._index_records())
                self._index_key = key
                self._built_at = time.monotonic()
                return self._index
            if not self._rebuilding:
                self._rebuilding = True
                wait = max(0.0, self.refresh_seconds - (time.monotonic() - self._built_at))
                threading.Thread(target=self._rebuild_later, args=(wait,), daemon=True).start()
            return self._index

    def _rebuild_later(self, wait: float) -> None:
        try:
            time.sleep(wait)
            key = self._revision()
            index = SearchIndex(self._index_records())
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
            ensure_schema(store.engine)  # SQLite is migrated here; a server database by `raaderum db migrate`
            store.ensure_sample()
            _default, _default_url = store, url
        return _default


__all__ = ["IdeaStore", "StoreError", "close_default_store", "default_store"]
