"""The operator's import of idea-bank workbooks: a service (permission ``ideas.import``, audit in the same
transaction as the proposals it stores). The web's /admin/import and ``raaderum ideas import`` both call
:func:`import_workbook`.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from raaderum.ideas.excel_import import ImportReport
from raaderum.server.permissions import require
from raaderum.store import audit
from raaderum.store.ideas import IdeaStore
from raaderum.store.models import User


def import_workbook(store: IdeaStore, actor: User, path: str | Path, *, dry_run: bool = False,
                    savings_positive: bool = False, file_name: str | None = None) -> ImportReport:
    """Read the workbook at ``path`` and, unless ``dry_run``, store its new proposals with one audit row
    (file, sha256, counts), both in one transaction. A dry run needs the same permission and writes nothing."""
    require(actor, "ideas.import")

    def write_audit(s: Session, report: ImportReport) -> None:
        audit.record(s, actor, "ideas.import", "import_batch", report.batch_id or "-", None,
                     {"file": file_name or report.file_name, "sha256": report.file_sha256,
                      "counts": report.counts()})

    return store.import_workbook(path, dry_run=dry_run, savings_positive=savings_positive, within=write_audit)


__all__ = ["import_workbook"]
