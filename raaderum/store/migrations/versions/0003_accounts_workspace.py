"""Accounts, sessions, login attempts, audit log and the municipal workspace (shortlist, share links, proposal
status, notes).

Revision ID: 0003_accounts_workspace
Revises: 0002_committee_mappings
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Registers every table on Base.metadata, so that comparing the models with a migrated database
# (alembic's compare_metadata) sees them even when no other module has imported them yet.
import raaderum.store.models  # noqa: F401

revision = "0003_accounts_workspace"
down_revision = "0002_committee_mappings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("municipality_code", sa.Integer(), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_sessions_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    op.create_index(op.f("ix_sessions_user_id"), "sessions", ["user_id"])
    op.create_index(op.f("ix_sessions_expires_at"), "sessions", ["expires_at"])
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("user_name", sa.String(length=200), nullable=False),
        sa.Column("success", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    op.create_index(op.f("ix_login_attempts_at"), "login_attempts", ["at"])
    op.create_index(op.f("ix_login_attempts_ip"), "login_attempts", ["ip"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_name", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("entity", sa.String(length=50), nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=False),
        sa.Column("municipality_code", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])
    op.create_index(op.f("ix_audit_log_municipality_code"), "audit_log", ["municipality_code"])
    op.create_table(
        "shortlist_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_code", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"],
                                name=op.f("fk_shortlist_items_proposal_id_proposals"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shortlist_items")),
        sa.UniqueConstraint("municipality_code", "proposal_id",
                            name="uq_shortlist_items_municipality_code_proposal_id"),
    )
    op.create_index(op.f("ix_shortlist_items_municipality_code"), "shortlist_items", ["municipality_code"])
    op.create_index(op.f("ix_shortlist_items_proposal_id"), "shortlist_items", ["proposal_id"])
    op.create_table(
        "share_links",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("municipality_code", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_share_links")),
    )
    op.create_index(op.f("ix_share_links_municipality_code"), "share_links", ["municipality_code"])
    op.create_table(
        "proposal_status",
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("municipality_code", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposals.id"],
                                name=op.f("fk_proposal_status_proposal_id_proposals"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("proposal_id", name=op.f("pk_proposal_status")),
    )
    op.create_index(op.f("ix_proposal_status_municipality_code"), "proposal_status", ["municipality_code"])
    op.create_table(
        "workspace_notes",
        sa.Column("municipality_code", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("municipality_code", name=op.f("pk_workspace_notes")),
    )


def downgrade() -> None:
    for table in ("workspace_notes", "proposal_status", "share_links", "shortlist_items", "audit_log",
                  "login_attempts", "sessions", "users"):
        op.drop_table(table)
