"""The idea-bank tables (SQLAlchemy 2 declarative). The schema itself is created by the Alembic migration
``raaderum/migrations/versions/0001_idea_bank.py``; keep both in step (a test compares them).

Amounts are in 1.000 kr. with **savings negative** (the sign convention of Danish budget documents: a negative
amount lowers net expenditure). ``None`` means unknown and is never turned into 0.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from raaderum.db import Base


def utcnow() -> datetime:
    return datetime.now(UTC)


class ImportBatch(Base):
    """One import of one file (or of the shipped sample)."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    rows_total: Mapped[int] = mapped_column(Integer, default=0)
    rows_imported: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    rows_skipped: Mapped[int] = mapped_column(Integer, default=0)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)

    proposals: Mapped[list[Proposal]] = relationship(back_populates="batch", passive_deletes=True)


class Proposal(Base):
    """A råderum proposal (forslag) from a municipality's budget."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality_code: Mapped[int] = mapped_column(Integer, index=True)
    municipality_name: Mapped[str] = mapped_column(String(100))
    budget_year: Mapped[int] = mapped_column(Integer, index=True)
    area_id: Mapped[str | None] = mapped_column(String(50), index=True, nullable=True)
    area_text: Mapped[str] = mapped_column(String(500), default="")
    committee_text: Mapped[str] = mapped_column(String(500), default="")
    title: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    type_id: Mapped[str | None] = mapped_column(String(50), nullable=True)
    type_text: Mapped[str] = mapped_column(String(500), default="")
    amount_b: Mapped[float | None] = mapped_column(Float, nullable=True)
    amount_bo1: Mapped[float | None] = mapped_column(Float, nullable=True)
    amount_bo2: Mapped[float | None] = mapped_column(Float, nullable=True)
    amount_bo3: Mapped[float | None] = mapped_column(Float, nullable=True)
    one_off_investment: Mapped[float | None] = mapped_column(Float, nullable=True)
    contact: Mapped[str] = mapped_column(String(500), default="")
    source_file: Mapped[str] = mapped_column(String(500), default="")
    source_sheet: Mapped[str] = mapped_column(String(200), default="")
    source_row: Mapped[int | None] = mapped_column(Integer, nullable=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id", ondelete="CASCADE"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    is_sample: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    batch: Mapped[ImportBatch] = relationship(back_populates="proposals")

    __mapper_args__ = {"version_id_col": version}


class CommitteeMapping(Base):
    """A municipality's own name for the committee (fagudvalg) an area or theme belongs to.

    Absent rows fall back to the catalogue's default committee; the mapping is used by the committee packs.
    """

    __tablename__ = "committee_mappings"

    municipality_code: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_id: Mapped[str] = mapped_column(String(50), primary_key=True)
    committee: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
