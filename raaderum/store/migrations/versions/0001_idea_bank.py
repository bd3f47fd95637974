"""Idea bank: import batches and proposals.

Revision ID: 0001_idea_bank
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_idea_bank"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("rows_imported", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("rows_skipped", sa.Integer(), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batches")),
    )
    op.create_index(op.f("ix_import_batches_file_sha256"), "import_batches", ["file_sha256"])
    op.create_table(
        "proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_code", sa.Integer(), nullable=False),
        sa.Column("municipality_name", sa.String(length=100), nullable=False),
        sa.Column("budget_year", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.String(length=50), nullable=True),
        sa.Column("area_text", sa.String(length=500), nullable=False),
        sa.Column("committee_text", sa.String(length=500), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("type_id", sa.String(length=50), nullable=True),
        sa.Column("type_text", sa.String(length=500), nullable=False),
        sa.Column("amount_b", sa.Float(), nullable=True),
        sa.Column("amount_bo1", sa.Float(), nullable=True),
        sa.Column("amount_bo2", sa.Float(), nullable=True),
        sa.Column("amount_bo3", sa.Float(), nullable=True),
        sa.Column("one_off_investment", sa.Float(), nullable=True),
        sa.Column("contact", sa.String(length=500), nullable=False),
        sa.Column("source_file", sa.String(length=500), nullable=False),
        sa.Column("source_sheet", sa.String(length=200), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["import_batches.id"],
                                name=op.f("fk_proposals_batch_id_import_batches"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
        sa.UniqueConstraint("content_hash", name=op.f("uq_proposals_content_hash")),
    )
    op.create_index(op.f("ix_proposals_municipality_code"), "proposals", ["municipality_code"])
    op.create_index(op.f("ix_proposals_budget_year"), "proposals", ["budget_year"])
    op.create_index(op.f("ix_proposals_area_id"), "proposals", ["area_id"])
    op.create_index(op.f("ix_proposals_batch_id"), "proposals", ["batch_id"])


def downgrade() -> None:
    op.drop_table("proposals")
    op.drop_table("import_batches")
