"""Every table of the app store, in one place (SQLAlchemy 2 declarative).

The schema itself is created by the Alembic migrations in ``raaderum/store/migrations/versions``; keep both in
step (a test compares them). :data:`Base.metadata` lists every table, so backup, restore and the schema check
take their table lists from here.

Amounts are in 1.000 kr. with **savings negative** (the sign convention of Danish budget documents: a negative
amount lowers net expenditure). ``None`` means unknown and is never turned into 0.

    idea bank        import_batches, proposals, committee_mappings, import_profiles
    accounts         users, sessions, login_attempts
    audit            audit_log
    workspace        shortlist_items, share_links, proposal_status, workspace_notes
    knowledge portal lever_edits
    catalogue        catalogues, catalogue_proposals, catalogue_status_history, catalogue_targets,
                     catalogue_scenarios, catalogue_scenario_items, catalogue_share_links, local_workspace
    network          contacts, work_marks, experiences, networks, network_members, network_coordinators,
                     network_shares, network_meetings
    digest           digest_subscriptions, digest_sends, app_secrets
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from raaderum.ideas.levers import Lever


def utcnow() -> datetime:
    return datetime.now(UTC)


#: Stable constraint names, so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}



class Base(DeclarativeBase):
    """Declarative base of every table in the app store."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)



# ------------------------------------------------------------------------------------------ idea bank


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
    #: The proposal's own number in its source catalogue ("Nr.", "Forslagsnummer"), as written.
    source_ref: Mapped[str] = mapped_column(String(100), default="", server_default="")
    #: Columns of the source sheet that are no field of a proposal, as written: header label → cell text.
    source_fields: Mapped[dict[str, str] | None] = mapped_column(JSON, nullable=True)

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



class ImportProfile(Base):
    """A confirmed layout of a workbook sheet, keyed by the header's signature: which column is which field, the
    unit and the sign. The import uses it, without questions, for the next sheet with the same header."""

    __tablename__ = "import_profiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    signature: Mapped[str] = mapped_column(String(64), unique=True)
    header_height: Mapped[int] = mapped_column(Integer, default=1)
    columns: Mapped[dict[str, str | None]] = mapped_column(JSON)
    labels: Mapped[dict[str, str]] = mapped_column(JSON)
    unit: Mapped[str | None] = mapped_column(String(10), nullable=True)
    savings_positive: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    municipality_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}



# ------------------------------------------------------------------------------------------- accounts

OPERATOR, EDITOR, READER = "operator", "editor", "reader"
ROLES: dict[str, str] = {OPERATOR: "Operatør", EDITOR: "Kommunal redaktør", READER: "Læser"}



class User(Base):
    """A person who can log in."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    municipality_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)

    def to_dict(self) -> dict[str, Any]:
        """The user without the password hash (what the CLI, the audit log and the admin page show)."""
        return {"id": self.id, "name": self.name, "role": self.role, "municipality_code": self.municipality_code,
                "disabled": bool(self.disabled),
                "created_at": self.created_at.isoformat() if self.created_at else None}



class LoginSession(Base):
    """One logged-in browser."""

    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the cookie's token
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)



class LoginAttempt(Base):
    """One login attempt (for rate limiting; kept one day)."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    ip: Mapped[str] = mapped_column(String(64), index=True)
    user_name: Mapped[str] = mapped_column(String(200))
    success: Mapped[bool] = mapped_column(Boolean, default=False)



# ---------------------------------------------------------------------------------------------- audit


class AuditEntry(Base):
    """One change."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    user_name: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(50))
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(100))
    municipality_code: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    before: Mapped[Any | None] = mapped_column(JSON, nullable=True)
    after: Mapped[Any | None] = mapped_column(JSON, nullable=True)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at.isoformat() if self.at else None, "user_id": self.user_id,
                "user_name": self.user_name, "action": self.action, "entity": self.entity,
                "entity_id": self.entity_id, "municipality_code": self.municipality_code, "before": self.before,
                "after": self.after}



# ------------------------------------------------------------------------------------------ workspace

STATUSES: dict[str, str] = {
    "til_overvejelse": "Til overvejelse",
    "arbejdes_videre_med": "Arbejdes videre med",
    "fravalgt": "Fravalgt",
}

DEFAULT_STATUS = "til_overvejelse"



class ShortlistItem(Base):
    """A proposal a municipality is considering, with its status and comment."""

    __tablename__ = "shortlist_items"
    __table_args__ = (UniqueConstraint("municipality_code", "proposal_id",
                                       name="uq_shortlist_items_municipality_code_proposal_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality_code: Mapped[int] = mapped_column(Integer, index=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(30), default=DEFAULT_STATUS)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)



class ShareLink(Base):
    """A read-only link to a municipality's shortlist (``/arbejdsrum/del/<token>``)."""

    __tablename__ = "share_links"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    municipality_code: Mapped[int] = mapped_column(Integer, index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)



class ProposalStatus(Base):
    """Workspace facts about a proposal: who created it in the workspace, and whether it is withdrawn."""

    __tablename__ = "proposal_status"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    municipality_code: Mapped[int] = mapped_column(Integer, index=True)
    created_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    withdrawn_by: Mapped[str | None] = mapped_column(String(64), nullable=True)



class WorkspaceNote(Base):
    """The municipality's free-text notes on its work with the idea bank."""

    __tablename__ = "workspace_notes"

    municipality_code: Mapped[int] = mapped_column(Integer, primary_key=True)
    text: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}



# ----------------------------------------------------------------------------------- knowledge portal


class LeverEdit(Base):
    """The current text of one lever as edited (or created) by the operator."""

    __tablename__ = "lever_edits"

    lever_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    key_figures: Mapped[list[str]] = mapped_column(JSON)
    questions: Mapped[list[str]] = mapped_column(JSON)
    time_to_effect: Mapped[str] = mapped_column(String(60))
    requires_investment: Mapped[bool] = mapped_column(Boolean)
    areas: Mapped[list[str]] = mapped_column(JSON)
    idea_types: Mapped[list[str]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    def to_lever(self) -> Lever:
        return Lever(id=self.lever_id, title=self.title, summary=self.summary, body=self.body,
                     areas=tuple(self.areas or ()), idea_types=tuple(self.idea_types or ()),
                     key_figures=tuple(self.key_figures or ()), questions=tuple(self.questions or ()),
                     time_to_effect=self.time_to_effect, requires_investment=bool(self.requires_investment))



# ---------------------------------------------------------------------------------- råderumskatalog (issue 13)
#
#   catalogues, catalogue_proposals, catalogue_status_history, catalogue_targets, catalogue_scenarios,
#   catalogue_scenario_items, catalogue_share_links, local_workspace
#
# A catalogue (råderumskatalog) belongs to one municipality and one budget year. Its proposals carry amounts in
# 1.000 kr. for B, BO1, BO2 and BO3 with savings NEGATIVE (as the idea bank), a status with a dated history, and,
# when adopted from the idea bank, a link to the source proposal (kept as text too, should the source go).

#: Status of a proposal in a catalogue, in the order of the path idé → under analyse → i kataloget → decision.
CATALOGUE_STATUSES: dict[str, str] = {
    "ide": "Idé",
    "under_analyse": "Under analyse",
    "i_kataloget": "I kataloget",
    "vedtaget": "Vedtaget",
    "fravalgt": "Fravalgt",
    "udsat": "Udsat",
}
CATALOGUE_DEFAULT_STATUS = "ide"


class Catalogue(Base):
    """A municipality's råderumskatalog for one budget year; ``reference`` is the benchmark reference its gaps use."""

    __tablename__ = "catalogues"
    __table_args__ = (UniqueConstraint("municipality_code", "budget_year", "name",
                                       name="uq_catalogues_municipality_code_budget_year_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality_code: Mapped[int] = mapped_column(Integer, index=True)
    budget_year: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    reference: Mapped[str] = mapped_column(String(40), default="peer_mean")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class CatalogueProposal(Base):
    """A proposal in a catalogue (new, or adopted from the idea bank: ``source_*`` say from where)."""

    __tablename__ = "catalogue_proposals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    catalogue_id: Mapped[int] = mapped_column(ForeignKey("catalogues.id", ondelete="CASCADE"), index=True)
    municipality_code: Mapped[int] = mapped_column(Integer, index=True)
    committee: Mapped[str] = mapped_column(String(200), default="")
    area_id: Mapped[str | None] = mapped_column(String(50), nullable=True)
    title: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    consequences_service: Mapped[str] = mapped_column(Text, default="")
    consequences_staff: Mapped[str] = mapped_column(Text, default="")
    consequences_citizens: Mapped[str] = mapped_column(Text, default="")
    amount_b: Mapped[float | None] = mapped_column(Float, nullable=True)
    amount_bo1: Mapped[float | None] = mapped_column(Float, nullable=True)
    amount_bo2: Mapped[float | None] = mapped_column(Float, nullable=True)
    amount_bo3: Mapped[float | None] = mapped_column(Float, nullable=True)
    one_off_investment: Mapped[float | None] = mapped_column(Float, nullable=True)
    #: Staff effect in full-time equivalents (årsværk), negative = fewer.
    staff_effect: Mapped[float | None] = mapped_column(Float, nullable=True)
    owner: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(30), default=CATALOGUE_DEFAULT_STATUS)
    status_changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    source_proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"),
                                                           nullable=True, index=True)
    source_municipality_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    source_municipality_name: Mapped[str] = mapped_column(String(100), default="")
    source_budget_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    source_title: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        return CATALOGUE_STATUSES.get(self.status, self.status)


class CatalogueStatusChange(Base):
    """One step of a catalogue proposal's status history (the first row is its creation)."""

    __tablename__ = "catalogue_status_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("catalogue_proposals.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(30), nullable=True)
    to_status: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    by: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")


class CatalogueTarget(Base):
    """A råderum target per year (1.000 kr., savings negative) for the whole catalogue (``committee`` '') or one
    committee."""

    __tablename__ = "catalogue_targets"
    __table_args__ = (UniqueConstraint("catalogue_id", "committee",
                                       name="uq_catalogue_targets_catalogue_id_committee"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    catalogue_id: Mapped[int] = mapped_column(ForeignKey("catalogues.id", ondelete="CASCADE"), index=True)
    committee: Mapped[str] = mapped_column(String(200), default="")
    amount_b: Mapped[float | None] = mapped_column(Float, nullable=True)
    amount_bo1: Mapped[float | None] = mapped_column(Float, nullable=True)
    amount_bo2: Mapped[float | None] = mapped_column(Float, nullable=True)
    amount_bo3: Mapped[float | None] = mapped_column(Float, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class CatalogueScenario(Base):
    """A named subset of a catalogue's proposals ("Scenarie A: uden serviceforringelser")."""

    __tablename__ = "catalogue_scenarios"
    __table_args__ = (UniqueConstraint("catalogue_id", "name", name="uq_catalogue_scenarios_catalogue_id_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    catalogue_id: Mapped[int] = mapped_column(ForeignKey("catalogues.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class CatalogueScenarioItem(Base):
    """A proposal that belongs to a scenario."""

    __tablename__ = "catalogue_scenario_items"

    scenario_id: Mapped[int] = mapped_column(ForeignKey("catalogue_scenarios.id", ondelete="CASCADE"),
                                             primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("catalogue_proposals.id", ondelete="CASCADE"),
                                             primary_key=True, index=True)


class CatalogueShareLink(Base):
    """A read-only link to one catalogue (``/katalog/del/<token>``), for people without an account."""

    __tablename__ = "catalogue_share_links"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    catalogue_id: Mapped[int] = mapped_column(ForeignKey("catalogues.id", ondelete="CASCADE"), index=True)
    municipality_code: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class LocalWorkspace(Base):
    """The embedded default's one local user: the municipality chosen once (a single row, ``id`` 1)."""

    __tablename__ = "local_workspace"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality_code: Mapped[int] = mapped_column(Integer)
    chosen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    chosen_by: Mapped[str] = mapped_column(String(64))


# ------------------------------------------------------------------------------ råderumsnetværk (issue 15)
#
#   contacts, work_marks, experiences, networks, network_members, network_coordinators, network_shares,
#   network_meetings, digest_subscriptions, digest_sends, app_secrets
#
# A municipality marks a proposal or a lever as something it works on ("Vi arbejder med dette"), optionally with a
# contact person it enters itself; after implementing, it records an experience (realised amounts per year in
# 1.000 kr., savings NEGATIVE as in the catalogue, what worked and what did not). The operator groups
# municipalities in networks with coordinators; members share shortlists and catalogue scenarios with the
# network, and coordinators keep its meetings and notes. Contact details are for logged-in users only.

#: Status of a work mark, in the order of the work.
MARK_STATUSES: dict[str, str] = {
    "overvejer": "Overvejer",
    "i_gang": "I gang",
    "gennemfoert": "Gennemført",
    "opgivet": "Opgivet",
}
#: What a mark or an experience can be about.
MARK_TARGETS: dict[str, str] = {"proposal": "forslag", "lever": "greb"}


class Contact(Base):
    """A contact person a municipality names for its work (name, role, e-mail), entered by that municipality.
    Deleting it removes it from every mark and experience (their ``contact_id`` becomes NULL)."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality_code: Mapped[int] = mapped_column(Integer, index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class WorkMark(Base):
    """"Vi arbejder med dette": a municipality works on a proposal (``target_kind`` 'proposal', ``target_id`` its
    id) or a lever ('lever', the lever's id), with a status and an optional contact."""

    __tablename__ = "work_marks"
    __table_args__ = (UniqueConstraint("municipality_code", "target_kind", "target_id",
                                       name="uq_work_marks_municipality_code_target_kind_target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality_code: Mapped[int] = mapped_column(Integer, index=True)
    target_kind: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(20), default="overvejer")
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), nullable=True,
                                                   index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    updated_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        return MARK_STATUSES.get(self.status, self.status)


class Experience(Base):
    """What happened when a municipality implemented a proposal or a lever: realised amounts per calendar year
    (``realised``: {"2025": -1200.0, …} in 1.000 kr., savings negative), what worked and what did not. Linked to
    an idea-bank proposal, a lever and/or an entry of the municipality's own catalogue. ``public`` experiences
    (without their contact) are shown to everyone; the others to logged-in users."""

    __tablename__ = "experiences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality_code: Mapped[int] = mapped_column(Integer, index=True)
    title: Mapped[str] = mapped_column(String(300))
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"), nullable=True,
                                                    index=True)
    lever_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    catalogue_proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalogue_proposals.id", ondelete="SET NULL"), nullable=True, index=True)
    area_id: Mapped[str | None] = mapped_column(String(50), nullable=True)
    realised: Mapped[dict[str, float] | None] = mapped_column(JSON, nullable=True)
    what_worked: Mapped[str] = mapped_column(Text, default="")
    what_did_not: Mapped[str] = mapped_column(Text, default="")
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), nullable=True,
                                                   index=True)
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Network(Base):
    """A råderum network ("Råderumsnetværk Øst 2027"): member municipalities, coordinators, and the coordinators'
    running notes (``notes``)."""

    __tablename__ = "networks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class NetworkMember(Base):
    """A municipality in a network."""

    __tablename__ = "network_members"

    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True)
    municipality_code: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    added_by: Mapped[str] = mapped_column(String(64))


class NetworkCoordinator(Base):
    """A user who coordinates a network (writes its meetings and notes)."""

    __tablename__ = "network_coordinators"

    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    added_by: Mapped[str] = mapped_column(String(64))


#: What a member can share with its network.
SHARE_KINDS: dict[str, str] = {"shortlist": "kortliste", "scenario": "katalogscenarie"}


class NetworkShare(Base):
    """A member's shortlist (``kind`` 'shortlist') or catalogue scenario ('scenario', ``scenario_id``) shared
    read-only with the other members of a network."""

    __tablename__ = "network_shares"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    municipality_code: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    scenario_id: Mapped[int | None] = mapped_column(ForeignKey("catalogue_scenarios.id", ondelete="CASCADE"),
                                                    nullable=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))


class NetworkMeeting(Base):
    """A meeting of a network with its agenda and minutes (written by the coordinators)."""

    __tablename__ = "network_meetings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    network_id: Mapped[int] = mapped_column(ForeignKey("networks.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    held_on: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(300), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class DigestSubscription(Base):
    """A user's subscription to the monthly digest "Råderum": the areas and committees it is filtered by (empty =
    everything), whether it is sent by e-mail and to which address, and the random key of the user's private feed
    and unsubscribe links (a new key revokes the old links)."""

    __tablename__ = "digest_subscriptions"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), default="")
    email_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    committees: Mapped[list[str]] = mapped_column(JSON, default=list)
    link_key: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class DigestSend(Base):
    """One digest for one user and month: claimed ('sending') before the e-mail goes, 'sent' after; a re-run skips
    the months already sent, so nobody gets the same digest twice."""

    __tablename__ = "digest_sends"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # YYYY-MM
    status: Mapped[str] = mapped_column(String(20))
    email: Mapped[str] = mapped_column(String(254))
    items: Mapped[int] = mapped_column(Integer, default=0)
    message_id: Mapped[str] = mapped_column(String(200), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AppSecret(Base):
    """A secret the app generates once and keeps in the app store (so every worker and node shares it): the key
    that signs feed and unsubscribe links, unless RAADERUM_SECRET_KEY is set."""

    __tablename__ = "app_secrets"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
