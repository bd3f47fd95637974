"""The one settings registry (like Datasette's ``SETTINGS``): every setting Råderum reads from its environment.

Each :class:`Setting` has a name, an environment variable, a default, a type and a one-line Danish help text.
:func:`load` reads them all from an environment (default ``os.environ``) into a frozen :class:`Settings`; no
other module reads ``os.environ``. The web app gets its settings as ``create_app(settings)``, the CLI reads them
once per command, and ``raaderum config`` prints them (secrets masked). The README's table of settings is
checked against :data:`SETTINGS` by a test.

    >>> s = load({"RAADERUM_PAGE_CACHE": "0"})
    >>> s.page_cache, s.warm_up
    (False, True)

:func:`current` is the settings of the running process: read once, and read again only when one of the
variables has changed (tests change them per test).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from raaderum.errors import SettingError


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: Any
    type: str  # "str" | "path" | "bool" | "int" | "float"
    help: str
    secret: bool = False
    #: The values allowed (empty: any value of the type).
    choices: tuple[str, ...] = ()


_TRUE = {"1", "true", "ja", "yes", "on"}
_FALSE = {"0", "false", "nej", "no", "off"}


def _bool(raw: str) -> bool:
    v = raw.strip().lower()
    if v in _TRUE:
        return True
    if v in _FALSE:
        return False
    raise ValueError("forventede 1/0, true/false eller ja/nej")


_PARSE: dict[str, Callable[[str], Any]] = {
    "str": lambda raw: raw.strip(), "path": lambda raw: Path(raw.strip()).expanduser(), "bool": _bool,
    "int": lambda raw: int(raw.strip()), "float": lambda raw: float(raw.strip()),
}

MIB = 1024 * 1024

#: THE registry. Order is the order ``raaderum config`` and the README show.
SETTINGS: tuple[Setting, ...] = (
    Setting("home", "RAADERUM_HOME", None, "path",
            "Mappe til app-databasen (SQLite) og hentede datareleaser; standard $XDG_DATA_HOME/raaderum "
            "eller ~/.local/share/raaderum."),
    Setting("xdg_data_home", "XDG_DATA_HOME", None, "path",
            "Brugerens datamappe efter XDG-standarden; bruges, når RAADERUM_HOME ikke er sat."),
    Setting("release", "RAADERUM_RELEASE", None, "path",
            "Mappe med den datarelease, der skal bruges, i stedet for den skiftede eller den indlejrede."),
    Setting("database_url", "RAADERUM_DATABASE_URL", None, "str",
            "App-databasen som SQLAlchemy-URL (fx postgresql+psycopg://bruger@vaert/db); standard en "
            "SQLite-fil i RAADERUM_HOME.", secret=True),
    Setting("db_pool_size", "RAADERUM_DB_POOL_SIZE", 20, "int",
            "Forbindelser til app-databasen (PostgreSQL), som hver proces holder åbne; lige så mange til kan "
            "åbnes kortvarigt ved spidsbelastning. Hold arbejdsprocesser × 2 × værdien under PostgreSQL's "
            "max_connections."),
    Setting("secure_cookies", "RAADERUM_SECURE_COOKIES", False, "bool",
            "Sæt Secure på sessionscookien, også når appen selv ser http (bag en TLS-proxy)."),
    Setting("page_cache", "RAADERUM_PAGE_CACHE", True, "bool",
            "Gem sider i hukommelsen pr. arbejdsproces: offentlige sider (nøglet på release og app-databasens "
            "revision) og netværks-, forslags- og grebsider for den session, der så dem (kun så længe intet i "
            "app-databasen er ændret)."),
    Setting("warm_up", "RAADERUM_WARM_UP", True, "bool",
            "Beregn standardbenchmarks og søgeindeks, før den første forespørgsel besvares."),
    Setting("search_refresh_seconds", "RAADERUM_SEARCH_REFRESH_SECONDS", 0.0, "float",
            "Højst så ofte (sekunder) genopbygges søgeindekset i baggrunden efter ændringer fra andre processer; "
            "0 = før hvert svar. `raaderum serve` bruger 1, når den ikke er sat."),
    Setting("max_body_bytes", "RAADERUM_MAX_BODY_BYTES", MIB, "int",
            "Største tilladte krop (bytes) for en formular eller JSON-forespørgsel; større afvises med 413."),
    Setting("max_upload_bytes", "RAADERUM_MAX_UPLOAD_BYTES", 25 * MIB, "int",
            "Største tilladte upload (bytes) af en projektmappe; større afvises med 413."),
    Setting("max_form_fields", "RAADERUM_MAX_FORM_FIELDS", 200, "int",
            "Største antal felter i en formular; flere afvises med 400, før formularen læses."),
    Setting("public_url", "RAADERUM_PUBLIC_URL", "http://127.0.0.1:8000", "str",
            "Sitets offentlige adresse (uden afsluttende /); bruges i links i nyhedsbrevets e-mails og feeds."),
    Setting("secret_key", "RAADERUM_SECRET_KEY", None, "str",
            "Nøglen, der signerer private feed- og afmeldingslinks; ikke sat = en tilfældig nøgle, som appen selv "
            "laver og gemmer i app-databasen.", secret=True),
    Setting("smtp_host", "RAADERUM_SMTP_HOST", None, "str",
            "SMTP-server til nyhedsbrevet Råderum; ikke sat = `digest send` kan kun køre med --dry-run."),
    Setting("smtp_port", "RAADERUM_SMTP_PORT", 25, "int", "SMTP-serverens port (typisk 25, 587 med starttls, 465 "
            "med ssl)."),
    Setting("smtp_tls", "RAADERUM_SMTP_TLS", "none", "str",
            "Kryptering mod SMTP-serveren: none, starttls eller ssl.", choices=("none", "starttls", "ssl")),
    Setting("smtp_user", "RAADERUM_SMTP_USER", None, "str", "Brugernavn på SMTP-serveren (ikke sat = intet login)."),
    Setting("smtp_password", "RAADERUM_SMTP_PASSWORD", None, "str", "Adgangskode på SMTP-serveren.", secret=True),
    Setting("smtp_sender", "RAADERUM_SMTP_SENDER", "Råderum <raaderum@localhost>", "str",
            "Afsenderen (From) på nyhedsbrevets e-mails."),
)

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """The values of every setting (see :data:`SETTINGS`)."""

    home: Path | None = None
    xdg_data_home: Path | None = None
    release: Path | None = None
    database_url: str | None = None
    db_pool_size: int = 20
    secure_cookies: bool = False
    page_cache: bool = True
    warm_up: bool = True
    search_refresh_seconds: float = 0.0
    max_body_bytes: int = MIB
    max_upload_bytes: int = 25 * MIB
    max_form_fields: int = 200
    public_url: str = "http://127.0.0.1:8000"
    secret_key: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_tls: str = "none"
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_sender: str = "Råderum <raaderum@localhost>"
    #: Which settings were given in the environment (the others have their defaults).
    given: frozenset[str] = frozenset()

    @property
    def home_dir(self) -> Path:
        """Where Råderum keeps its files: RAADERUM_HOME, else $XDG_DATA_HOME/raaderum, else ~/.local/share."""
        if self.home is not None:
            return self.home
        base = self.xdg_data_home if self.xdg_data_home is not None else Path.home() / ".local" / "share"
        return base / "raaderum"

    @property
    def app_database_url(self) -> str:
        """``database_url`` when set, else the SQLite file ``<home>/raaderum.sqlite``."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home_dir / 'raaderum.sqlite'}"

    def replace(self, **changes: Any) -> Settings:
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        values["given"] = frozenset(self.given | set(changes))
        return Settings(**values)

    def shown(self) -> list[dict[str, Any]]:
        """Every setting with its value as ``raaderum config`` prints it (secrets masked)."""
        out = []
        for s in SETTINGS:
            value = getattr(self, s.name)
            if s.secret and value:
                value = mask_secret(str(value))
            out.append({"name": s.name, "env": s.env, "value": None if value is None else str(value),
                        "default": None if s.default is None else str(s.default), "type": s.type,
                        "given": s.name in self.given, "help": s.help})
        return out


def mask_secret(value: str) -> str:
    """A database URL with its password replaced by ``***`` (anything else: fully masked)."""
    if "://" in value and "@" in value:
        scheme, rest = value.split("://", 1)
        cred, host = rest.rsplit("@", 1)
        user = cred.split(":", 1)[0]
        return f"{scheme}://{user}{':***' if ':' in cred else ''}@{host}"
    return value if "://" in value else "***"


def load(environ: Mapping[str, str] | None = None) -> Settings:
    """Read every setting from ``environ`` (default ``os.environ``); :class:`SettingError` names a bad value."""
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    given = set()
    for s in SETTINGS:
        raw = env.get(s.env)
        if raw is None or raw.strip() == "":
            continue
        try:
            values[s.name] = _PARSE[s.type](raw)
        except ValueError as e:
            raise SettingError(f"Ugyldig værdi for {s.env}: {raw!r} ({e}).") from None
        if s.choices and values[s.name] not in s.choices:
            raise SettingError(f"Ugyldig værdi for {s.env}: {raw!r} (brug {', '.join(s.choices)}).")
        given.add(s.name)
    return Settings(**values, given=frozenset(given))


_lock = threading.Lock()
_cached: tuple[tuple[str | None, ...], Settings] | None = None


def current() -> Settings:
    """The settings of this process: :func:`load` of ``os.environ``, read again only when a variable changed."""
    global _cached
    key = tuple(os.environ.get(s.env) for s in SETTINGS)
    with _lock:
        if _cached is None or _cached[0] != key:
            _cached = (key, load())
        return _cached[1]


def set_default(name: str, value: str) -> None:
    """Give setting ``name`` a value for this process and its children, unless the environment already has one
    (``raaderum serve`` turns on the background search refresh this way, for every worker it starts)."""
    os.environ.setdefault(BY_NAME[name].env, value)


__all__ = ["BY_NAME", "SETTINGS", "Setting", "Settings", "current", "load", "mask_secret",
           "set_default"]
