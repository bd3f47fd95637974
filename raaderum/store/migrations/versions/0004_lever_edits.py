"""The operator's edits of the knowledge portal: one current row per edited or created lever.

Revision ID: 0004_lever_edits
Revises: 0003_accounts_workspace
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Registers every table on Base.metadata, so that comparing the models with a migrated database
# (alembic's compare_metadata) sees them even when no other module has imported them yet.
import raaderum.store.models  # noqa: F401

revision = "0004_lever_edits"
down_revision = "0003_accounts_workspace"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lever_edits",
        sa.Column("lever_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("key_figures", sa.JSON(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("time_to_effect", sa.String(length=60), nullable=False),
        sa.Column("requires_investment", sa.Boolean(), nullable=False),
        sa.Column("areas", sa.JSON(), nullable=False),
        sa.Column("idea_types", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("lever_id", name=op.f("pk_lever_edits")),
    )


def downgrade() -> None:
    op.drop_table("lever_edits")
