"""The operator's import of idea-bank workbooks: a service (permission ``ideas.import``, audit in the same
transaction as the proposals it stores). The web's /admin/import and ``raaderum ideas import`` both call
:func:`import_workbook`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from raaderum.ideas.excel_import import ImportReport
from raaderum.server.permissions import require
from raaderum.store import audit
from raaderum.store.ideas import IdeaStore
from raaderum.store.import_profiles import delete_profile as _delete_profile
from raaderum.store.models import User
from raaderum.store.transactions import transaction


def import_workbook(store: IdeaStore, actor: User, path: str | Path, *, dry_run: bool = False,
                    savings_positive: bool | None = None, file_name: str | None = None,
                    overrides: Mapping[str, Any] | None = None, accept: bool = False, use_profiles: bool = True,
                    save_profile_as: str | None = None) -> ImportReport:
    """Read the workbook at ``path`` and, unless ``dry_run`` or the mapping still needs a decision
    (``report.stopped``), store its new proposals and the confirmed layout profiles (``save_profile_as``) with ONE
    audit row (file, sha256, counts, assumptions, profiles used and saved), all in one transaction. A dry run needs
    the same permission and writes nothing. ``overrides``/``accept`` are the operator's corrections and
    confirmation (see :meth:`raaderum.store.ideas.IdeaStore.import_workbook`)."""
    require(actor, "ideas.import")

    def write_audit(s: Session, report: ImportReport) -> None:
        audit.record(s, actor, "ideas.import", "import_batch", report.batch_id or "-", None,
                     {"file": file_name or report.file_name, "sha256": report.file_sha256,
                      "counts": report.counts(), "assumptions": list(getattr(report, "assumptions", []) or []),
                      "profiles_used": list(getattr(report, "profiles_used", []) or []),
                      "profiles_saved": list(getattr(report, "saved_profiles", []) or [])})

    return store.import_workbook(path, dry_run=dry_run, savings_positive=savings_positive, within=write_audit,
                                 overrides=overrides, accept=accept, use_profiles=use_profiles,
                                 save_profile_as=save_profile_as, user_name=actor.name, file_name=file_name)


def delete_profile(store: IdeaStore, actor: User, name: str) -> None:
    """Service: delete a saved layout profile (action ``ideas.import``), audited in the same transaction."""
    require(actor, "ideas.import")
    with transaction(store.engine) as s:
        gone = _delete_profile(s, name)
        snapshot = gone.to_dict() if hasattr(gone, "to_dict") else {"name": name}
        audit.record(s, actor, "ideas.import", "import_profile", name, snapshot, None)


__all__ = ["delete_profile", "import_workbook"]
