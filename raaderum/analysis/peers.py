"""Peer municipalities (sammenligningskommuner) from structural conditions (rammevilkår).

The core is pure numpy over a standardised matrix ``Z`` (municipalities × variables):

    d(i, j) = sqrt( Σ_v w_v · (z_iv − z_jv)² )

with ``z = (x − mean) / sd`` over the 98 municipalities in the year (population sd, ``ddof=0``) and ``x`` the
transformed variable of ``raaderum/catalog/peers.toml``. Each variable's contribution to a peer's distance is
its share of d², ``w_v · (z_iv − z_jv)² / d²`` (the shares sum to 1). The peers are the k nearest, ties broken
by the lower municipality code; the municipality itself is never its own peer. Spending is never used.

    >>> import numpy as np
    >>> Z = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0]])
    >>> d, c = structural_distance(Z, np.array([1.0, 1.0]), 0)
    >>> d.tolist(), c[2].tolist()
    ([0.0, 1.0, 2.0], [0.0, 1.0])
    >>> nearest(d, 0, 1).tolist()
    [1]

:func:`choose_peers` reads the release and returns a :class:`PeerSet` for the k nearest or a fixed group
(Statistics Denmark's municipality group, the region, all, or an explicit list).

The variables and weights come from a *peer model* (:class:`PeerCatalog`), a registry entry of
``raaderum/catalog/peers.toml`` with a Danish name and a reason per weight (:class:`PeerRegistry`): the standard
model (size, urbanity, growth, age structure and the social conditions: the Ministry's socio-economic index,
unemployment, education) and area models (ældre: the oldest old and density; skole: children's share and social
conditions; beskæftigelse: unemployment and education). ``model="auto"`` picks the model of an area.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from raaderum.errors import InputError, UnknownMunicipality
from raaderum.release.municipalities import Municipality
from raaderum.release.reader import Release

#: The tolerance under which a standard deviation counts as zero (the variable is then dropped).
ZERO_SD = 1e-12


# --------------------------------------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class PeerVariable:
    """A structural variable used for the distance: its release source, transformation, weight and reason."""

    id: str
    source: str
    transform: str  # "log" | "identity"
    weight: float
    name: str
    reason: str


@dataclass(frozen=True)
class PeerCatalog:
    """One peer model: its variables with weights and reasons, and the defaults for k and stability.

    (The name is historical: the first release had one model, the "catalogue".) ``areas`` are the service areas
    whose own model this is; ``id``/``name``/``explanation`` identify it in the CLI (``--peer-model``), web and API.
    """

    version: str
    variables: tuple[PeerVariable, ...]
    default_k: int
    stability_draws: int
    stability_perturbation: float
    stability_seed: int
    id: str = "standard"
    name: str = "Standardmodel"
    explanation: str = ""
    areas: tuple[str, ...] = ()

    def ids(self) -> list[str]:
        return [v.id for v in self.variables]

    def default_weights(self) -> dict[str, float]:
        return {v.id: v.weight for v in self.variables}

    def used(self) -> list[PeerVariable]:
        """The variables with a default weight above 0."""
        return [v for v in self.variables if v.weight > 0]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "explanation": self.explanation, "areas": list(self.areas),
                "variables": [{"id": v.id, "name": v.name, "source": v.source, "transform": v.transform,
                               "weight": v.weight, "reason": v.reason} for v in self.variables],
                "default_k": self.default_k, "version": self.version}


#: The peer-model choice "each area uses its own model" (``models.areas`` in peers.toml; the standard otherwise).
AUTO_MODEL = "auto"
AUTO_MODEL_NAME = "Områdets egen model"
AUTO_MODEL_EXPLANATION = ("Hvert serviceområde sammenlignes med de kommuner, der ligner mest på områdets egne "
                          "rammevilkår (fx ældremodellen for ældreplejen); områder uden egen model bruger "
                          "standardmodellen.")


@dataclass(frozen=True)
class PeerSetMethod:
    """A way of choosing peers other than the structural distance (``[peer_sets.*]`` in peers.toml), e.g. the
    reference municipalities on the DEA frontier: its id (the ``peers`` value), Danish name and reason."""

    id: str
    name: str
    reason: str


@dataclass(frozen=True)
class PeerRegistry:
    """Every peer model of ``raaderum/catalog/peers.toml`` and which one each service area uses."""

    version: str
    models: dict[str, PeerCatalog]
    default_model: str
    peer_sets: dict[str, PeerSetMethod] = field(default_factory=dict)

    def model(self, model_id: str | None = None) -> PeerCatalog:
        mid = self.default_model if model_id is None else model_id
        try:
            return self.models[mid]
        except KeyError:
            raise InputError(f"Ukendt sammenligningsmodel {model_id!r}. Vælg en af: "
                             f"{', '.join([*self.models, AUTO_MODEL])}.") from None

    def model_for_area(self, area_id: str) -> PeerCatalog:
        for m in self.models.values():
            if area_id in m.areas:
                return m
        return self.models[self.default_model]

    def resolve(self, text: str | None) -> str:
        """A model id (or :data:`AUTO_MODEL`) from an id or Danish name, case-insensitively."""
        if text is None or not str(text).strip():
            return self.default_model
        key = " ".join(str(text).split()).casefold()
        if key in (AUTO_MODEL, "omraade", "område", "områdets model", AUTO_MODEL_NAME.casefold()):
            return AUTO_MODEL
        for m in self.models.values():
            if key in (m.id.casefold(), m.name.casefold()):
                return m.id
        raise InputError(f"Ukendt sammenligningsmodel {text!r}. Vælg en af: {', '.join([*self.models, AUTO_MODEL])}.")

    def choices(self) -> list[dict[str, str]]:
        """The choices of a model switch, with Danish labels: every model, then "each area its own model"."""
        out = [{"id": m.id, "name": m.name, "explanation": m.explanation} for m in self.models.values()]
        out.append({"id": AUTO_MODEL, "name": AUTO_MODEL_NAME, "explanation": AUTO_MODEL_EXPLANATION})
        return out


def _variable_defs(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    defs: dict[str, dict[str, Any]] = {}
    for v in raw.get("variables", []):
        transform = v.get("transform", "identity")
        if transform not in ("log", "identity"):
            raise InputError(f"Sammenligningsvariablen {v.get('id')!r} har en ukendt transformation {transform!r}.")
        if v["id"] in defs:
            raise InputError(f"Sammenligningsvariablen {v['id']!r} er defineret to gange.")
        defs[v["id"]] = v
    return defs


def parse_peer_registry(text: str) -> PeerRegistry:
    """The registry from TOML text (see peers.toml); a file without ``[[models]]`` is one standard model whose
    variables carry their own ``weight`` and ``reason`` (the first release's format)."""
    raw = tomllib.loads(text)
    defs = _variable_defs(raw)
    common = dict(version=str(raw.get("peers_version", "")), default_k=int(raw.get("default_k", 10)),
                  stability_draws=int(raw.get("stability_draws", 200)),
                  stability_perturbation=float(raw.get("stability_perturbation", 0.2)),
                  stability_seed=int(raw.get("stability_seed", 20191125)))

    def var(d: dict[str, Any], weight: float, reason: str) -> PeerVariable:
        return PeerVariable(id=d["id"], source=d.get("source", d["id"]), transform=d.get("transform", "identity"),
                            weight=float(weight), name=d.get("name", d["id"]), reason=reason)

    models: dict[str, PeerCatalog] = {}
    raw_models = raw.get("models") or [{"id": "standard", "name": "Standardmodel", "weights": [
        {"variable": d["id"], "weight": d.get("weight", 1.0), "reason": d.get("reason", "")} for d in defs.values()]}]
    for m in raw_models:
        variables = []
        for w in m.get("weights", []):
            if w["variable"] not in defs:
                raise InputError(f"Sammenligningsmodellen {m['id']!r} bruger en ukendt variabel {w['variable']!r}.")
            if float(w.get("weight", 0)) < 0:
                raise InputError(f"Sammenligningsmodellen {m['id']!r}: vægten for {w['variable']} er negativ.")
            variables.append(var(defs[w["variable"]], w.get("weight", 0.0), w.get("reason", "")))
        models[m["id"]] = PeerCatalog(variables=tuple(variables), id=m["id"], name=m.get("name", m["id"]),
                                      explanation=m.get("explanation", ""), areas=tuple(m.get("areas", ())),
                                      **common)  # type: ignore[arg-type]
    default = str(raw.get("default_model", next(iter(models))))
    if default not in models:
        raise InputError(f"Standardmodellen {default!r} findes ikke blandt sammenligningsmodellerne.")
    peer_sets = {k: PeerSetMethod(id=k, name=str(v["name"]), reason=str(v["reason"]))
                 for k, v in (raw.get("peer_sets") or {}).items()}
    return PeerRegistry(version=common["version"], models=models, default_model=default,  # type: ignore[arg-type]
                        peer_sets=peer_sets)


def parse_peer_catalog(text: str, model: str | None = None) -> PeerCatalog:
    """One model (default: the default model) of a registry given as TOML text."""
    return parse_peer_registry(text).model(model)


@lru_cache(maxsize=1)
def load_peer_registry() -> PeerRegistry:
    """The peer models shipped with the package (``raaderum/catalog/peers.toml``)."""
    text = resources.files("raaderum.catalog").joinpath("peers.toml").read_text(encoding="utf-8")
    return parse_peer_registry(text)


def load_peer_catalog(model: str | None = None) -> PeerCatalog:
    """The shipped peer model ``model`` (default: the standard model)."""
    return load_peer_registry().model(model)


def load_peer_models() -> dict[str, PeerCatalog]:
    """Every shipped peer model by id."""
    return dict(load_peer_registry().models)


# --------------------------------------------------------------------------------------------- pure core


def standardise(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(Z, kept)``: columns of ``X`` as z-scores over the rows; columns with zero variance or a missing
    value are not kept (their Z column is 0)."""
    X = np.asarray(X, dtype=float)
    finite = np.isfinite(X).all(axis=0)
    Z = np.zeros_like(X)
    kept = np.zeros(X.shape[1], dtype=bool)
    for v in np.nonzero(finite)[0]:
        col = X[:, v]
        sd = col.std()
        if sd > ZERO_SD * max(1.0, abs(col.mean())):
            Z[:, v] = (col - col.mean()) / sd
            kept[v] = True
    return Z, kept


def structural_distance(Z: np.ndarray, weights: np.ndarray, i: int) -> tuple[np.ndarray, np.ndarray]:
    """Distances of every row of ``Z`` to row ``i`` and each variable's share of d² (rows with d = 0 get 0)."""
    Z = np.asarray(Z, dtype=float)
    w = np.asarray(weights, dtype=float)
    if w.shape != (Z.shape[1],):
        raise InputError(f"Der er {w.size} vægte til {Z.shape[1]} variable.")
    if (w < 0).any() or not np.isfinite(w).all():
        raise InputError("Vægtene skal være endelige tal ≥ 0.")
    parts = w * (Z - Z[i]) ** 2
    d2 = parts.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        contrib = np.where(d2[:, None] > 0, parts / d2[:, None], 0.0)
    return np.sqrt(d2), contrib


def nearest(d: np.ndarray, i: int, k: int, order: np.ndarray | None = None) -> np.ndarray:
    """Indices of the ``k`` smallest distances, ``i`` excluded; ties broken by ``order`` (default: index)."""
    d = np.asarray(d, dtype=float)
    n = d.shape[0]
    if not 1 <= k <= n - 1:
        raise InputError(f"Antal sammenligningskommuner k skal være mellem 1 og {n - 1}; fik {k}.")
    tie = np.arange(n) if order is None else np.asarray(order)
    key = np.where(np.isnan(d), np.inf, d)
    idx = np.lexsort((tie, key))
    return idx[idx != i][:k]


def stability(Z: np.ndarray, weights: np.ndarray, i: int, k: int, draws: int = 200, perturbation: float = 0.2,
              seed: int = 20191125, order: np.ndarray | None = None) -> np.ndarray:
    """Share of ``draws`` in which each row is among the ``k`` nearest to ``i`` when every weight is multiplied
    by an independent U(1 − perturbation, 1 + perturbation) factor (numpy Generator seeded with ``seed``)."""
    Z = np.asarray(Z, dtype=float)
    w = np.asarray(weights, dtype=float)
    n = Z.shape[0]
    if draws < 1:
        raise InputError("Stabiliteten kræver mindst én trækning.")
    if not 1 <= k <= n - 1:
        raise InputError(f"Antal sammenligningskommuner k skal være mellem 1 og {n - 1}; fik {k}.")
    rng = np.random.default_rng(seed)
    W = w[None, :] * rng.uniform(1 - perturbation, 1 + perturbation, size=(draws, w.size))
    D2 = ((Z - Z[i]) ** 2) @ W.T  # n × draws
    D2[i] = np.inf
    if order is None:
        ranked = np.argsort(D2, axis=0, kind="stable")
    else:  # rows in tie-break order first, so a stable sort breaks ties by ``order``
        pre = np.argsort(np.asarray(order), kind="stable")
        ranked = pre[np.argsort(D2[pre], axis=0, kind="stable")]
    counts = np.zeros(n)
    np.add.at(counts, ranked[:k].ravel(), 1.0)
    return counts / draws


# --------------------------------------------------------------------------------------------- peer specs


#: The ``peers`` value of the DEA reference municipalities: ``dea`` (the specification of the page's area, or
#: :data:`DEA_DEFAULT_SPEC` without one) or ``dea:<specification>``. The codes are looked up by the caller with
#: :func:`raaderum.analysis.dea.dea_peers` (peers cannot import dea: dea builds on the benchmark, which builds on
#: peers) and passed back as ``PeerSpec("dea", codes=..., text=..., label=...)``.
DEA_PEERS = "dea"
DEA_DEFAULT_SPEC = "alle_omraader"


@dataclass(frozen=True)
class PeerSpec:
    """How peers are chosen: ``nearest`` (k), ``group``, ``region``, ``all``, ``list`` (codes) or ``dea`` (the
    reference municipalities on the DEA frontier; ``codes`` filled in by the caller, ``label`` names the
    specification)."""

    kind: str
    k: int | None = None
    codes: tuple[int, ...] = ()
    text: str = ""
    label: str = field(default="", repr=False)

    @property
    def dea_spec(self) -> str | None:
        """The DEA specification of a ``dea:<spec>`` value (None for plain ``dea`` and for other kinds)."""
        if self.kind != DEA_PEERS or ":" not in self.text:
            return None
        return self.text.split(":", 1)[1]

    @property
    def is_nearest(self) -> bool:
        return self.kind == "nearest"


def parse_peer_spec(text: str | int | PeerSpec | None, release: Release | None = None,
                    default_k: int | None = None) -> PeerSpec:
    """``"k=10"`` / ``"10"``, ``"group"``, ``"region"``, ``"all"``, or a comma-separated list of codes or names
    (names need ``release``).

    >>> parse_peer_spec("k=7"), parse_peer_spec("gruppe").kind, parse_peer_spec("101, 147").codes
    (PeerSpec(kind='nearest', k=7, codes=(), text='k=7'), 'group', (101, 147))
    """
    if isinstance(text, PeerSpec):
        return text
    if text is None or (isinstance(text, str) and not text.strip()):
        k = default_k or load_peer_catalog().default_k
        return PeerSpec("nearest", k=k, text=f"k={k}")
    if isinstance(text, int):
        return PeerSpec("nearest", k=text, text=f"k={text}")
    s = " ".join(str(text).split())
    low = s.casefold()
    m = re.fullmatch(r"k\s*=\s*(-?\d+)", low) or re.fullmatch(r"(\d{1,2})", low)
    if m:  # a bare number below 100 is k; municipality codes are 101-860
        k = int(m.group(1))
        if k < 1:
            raise InputError(f"Antal sammenligningskommuner skal være mindst 1; fik {k}.")
        return PeerSpec("nearest", k=k, text=f"k={k}")
    if low in ("group", "gruppe", "kommunegruppe"):
        return PeerSpec("group", text="group")
    if low in ("region",):
        return PeerSpec("region", text="region")
    if low in ("all", "alle"):
        return PeerSpec("all", text="all")
    dea = re.fullmatch(r"dea(?:\s*:\s*([a-zæøå_ -]{1,40}))?", low)
    if dea:
        spec = dea.group(1)
        return PeerSpec(DEA_PEERS, text=f"{DEA_PEERS}:{spec.strip()}" if spec and spec.strip() else DEA_PEERS)
    codes: list[int] = []
    for part in s.split(","):
        part = part.strip()
        if not part:
            continue
        if release is not None:
            codes.append(release.register.resolve(part).code)
        elif re.fullmatch(r"\d{1,4}", part):
            codes.append(int(part))
        else:
            raise InputError(f"Kan ikke læse sammenligningskommunen {part!r} uden en datarelease.")
    if not codes:
        raise InputError(f"Kan ikke læse sammenligningskommunerne {s!r}: brug k=10, group, region, all "
                         "eller en liste af kommunekoder eller navne adskilt med komma.")
    codes = list(dict.fromkeys(codes))
    return PeerSpec("list", codes=tuple(codes), text=",".join(str(c) for c in codes))


def parse_weights(text: str | dict[str, float] | None, catalog: PeerCatalog | None = None) -> dict[str, float]:
    """The weights to use: the catalogue's defaults with the given ones replaced.

    ``text`` is ``"ln_population=2,share_80_plus=0"`` or a dict; a variable may be named by its id or its
    release source (``population`` for ``ln_population``). ``catalog`` is the peer model (default: standard).

    >>> parse_weights("population=2")["ln_population"]
    2.0
    """
    catalog = catalog or load_peer_catalog()
    weights = catalog.default_weights()
    if text is None:
        return weights
    if isinstance(text, str):
        given: dict[str, float] = {}
        for part in text.split(","):
            part = part.strip()
            if not part:
                continue
            if "=" not in part:
                raise InputError(f"Vægten {part!r} skal skrives som variabel=vægt, fx ln_population=2.")
            name, _, raw = part.partition("=")
            try:
                given[name.strip()] = float(raw.strip())
            except ValueError:
                raise InputError(f"Vægten for {name.strip()!r} er ikke et tal: {raw.strip()!r}.") from None
    else:
        given = {str(k): float(v) for k, v in text.items()}
    alias = {v.source: v.id for v in catalog.variables}
    for name, value in given.items():
        vid = name if name in weights else alias.get(name)
        if vid is None:
            raise InputError(f"Ukendt strukturvariabel {name!r}. Kendte variable: {', '.join(weights)}.")
        if not math.isfinite(value) or value < 0:
            raise InputError(f"Vægten for {name} skal være et tal ≥ 0; fik {value}.")
        weights[vid] = value
    if not any(w > 0 for w in weights.values()):
        raise InputError("Mindst én strukturvariabel skal have en vægt over 0.")
    return weights


# --------------------------------------------------------------------------------------------- release side


@dataclass
class StructureMatrix:
    """The catalogue's structural variables for the 98 municipalities in one year (rows follow ``codes``)."""

    year: int
    codes: np.ndarray
    variables: list[PeerVariable]
    raw: np.ndarray  # untransformed values
    Z: np.ndarray  # standardised transformed values (0 in dropped columns)
    kept: np.ndarray  # bool per variable
    status: np.ndarray  # "observed" | "estimated" | "missing", rows × variables
    methods: dict[str, list[str]]  # variable id → estimation methods seen
    notes: list[str]

    def index(self, code: int) -> int:
        idx = np.nonzero(self.codes == int(code))[0]
        if not len(idx):
            raise UnknownMunicipality(str(code))
        return int(idx[0])


def structure_matrix(release: Release, year: int, catalog: PeerCatalog | None = None) -> StructureMatrix:
    """The standardised structural matrix of ``year`` (cached on the release, like the area panel)."""
    catalog = catalog or load_peer_catalog()
    cache: dict[Any, StructureMatrix] = release.__dict__.setdefault("_structure_matrices", {})
    key = (year, catalog.id, tuple((v.id, v.source, v.transform) for v in catalog.variables))
    if key in cache:
        return cache[key]
    codes = np.array(sorted(release.register.codes()), dtype=np.int64)
    row = {int(c): i for i, c in enumerate(codes)}
    variables = list(catalog.variables)
    col_of_source: dict[str, list[int]] = {}
    for j, v in enumerate(variables):
        col_of_source.setdefault(v.source, []).append(j)
    raw = np.full((len(codes), len(variables)), np.nan)
    status = np.full(raw.shape, "missing", dtype=object)
    methods: dict[str, list[str]] = {}
    for code, var, value, st, method in release.query(
            "SELECT municipality_code, variable, value, status, method FROM structure WHERE year = ?", [year]):
        i = row.get(int(code))
        if i is None or var not in col_of_source:
            continue
        for j in col_of_source[var]:
            raw[i, j] = np.nan if value is None else float(value)
            status[i, j] = st if value is not None else "missing"
            if method and st == "estimated" and method not in methods.setdefault(variables[j].id, []):
                methods[variables[j].id].append(method)
    X = raw.copy()
    notes: list[str] = []
    for j, v in enumerate(variables):
        if v.transform == "log":
            col = X[:, j]
            bad = ~(col > 0)
            if bad.any() and np.isfinite(col).any():
                notes.append(f"{v.name}: {int(bad.sum())} kommuner har ingen positiv værdi; variablen bruges ikke.")
            with np.errstate(divide="ignore", invalid="ignore"):
                X[:, j] = np.where(bad, np.nan, np.log(np.where(bad, 1.0, col)))
    Z, kept = standardise(X)
    for j, v in enumerate(variables):
        if not kept[j]:
            if not np.isfinite(X[:, j]).all():
                notes.append(f"{v.name} mangler for {int((~np.isfinite(X[:, j])).sum())} kommuner i {year}; "
                             "variablen indgår ikke i afstanden.")
            else:
                notes.append(f"{v.name} er ens for alle kommuner i {year} (ingen variation); variablen indgår "
                             "ikke i afstanden.")
    sm = StructureMatrix(year=year, codes=codes, variables=variables, raw=raw, Z=Z, kept=kept, status=status,
                         methods=methods, notes=notes)
    cache[key] = sm
    return sm


@dataclass
class Peer:
    code: int
    name: str
    distance: float
    contributions: dict[str, float]  # variable id → share of d²
    stability: float | None  # share of perturbed-weight draws in which it stays a peer (k nearest only)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "distance": self.distance,
                "contributions": dict(self.contributions), "stability": self.stability}


@dataclass
class PeerSet:
    """The peers of one municipality in one year, with how they were chosen."""

    municipality: Municipality
    year: int
    spec: PeerSpec
    peers: list[Peer]
    indices: np.ndarray  # rows of the structure matrix / area panel, in peer order (nearest first)
    nearest10: np.ndarray  # the 10 structurally nearest rows, whatever the spec (for "5 cheapest of 10")
    weights: dict[str, float]  # every catalogue variable → weight used (0 for dropped variables)
    variables_used: list[str]
    dropped: list[str]  # notes on variables left out
    estimated_variables: dict[str, list[str]]  # variable id → estimation methods, for variables in use
    stability_draws: int
    stability_perturbation: float
    stability_seed: int
    stability_mean: float | None  # mean stability of the peers (k nearest only)
    outsiders: list[dict[str, Any]] = field(default_factory=list)  # non-peers that enter in some draws
    notes: list[str] = field(default_factory=list)
    model: str = "standard"  # peer model id (raaderum/catalog/peers.toml)
    model_name: str = "Standardmodel"

    @property
    def codes(self) -> list[int]:
        return [p.code for p in self.peers]

    def description(self) -> str:
        """One Danish sentence on how the peers were chosen."""
        s = self.spec
        n = len(self.peers)
        if s.kind == "nearest":
            text = (f"De {n} kommuner, der strukturelt ligner {self.municipality.name} mest (vægtet euklidisk "
                    f"afstand over {len(self.variables_used)} standardiserede rammevilkår, {self.year}; "
                    f"{self.model_name.split(':')[0].lower()})")
        elif s.kind == "group":
            text = f"De {n} andre kommuner i Danmarks Statistiks kommunegruppe {self.municipality.group}"
        elif s.kind == "region":
            text = f"De {n} andre kommuner i {self.municipality.region}"
        elif s.kind == "all":
            text = f"Alle {n} andre kommuner"
        elif s.kind == DEA_PEERS:
            text = (f"De {n} referencekommuner på DEA-fronten"
                    + (f" ({s.label})" if s.label else ""))
        else:
            text = f"{n} valgte kommuner"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "spec": self.spec.text, "kind": self.spec.kind, "k": self.spec.k,
            "model": {"id": self.model, "name": self.model_name},
            "description": self.description(),
            "members": [p.to_dict() for p in self.peers],
            "variables": self.variables_used, "weights": dict(self.weights), "dropped_variables": self.dropped,
            "estimated_variables": self.estimated_variables, "notes": list(self.notes),
        }

    def stability_dict(self) -> dict[str, Any]:
        return {
            "computed": self.stability_mean is not None,
            "draws": self.stability_draws, "perturbation": self.stability_perturbation, "seed": self.stability_seed,
            "method": "Hver vægt ganges med en uafhængig faktor U(1 − p, 1 + p) i hver trækning; tallet er andelen "
                      "af trækningerne, hvor kommunen stadig er blandt de k nærmeste.",
            "mean": self.stability_mean,
            "per_peer": {str(p.code): p.stability for p in self.peers},
            "outsiders": self.outsiders,
        }


def weight_vector(weights: dict[str, float], sm: StructureMatrix) -> np.ndarray:
    return np.array([weights.get(v.id, 0.0) if sm.kept[j] else 0.0 for j, v in enumerate(sm.variables)])


def peer_model(model: str | PeerCatalog | None = None, area: str | None = None) -> PeerCatalog:
    """The peer model ``model`` (id or Danish name; default the standard model). ``"auto"`` is the model of
    ``area`` (the standard model when the area has none or no area is given)."""
    if isinstance(model, PeerCatalog):
        return model
    reg = load_peer_registry()
    mid = reg.resolve(model)
    if mid == AUTO_MODEL:
        return reg.model_for_area(area) if area else reg.model()
    return reg.model(mid)


def choose_peers(release: Release, municipality: str | int | Municipality, year: int | None = None,
                 spec: str | int | PeerSpec | None = None, weights: str | dict[str, float] | None = None, *,
                 draws: int | None = None, perturbation: float | None = None, seed: int | None = None,
                 catalog: PeerCatalog | None = None, model: str | PeerCatalog | None = None,
                 area: str | None = None) -> PeerSet:
    """The peers of ``municipality`` in ``year``: the k nearest (default ``k=10``) or a fixed group.

    ``model`` is a peer model of ``raaderum/catalog/peers.toml`` (id or Danish name, default the standard model;
    ``"auto"`` = the model of ``area``); ``catalog`` passes a model object directly. ``weights`` override the
    model's weights for its own variables. Distances and contributions are given for every peer, whatever the
    spec; the stability figure only for the k nearest (a fixed group does not depend on the weights). Draws must
    be at least 200.
    """
    catalog = catalog or peer_model(model, area)
    m = municipality if isinstance(municipality, Municipality) else release.register.resolve(municipality)
    year = release.check_year(year)
    spec = parse_peer_spec(spec, release, catalog.default_k)
    w_dict = parse_weights(weights, catalog)
    draws = catalog.stability_draws if draws is None else int(draws)
    perturbation = catalog.stability_perturbation if perturbation is None else float(perturbation)
    seed = catalog.stability_seed if seed is None else int(seed)
    if draws < 200:
        raise InputError(f"Stabiliteten kræver mindst 200 trækninger; fik {draws}.")
    if not 0 <= perturbation < 1:
        raise InputError(f"Variationen af vægtene skal være mellem 0 og 1 (fx 0,2 = ±20 %); fik {perturbation}.")
    sm = structure_matrix(release, year, catalog)
    w = weight_vector(w_dict, sm)
    if not (w > 0).any():
        raise InputError("Ingen af de variable med vægt over 0 kan bruges i året; vælg andre vægte.")
    i = sm.index(m.code)
    d, contrib = structural_distance(sm.Z, w, i)
    n = len(sm.codes)
    notes: list[str] = []
    others = np.array([j for j in range(n) if j != i], dtype=np.int64)
    reg = release.register
    if spec.kind == "nearest":
        if spec.k is None or not 1 <= spec.k <= n - 1:
            raise InputError(f"Antal sammenligningskommuner k skal være mellem 1 og {n - 1}; fik {spec.k}.")
        idx = nearest(d, i, spec.k, order=sm.codes)
    else:
        if spec.kind == "group":
            members = [j for j in others if reg.by_code(int(sm.codes[j])).group_code == m.group_code]
        elif spec.kind == "region":
            members = [j for j in others if reg.by_code(int(sm.codes[j])).region_code == m.region_code]
        elif spec.kind == "all":
            members = list(others)
        else:
            if spec.kind == DEA_PEERS and not spec.codes:
                raise InputError("DEA-referencekommunerne skal slås op på DEA-fronten, før de kan bruges som "
                                 "sammenligningskommuner (de vælges på siderne og i API'et).")
            wanted = []
            for c in spec.codes:
                if c == m.code:
                    notes.append(f"{m.name} er fjernet fra listen: en kommune er aldrig sin egen "
                                 "sammenligningskommune.")
                    continue
                wanted.append(sm.index(reg.by_code(c).code))
            members = wanted
        if not members:
            raise InputError(f"Der er ingen andre kommuner at sammenligne {m.name} med ({spec.text}).")
        members_arr = np.array(members, dtype=np.int64)
        idx = members_arr[np.lexsort((sm.codes[members_arr], d[members_arr]))]
    nearest10 = nearest(d, i, min(10, n - 1), order=sm.codes)
    stab: np.ndarray | None = None
    outsiders: list[dict[str, Any]] = []
    if spec.kind == "nearest":
        stab = stability(sm.Z, w, i, int(spec.k or 1), draws=draws, perturbation=perturbation, seed=seed,
                         order=sm.codes)
        peer_set = set(idx.tolist())
        out = [(float(stab[j]), int(sm.codes[j])) for j in range(n) if j != i and j not in peer_set and stab[j] > 0]
        for share, code in sorted(out, key=lambda t: (-t[0], t[1]))[:5]:
            outsiders.append({"code": code, "name": reg.by_code(code).name, "share": share})
    used = [v.id for j, v in enumerate(sm.variables) if w[j] > 0]
    peers = [Peer(code=int(sm.codes[j]), name=reg.by_code(int(sm.codes[j])).name, distance=float(d[j]),
                  contributions={v.id: float(contrib[j, jj]) for jj, v in enumerate(sm.variables) if w[jj] > 0},
                  stability=None if stab is None else float(stab[j])) for j in idx]
    estimated = {v.id: sm.methods.get(v.id, []) for j, v in enumerate(sm.variables)
                 if w[j] > 0 and (sm.status[:, j] == "estimated").any()}
    if estimated:
        notes.append("Nogle rammevilkår er skøn i " + str(year) + ": " + ", ".join(
            next(v.name for v in sm.variables if v.id == vid) for vid in estimated) + ".")
    return PeerSet(
        municipality=m, year=year, spec=spec, peers=peers, indices=np.asarray(idx, dtype=np.int64),
        nearest10=nearest10, weights={v.id: float(w[j]) for j, v in enumerate(sm.variables)},
        variables_used=used, dropped=list(sm.notes), estimated_variables=estimated,
        stability_draws=draws, stability_perturbation=perturbation, stability_seed=seed,
        stability_mean=None if stab is None else float(np.mean([p.stability for p in peers])),
        outsiders=outsiders, notes=notes, model=catalog.id, model_name=catalog.name)


__all__ = [
    "AUTO_MODEL", "AUTO_MODEL_NAME", "DEA_DEFAULT_SPEC", "DEA_PEERS", "Peer", "PeerCatalog", "PeerRegistry",
    "PeerSet", "PeerSetMethod", "PeerSpec", "PeerVariable",
    "StructureMatrix", "choose_peers", "load_peer_catalog", "load_peer_models", "load_peer_registry", "nearest",
    "parse_peer_catalog", "parse_peer_registry", "parse_peer_spec", "parse_weights", "peer_model", "stability",
    "standardise", "structural_distance", "structure_matrix", "weight_vector",
]
