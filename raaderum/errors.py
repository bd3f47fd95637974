"""The exception tree of Råderum.

Every error a user can cause carries a message a finance officer can act on:
what was wrong, and where.

    RaaderumError
    ├── UnknownMunicipality        a name or code that is none of the 98
    ├── UnknownArea                a service-area id the catalogue does not know
    ├── DataReleaseError           a release that is missing, corrupt or partial
    │   └── ReleaseCheckFailed     a release that loads but fails its checks
    ├── DataNotAvailable           a figure the release does not hold (year, area)
    ├── StatbankError              talking to Statistics Denmark's API went wrong
    │   ├── StatbankHTTPError      the API answered with an HTTP error
    │   ├── StatbankTimeout        no answer in time, after the retries
    │   └── StatbankFormatError    the answer could not be read (CSV/JSON-stat)
    ├── EstimationError            a model that cannot be estimated on the data
    └── InputError                 bad user input (parameters, files)
"""

from __future__ import annotations


class RaaderumError(Exception):
    """Base class of every error Råderum raises on purpose."""


class UnknownMunicipality(RaaderumError, LookupError):
    """A municipality name or code that matches none of the 98 municipalities."""

    def __init__(self, query: str, suggestions: list[str] | None = None) -> None:
        self.query = query
        self.suggestions = list(suggestions or [])
        msg = f"Ukendt kommune: {query!r}."
        if self.suggestions:
            msg += " Mente du: " + ", ".join(self.suggestions) + "?"
        super().__init__(msg)


class UnknownArea(RaaderumError, LookupError):
    """A service-area id that is not in the catalogue."""


class DataReleaseError(RaaderumError):
    """A data release that is missing, corrupt or partial."""


class ReleaseCheckFailed(DataReleaseError):
    """A data release whose content fails the checks made on load."""


class DataNotAvailable(RaaderumError, LookupError):
    """A figure the data release does not hold (e.g. a year outside the release)."""


class StatbankError(RaaderumError):
    """Talking to Statistics Denmark's API (Statistikbanken) went wrong."""


class StatbankHTTPError(StatbankError):
    """The API answered with an HTTP error status."""

    def __init__(self, message: str, status_code: int | None = None) -> None:
        self.status_code = status_code
        super().__init__(message)


class StatbankTimeout(StatbankError):
    """The API did not answer in time, also after retrying."""


class StatbankFormatError(StatbankError):
    """The API's answer could not be read as the format asked for."""


class EstimationError(RaaderumError):
    """A statistical model that cannot be estimated on the data at hand."""


class InputError(RaaderumError, ValueError):
    """Bad user input: a parameter or file that cannot be used, with where and why."""
