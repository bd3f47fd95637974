"""The municipality's råderumskatalog (issue 13): catalogues per budget year, their proposals with a dated status
history, targets, scenarios, read-only share links, and the embedded default's chosen municipality.

Revision ID: 0006_catalogue
Revises: 0005_import_layouts
Create Date: 2026-12-10
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Registers every table on Base.metadata, so that comparing the models with a migrated database
# (alembic's compare_metadata) sees them even when no other module has imported them yet.
import raaderum.store.models  # noqa: F401

revision = "0006_catalogue"
down_revision = "0005_import_layouts"
branch_labels = None
depends_on = None


def _stamps(*, created: bool = True) -> list[sa.Column]:  # type: ignore[type-arg]
    cols: list[sa.Column] = []  # type: ignore[type-arg]
    if created:
        cols += [sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
                 sa.Column("created_by", sa.String(length=64), nullable=False)]
    return cols + [sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
                   sa.Column("updated_by", sa.String(length=64), nullable=False),
                   sa.Column("version", sa.Integer(), nullable=False)]


def _amounts() -> list[sa.Column]:  # type: ignore[type-arg]
    return [sa.Column(f"amount_{p}", sa.Float(), nullable=True) for p in ("b", "bo1", "bo2", "bo3")]


def upgrade() -> None:
    op.create_table(
        "catalogues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_code", sa.Integer(), nullable=False),
        sa.Column("budget_year", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("reference", sa.String(length=40), nullable=False),
        *_stamps(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogues")),
        sa.UniqueConstraint("municipality_code", "budget_year", "name",
                            name="uq_catalogues_municipality_code_budget_year_name"),
    )
    op.create_index(op.f("ix_catalogues_municipality_code"), "catalogues", ["municipality_code"])
    op.create_table(
        "catalogue_proposals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("catalogue_id", sa.Integer(), nullable=False),
        sa.Column("municipality_code", sa.Integer(), nullable=False),
        sa.Column("committee", sa.String(length=200), nullable=False),
        sa.Column("area_id", sa.String(length=50), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("consequences_service", sa.Text(), nullable=False),
        sa.Column("consequences_staff", sa.Text(), nullable=False),
        sa.Column("consequences_citizens", sa.Text(), nullable=False),
        *_amounts(),
        sa.Column("one_off_investment", sa.Float(), nullable=True),
        sa.Column("staff_effect", sa.Float(), nullable=True),
        sa.Column("owner", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_proposal_id", sa.Integer(), nullable=True),
        sa.Column("source_municipality_code", sa.Integer(), nullable=True),
        sa.Column("source_municipality_name", sa.String(length=100), nullable=False),
        sa.Column("source_budget_year", sa.Integer(), nullable=True),
        sa.Column("source_title", sa.Text(), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(["catalogue_id"], ["catalogues.id"],
                                name=op.f("fk_catalogue_proposals_catalogue_id_catalogues"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["source_proposal_id"], ["proposals.id"],
                                name=op.f("fk_catalogue_proposals_source_proposal_id_proposals"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_proposals")),
    )
    op.create_index(op.f("ix_catalogue_proposals_catalogue_id"), "catalogue_proposals", ["catalogue_id"])
    op.create_index(op.f("ix_catalogue_proposals_municipality_code"), "catalogue_proposals", ["municipality_code"])
    op.create_index(op.f("ix_catalogue_proposals_source_proposal_id"), "catalogue_proposals",
                    ["source_proposal_id"])
    op.create_table(
        "catalogue_status_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=30), nullable=True),
        sa.Column("to_status", sa.String(length=30), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["catalogue_proposals.id"],
                                name=op.f("fk_catalogue_status_history_proposal_id_catalogue_proposals"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_status_history")),
    )
    op.create_index(op.f("ix_catalogue_status_history_proposal_id"), "catalogue_status_history", ["proposal_id"])
    op.create_table(
        "catalogue_targets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("catalogue_id", sa.Integer(), nullable=False),
        sa.Column("committee", sa.String(length=200), nullable=False),
        *_amounts(),
        *_stamps(created=False),
        sa.ForeignKeyConstraint(["catalogue_id"], ["catalogues.id"],
                                name=op.f("fk_catalogue_targets_catalogue_id_catalogues"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_targets")),
        sa.UniqueConstraint("catalogue_id", "committee", name="uq_catalogue_targets_catalogue_id_committee"),
    )
    op.create_index(op.f("ix_catalogue_targets_catalogue_id"), "catalogue_targets", ["catalogue_id"])
    op.create_table(
        "catalogue_scenarios",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("catalogue_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        *_stamps(),
        sa.ForeignKeyConstraint(["catalogue_id"], ["catalogues.id"],
                                name=op.f("fk_catalogue_scenarios_catalogue_id_catalogues"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalogue_scenarios")),
        sa.UniqueConstraint("catalogue_id", "name", name="uq_catalogue_scenarios_catalogue_id_name"),
    )
    op.create_index(op.f("ix_catalogue_scenarios_catalogue_id"), "catalogue_scenarios", ["catalogue_id"])
    op.create_table(
        "catalogue_scenario_items",
        sa.Column("scenario_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["scenario_id"], ["catalogue_scenarios.id"],
                                name=op.f("fk_catalogue_scenario_items_scenario_id_catalogue_scenarios"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["proposal_id"], ["catalogue_proposals.id"],
                                name=op.f("fk_catalogue_scenario_items_proposal_id_catalogue_proposals"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("scenario_id", "proposal_id", name=op.f("pk_catalogue_scenario_items")),
    )
    op.create_index(op.f("ix_catalogue_scenario_items_proposal_id"), "catalogue_scenario_items", ["proposal_id"])
    op.create_table(
        "catalogue_share_links",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("catalogue_id", sa.Integer(), nullable=False),
        sa.Column("municipality_code", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["catalogue_id"], ["catalogues.id"],
                                name=op.f("fk_catalogue_share_links_catalogue_id_catalogues"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_catalogue_share_links")),
    )
    op.create_index(op.f("ix_catalogue_share_links_catalogue_id"), "catalogue_share_links", ["catalogue_id"])
    op.create_table(
        "local_workspace",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_code", sa.Integer(), nullable=False),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("chosen_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_workspace")),
    )


def downgrade() -> None:
    for table in ("local_workspace", "catalogue_share_links", "catalogue_scenario_items", "catalogue_scenarios",
                  "catalogue_targets", "catalogue_status_history", "catalogue_proposals", "catalogues"):
        op.drop_table(table)
