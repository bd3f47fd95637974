"""Import of any municipality's catalogue (issue 12): each proposal keeps its source number and the source columns
that are no field of a proposal; confirmed sheet layouts are saved as named import profiles.

Revision ID: 0005_import_layouts
Revises: 0004_lever_edits
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Registers every table on Base.metadata, so that comparing the models with a migrated database
# (alembic's compare_metadata) sees them even when no other module has imported them yet.
import raaderum.store.models  # noqa: F401

revision = "0005_import_layouts"
down_revision = "0004_lever_edits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN on every backend (no table rebuild on SQLite: the rows of the tables that refer to proposals,
    # with ON DELETE CASCADE, are never touched).
    op.add_column("proposals", sa.Column("source_ref", sa.String(length=100), nullable=False, server_default=""))
    op.add_column("proposals", sa.Column("source_fields", sa.JSON(), nullable=True))
    op.create_table(
        "import_profiles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("signature", sa.String(length=64), nullable=False),
        sa.Column("header_height", sa.Integer(), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=True),
        sa.Column("savings_positive", sa.Boolean(), nullable=True),
        sa.Column("municipality_code", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_profiles")),
        sa.UniqueConstraint("name", name=op.f("uq_import_profiles_name")),
        sa.UniqueConstraint("signature", name=op.f("uq_import_profiles_signature")),
    )


def downgrade() -> None:
    op.drop_table("import_profiles")
    if op.get_bind().dialect.name == "sqlite":  # SQLite >= 3.35 drops a column in place (no rebuild, no cascade)
        op.execute("ALTER TABLE proposals DROP COLUMN source_fields")
        op.execute("ALTER TABLE proposals DROP COLUMN source_ref")
    else:
        op.drop_column("proposals", "source_fields")
        op.drop_column("proposals", "source_ref")
