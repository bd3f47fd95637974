"""The råderumsnetværk (issue 15): contacts, work marks ("Vi arbejder med dette"), experiences, networks with
members, coordinators, shares and meetings, the digest's subscriptions and sends, and the app's generated secrets.

Revision ID: 0007_network
Revises: 0006_catalogue
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Registers every table on Base.metadata (see 0006).
import raaderum.store.models  # noqa: F401

revision = "0007_network"
down_revision = "0006_catalogue"
branch_labels = None
depends_on = None

#: Created in this order (referenced tables first); dropped in the reverse order.
TABLES = (
    "app_secrets",
    "contacts",
    "networks",
    "digest_sends",
    "digest_subscriptions",
    "network_coordinators",
    "network_meetings",
    "network_members",
    "work_marks",
    "network_shares",
    "experiences",
)


def upgrade() -> None:
    op.create_table(
        "app_secrets",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_app_secrets")),
    )
    op.create_table(
        "contacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_code", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
    )
    op.create_index(op.f("ix_contacts_municipality_code"), "contacts", ["municipality_code"], unique=False)
    op.create_table(
        "networks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_networks")),
        sa.UniqueConstraint("name", name=op.f("uq_networks_name")),
    )
    op.create_table(
        "digest_sends",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_digest_sends_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", "month", name=op.f("pk_digest_sends")),
    )
    op.create_table(
        "digest_subscriptions",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("email_opt_in", sa.Boolean(), nullable=False),
        sa.Column("areas", sa.JSON(), nullable=False),
        sa.Column("committees", sa.JSON(), nullable=False),
        sa.Column("link_key", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_digest_subscriptions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_digest_subscriptions")),
    )
    op.create_table(
        "network_coordinators",
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"],
            ["networks.id"],
            name=op.f("fk_network_coordinators_network_id_networks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_network_coordinators_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("network_id", "user_id", name=op.f("pk_network_coordinators")),
    )
    op.create_index(op.f("ix_network_coordinators_user_id"), "network_coordinators", ["user_id"], unique=False)
    op.create_table(
        "network_meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=False),
        sa.Column("agenda", sa.Text(), nullable=False),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"], ["networks.id"], name=op.f("fk_network_meetings_network_id_networks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_meetings")),
    )
    op.create_index(op.f("ix_network_meetings_network_id"), "network_meetings", ["network_id"], unique=False)
    op.create_table(
        "network_members",
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("municipality_code", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"], ["networks.id"], name=op.f("fk_network_members_network_id_networks"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("network_id", "municipality_code", name=op.f("pk_network_members")),
    )
    op.create_index(
        op.f("ix_network_members_municipality_code"), "network_members", ["municipality_code"], unique=False
    )
    op.create_table(
        "work_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_code", sa.Integer(), nullable=False),
        sa.Column("target_kind", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_work_marks_contact_id_contacts"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_marks")),
        sa.UniqueConstraint(
            "municipality_code",
            "target_kind",
            "target_id",
            name="uq_work_marks_municipality_code_target_kind_target_id",
        ),
    )
    op.create_index(op.f("ix_work_marks_contact_id"), "work_marks", ["contact_id"], unique=False)
    op.create_index(op.f("ix_work_marks_municipality_code"), "work_marks", ["municipality_code"], unique=False)
    op.create_index(op.f("ix_work_marks_target_id"), "work_marks", ["target_id"], unique=False)
    op.create_index(op.f("ix_work_marks_updated_at"), "work_marks", ["updated_at"], unique=False)
    op.create_table(
        "network_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("network_id", sa.Integer(), nullable=False),
        sa.Column("municipality_code", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("scenario_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["network_id"], ["networks.id"], name=op.f("fk_network_shares_network_id_networks"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["scenario_id"],
            ["catalogue_scenarios.id"],
            name=op.f("fk_network_shares_scenario_id_catalogue_scenarios"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_shares")),
    )
    op.create_index(op.f("ix_network_shares_municipality_code"), "network_shares", ["municipality_code"], unique=False)
    op.create_index(op.f("ix_network_shares_network_id"), "network_shares", ["network_id"], unique=False)
    op.create_index(op.f("ix_network_shares_scenario_id"), "network_shares", ["scenario_id"], unique=False)
    op.create_table(
        "experiences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_code", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("lever_id", sa.String(length=64), nullable=True),
        sa.Column("catalogue_proposal_id", sa.Integer(), nullable=True),
        sa.Column("area_id", sa.String(length=50), nullable=True),
        sa.Column("realised", sa.JSON(), nullable=True),
        sa.Column("what_worked", sa.Text(), nullable=False),
        sa.Column("what_did_not", sa.Text(), nullable=False),
        sa.Column("contact_id", sa.Integer(), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["catalogue_proposal_id"],
            ["catalogue_proposals.id"],
            name=op.f("fk_experiences_catalogue_proposal_id_catalogue_proposals"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["contact_id"], ["contacts.id"], name=op.f("fk_experiences_contact_id_contacts"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"], ["proposals.id"], name=op.f("fk_experiences_proposal_id_proposals"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_experiences")),
    )
    op.create_index(
        op.f("ix_experiences_catalogue_proposal_id"), "experiences", ["catalogue_proposal_id"], unique=False
    )
    op.create_index(op.f("ix_experiences_contact_id"), "experiences", ["contact_id"], unique=False)
    op.create_index(op.f("ix_experiences_created_at"), "experiences", ["created_at"], unique=False)
    op.create_index(op.f("ix_experiences_lever_id"), "experiences", ["lever_id"], unique=False)
    op.create_index(op.f("ix_experiences_municipality_code"), "experiences", ["municipality_code"], unique=False)
    op.create_index(op.f("ix_experiences_proposal_id"), "experiences", ["proposal_id"], unique=False)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
