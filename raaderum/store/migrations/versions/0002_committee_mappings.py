"""Committee mappings: each municipality's own committee (fagudvalg) per area.

Revision ID: 0002_committee_mappings
Revises: 0001_idea_bank
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_committee_mappings"
down_revision = "0001_idea_bank"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "committee_mappings",
        sa.Column("municipality_code", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.String(length=50), nullable=False),
        sa.Column("committee", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("municipality_code", "area_id", name=op.f("pk_committee_mappings")),
    )


def downgrade() -> None:
    op.drop_table("committee_mappings")
