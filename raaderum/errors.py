"""The exception tree of Råderum. Every error carries its own HTTP status and CLI exit code.

Every error a user can cause carries a message a finance officer can act on: what was wrong, and where. The
web app (:mod:`raaderum.web.errors`) and the CLI (:mod:`raaderum.cli._common`) map errors with ONE rule each:
``exc.status`` becomes the HTTP status, ``exc.exit_code`` the exit code of the command. A subclass inherits both
from the base it derives from, so a new error needs no new handler.

Exit codes: 2 = the user must change something (input, name, permission, a conflicting edit); 3 = try again
later (a dependency is down); 1 = a bug.

    RaaderumError                        500 / 1   (never raised itself)
    ├── InvalidInput                     400 / 2   bad parameters, files or form fields
    │   ├── InputError                             a parameter or file that cannot be used
    │   ├── WorkbookError                          an Excel file that cannot be read at all
    │   ├── DataNotAvailable                       a figure the release does not hold (year, area)
    │   ├── EstimationError                        a model that cannot be estimated on the data
    │   └── SettingError                           an environment variable that cannot be read
    ├── NotFound                         404 / 2   something asked for by name or id that does not exist
    │   ├── UnknownMunicipality                    a name or code that is none of the 98 (with suggestions)
    │   ├── UnknownArea                            a service-area id the catalogue does not know
    │   ├── UnknownDeaSpec                         a DEA specification id the registry does not know
    │   ├── UnknownLever                           a lever id that is neither shipped nor created
    │   ├── ProposalNotFound                       a proposal id that is not in the idea bank
    │   ├── ShortlistItemNotFound                  a shortlist entry that does not exist (any more)
    │   ├── ShareLinkNotFound                      a share link that does not exist or is revoked
    │   ├── ImportProfileNotFound                  a saved import (layout) profile that does not exist
    │   ├── CatalogueNotFound                      a råderumskatalog id (or name) that does not exist
    │   ├── CatalogueProposalNotFound              a proposal id that is in no råderumskatalog
    │   ├── ScenarioNotFound                       a scenario id or name that is not in the catalogue
    │   ├── DigestLinkNotFound                     a feed or unsubscribe link whose signature does not hold
    │   └── UnknownUser                            no user with that name or id
    ├── Conflict                         409 / 2
    │   ├── ConflictError                          someone changed the row after the form was opened
    │   └── AccountError                           a user account change that cannot be made (name taken)
    ├── Unauthenticated                  401 / 2   not logged in, or wrong name or password
    │   └── AuthenticationFailed
    │       ├── UserDisabled                       the account has been disabled
    │       └── TooManyAttempts          429 / 2   too many failed logins: wait (``retry_after`` seconds)
    ├── Forbidden                        403 / 2
    │   └── PermissionDenied                       the role does not allow the action (for this municipality)
    ├── PayloadTooLarge                  413 / 2   a request body or upload over its limit
    └── Unavailable                      503 / 3   a dependency is down or not ready; try again later
        ├── StoreError                             the app store cannot be used
        │   ├── SchemaNotCurrent                   the database needs ``raaderum db migrate``
        │   ├── BackupError                        a backup that cannot be written or restored
        │   └── IndexFileChanged                   the saved search index changed under a process (it rebuilds)
        ├── MailNotConfigured                      no SMTP server is set up for the digest's e-mails
        ├── DataReleaseError                       a release that is missing, corrupt or partial
        │   └── ReleaseCheckFailed                 a release that loads but fails its checks
        └── StatbankError                          talking to Statistics Denmark's API went wrong
            ├── StatbankHTTPError                  the API answered with an HTTP error
            ├── StatbankTimeout                    no answer in time, after the retries
            └── StatbankFormatError                the answer could not be read (CSV/JSON-stat)
"""

from __future__ import annotations


class RaaderumError(Exception):
    """Base class of every error Råderum raises on purpose."""

    #: HTTP status of the answer when this error reaches the web app.
    status: int = 500
    #: Exit code of the command when this error reaches the CLI.
    exit_code: int = 1
    #: Danish title of the error page.
    title: str = "Fejl"
    #: Extra HTTP headers of the answer (e.g. Retry-After).
    headers: dict[str, str] = {}


# ------------------------------------------------------------------------------------------------ base classes


class InvalidInput(RaaderumError, ValueError):
    """The request (parameters, file, form) cannot be used as given."""

    status, exit_code, title = 400, 2, "Ugyldig forespørgsel"


class NotFound(RaaderumError, LookupError):
    """What was asked for by name or id does not exist."""

    status, exit_code, title = 404, 2, "Findes ikke"


class Conflict(RaaderumError):
    """The change conflicts with the current state (someone else changed it, or the name is taken)."""

    status, exit_code, title = 409, 2, "Ændringen er ikke gemt"


class Unauthenticated(RaaderumError):
    """Not logged in, or the login failed."""

    status, exit_code, title = 401, 2, "Log ind"


class Forbidden(RaaderumError):
    """Logged in, but not allowed to do this."""

    status, exit_code, title = 403, 2, "Ingen adgang"


class PayloadTooLarge(InvalidInput):
    """A request body or an uploaded file over its limit (rejected before it is parsed)."""

    status, title = 413, "For stor forespørgsel"


class Unavailable(RaaderumError):
    """A dependency (the app store, the data release, Statistics Denmark) is down or not ready."""

    status, exit_code, title = 503, 3, "Midlertidigt utilgængelig"
    headers = {"Retry-After": "5"}


# ------------------------------------------------------------------------------------------------ input


class InputError(InvalidInput):
    """Bad user input: a parameter or file that cannot be used, with where and why."""


class WorkbookError(InvalidInput):
    """An Excel file that cannot be read at all (not a workbook, encrypted, corrupt, over the limits)."""


class DataNotAvailable(InvalidInput, LookupError):
    """A figure the data release does not hold (e.g. a year outside the release)."""


class EstimationError(InvalidInput):
    """A statistical model that cannot be estimated on the data at hand."""


class SettingError(InvalidInput):
    """A setting (environment variable) whose value cannot be read; the message names the variable."""


# ------------------------------------------------------------------------------------------------ not found


class UnknownMunicipality(NotFound):
    """A municipality name or code that matches none of the 98 municipalities."""

    title = "Ukendt kommune"

    def __init__(self, query: str, suggestions: list[str] | None = None) -> None:
        self.query = query
        self.suggestions = list(suggestions or [])
        msg = f"Ukendt kommune: {query!r}."
        if self.suggestions:
            msg += " Mente du: " + ", ".join(self.suggestions) + "?"
        super().__init__(msg)


class UnknownArea(NotFound):
    """A service-area id that is not in the catalogue."""


class UnknownDeaSpec(NotFound):
    """A DEA specification id (or label) that is not in the registry of :mod:`raaderum.analysis.dea`."""


class UnknownLever(NotFound):
    """A lever id that is neither shipped nor created by the operator."""


class ProposalNotFound(NotFound):
    """A proposal id that is not in the idea bank."""


class ShortlistItemNotFound(NotFound):
    """A shortlist entry that does not exist (any more)."""


class ShareLinkNotFound(NotFound):
    """A share link that does not exist or has been revoked."""


class ImportProfileNotFound(NotFound):
    """A saved import profile (a workbook layout) asked for by name or id that does not exist."""


class CatalogueNotFound(NotFound):
    """A råderumskatalog asked for by id (or by name) that does not exist."""


class CatalogueProposalNotFound(NotFound):
    """A proposal id that is in no råderumskatalog (the idea bank's proposals are :class:`ProposalNotFound`)."""


class ScenarioNotFound(NotFound):
    """A scenario id or name that is not in the catalogue."""


class UnknownUser(NotFound):
    """No user with that name or id."""


class DigestLinkNotFound(NotFound):
    """A private feed or unsubscribe link of the digest whose user or signature does not hold (or was revoked)."""

    title = "Linket findes ikke"


class NetworkNotFound(NotFound):
    """A network that does not exist, or that the user may not see (non-members are not told it exists)."""


class ContactNotFound(NotFound):
    """A contact person that does not exist (any more)."""


class MarkNotFound(NotFound):
    """A "Vi arbejder med dette" mark that does not exist (any more)."""


class ExperienceNotFound(NotFound):
    """An experience (erfaring) that does not exist (any more), or that the user may not see."""


class MeetingNotFound(NotFound):
    """A network meeting that does not exist (any more)."""


class NetworkShareNotFound(NotFound):
    """Something shared with a network that does not exist (any more), or that the user may not see."""


# ------------------------------------------------------------------------------------------------ conflict


class ConflictError(Conflict):
    """Someone else changed the row after the form was opened; nothing was saved."""


class AccountError(Conflict):
    """Something about a user account that cannot be done (the message says what and why)."""


# ------------------------------------------------------------------------------------------------ login, access


class AuthenticationFailed(Unauthenticated):
    """Wrong user name or password (deliberately the same message for both)."""


class UserDisabled(AuthenticationFailed):
    """The account exists but has been disabled by the operator."""


class TooManyAttempts(AuthenticationFailed):
    """Too many failed logins from this address (for this user name); wait and try again."""

    status, title = 429, "For mange forsøg"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


class PermissionDenied(Forbidden):
    """The user's role does not allow the action (for this municipality)."""


# ------------------------------------------------------------------------------------------------ unavailable


class StoreError(Unavailable):
    """The app store cannot be used (not created, not reachable, or a concurrent change got in the way)."""


class SchemaNotCurrent(StoreError):
    """The database's schema is older (or newer) than this Råderum; run ``raaderum db migrate``."""

    title = "Databasen skal opdateres"


class BackupError(StoreError):
    """A backup file that cannot be written or restored (with the reason and what to do)."""

    status, exit_code, title = 400, 2, "Backup kan ikke bruges"


class IndexFileChanged(StoreError):
    """The saved search index was replaced or cannot be read while a process used it; the index is rebuilt."""


class MailNotConfigured(Unavailable):
    """The digest should be sent by e-mail, but no SMTP server is set up (RAADERUM_SMTP_HOST)."""

    title = "E-mail er ikke sat op"


class DataReleaseError(Unavailable):
    """A data release that is missing, corrupt or partial."""

    exit_code, title = 2, "Datareleasen kan ikke bruges"


class ReleaseCheckFailed(DataReleaseError):
    """A data release whose content fails the checks made on load."""


class StatbankError(Unavailable):
    """Talking to Statistics Denmark's API (Statistikbanken) went wrong."""

    exit_code = 2


class StatbankHTTPError(StatbankError):
    """The API answered with an HTTP error status."""

    def __init__(self, message: str, status_code: int | None = None) -> None:
        self.status_code = status_code
        super().__init__(message)


class StatbankTimeout(StatbankError):
    """The API did not answer in time, also after retrying."""


class StatbankFormatError(StatbankError):
    """The API's answer could not be read as the format asked for."""


def public_errors() -> dict[str, type[RaaderumError]]:
    """Every error class this module defines, by name (what ``__all__`` must export; a test checks it)."""
    return {name: obj for name, obj in globals().items()
            if isinstance(obj, type) and issubclass(obj, RaaderumError)}


__all__ = [
    "AccountError", "AuthenticationFailed", "BackupError", "CatalogueNotFound", "CatalogueProposalNotFound",
    "Conflict", "ConflictError", "ContactNotFound", "DataNotAvailable",
    "DataReleaseError", "DigestLinkNotFound", "EstimationError", "Forbidden", "ExperienceNotFound",
    "ImportProfileNotFound", "IndexFileChanged",
    "InputError", "InvalidInput", "MarkNotFound", "MeetingNotFound", "NetworkNotFound", "NetworkShareNotFound",
    "MailNotConfigured", "NotFound", "PayloadTooLarge",
    "PermissionDenied", "ProposalNotFound", "RaaderumError", "ReleaseCheckFailed", "ScenarioNotFound",
    "SchemaNotCurrent", "SettingError",
    "ShareLinkNotFound", "ShortlistItemNotFound", "StatbankError", "StatbankFormatError", "StatbankHTTPError",
    "StatbankTimeout", "StoreError", "TooManyAttempts", "Unauthenticated", "Unavailable", "UnknownArea",
    "UnknownDeaSpec", "UnknownLever", "UnknownMunicipality", "UnknownUser", "UserDisabled", "WorkbookError",
    "public_errors",
]
