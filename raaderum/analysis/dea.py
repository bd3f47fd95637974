"""The efficiency frontier (DEA): which municipalities deliver the most for their money when several outputs count.

Input-oriented data envelopment analysis with variable returns to scale (BCC: Banker, Charnes & Cooper 1984). For
each municipality o of a specification (:data:`DEA_SPECS`) with input x (net operating expenditure in kr.) and
outputs y (target groups, recipients), one linear program in envelopment form::

    min θ   s.t.   Σ_j λ_j x_ij ≤ θ · x_io      for every input i
                   Σ_j λ_j y_rj ≥ y_ro          for every output r
                   Σ_j λ_j = 1                  (variable returns to scale; left out under constant returns)
                   λ ≥ 0

θ ∈ (0, 1] is the share of its spending at which a convex combination of real municipalities (those with λ > 0,
its *reference municipalities*) serves at least the same target groups; the potential is (1 − θ)·E kr. per year.
A second phase keeps θ and maximises the slacks (each in units of its variable's mean), so a municipality with
θ = 1 and a slack is reported as weakly efficient, and the λ reported are those of the max-slack solution.

* Super-efficiency (Andersen & Petersen 1993): the same LP without the municipality in its own reference set; it
  ranks the efficient ones (θ > 1). Under VRS it can be infeasible (no combination of the others has as many in
  every output): then it is None and the municipality is flagged, not ranked.
* Bootstrap (Simar & Wilson 1998, smoothed homogeneous bootstrap): B pseudo-samples x* = x·θ̂/θ* with θ* drawn from
  a reflected kernel density of the θ̂, every municipality re-evaluated against each pseudo-frontier; the bias and
  a P10–P90 band of θ (and of the potential) follow. Default B = 500, seeded.
* The DEA potential is one more reference next to the benchmark's (:func:`dea_potential`, same shape and units as a
  benchmark area reference), never merged into them; the reference municipalities can be used as a peer set
  (:func:`dea_peers`, :func:`dea_peer_codes`: ``choose_peers(..., spec=dea_peers(...).text)``).

The n LPs of one specification are independent. They are solved with ``scipy.optimize.linprog(method="highs")``
stacked as one block-diagonal LP per batch (:data:`BLOCKS_PER_LP` municipalities): the blocks share no variable, so
the optimum of the stacked LP is the optimum of every municipality's own LP (the tests check this against one
``linprog`` call per municipality and against the multiplier form). Data are scaled by each variable's mean first,
which leaves θ unchanged (DEA is units invariant) and keeps HiGHS's tolerances meaningful.

    >>> import numpy as np
    >>> X = np.array([[4.0], [4.0], [8.0]]); Y = np.array([[8.0, 2.0], [2.0, 8.0], [5.0, 5.0]])
    >>> s = dea_scores(X, Y)
    >>> [round(float(t), 3) for t in s.theta], [round(float(v), 3) for v in s.lambdas[2]]
    ([1.0, 1.0, 0.5], [0.5, 0.5, 0.0])
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import linprog

from raaderum.analysis.benchmark import BAND_PERCENTILES, CAPITAL_CODES, DEFAULT_SEED, SMALL_MUNICIPALITY
from raaderum.analysis.key_figures import EXPENDITURE_TABLE, area_panel, price_provenance
from raaderum.analysis.peers import DEA_DEFAULT_SPEC, DEA_PEERS, PeerSpec
from raaderum.analysis.prices import PriceBasis, price_basis
from raaderum.catalog import Catalog, load_catalog
from raaderum.errors import DataNotAvailable, EstimationError, InputError, UnknownDeaSpec
from raaderum.release.municipalities import Municipality
from raaderum.release.reader import Release
from raaderum.release.registry import SERIES, weakest

VRS = "vrs"
CRS = "crs"
INPUT_ORIENTED = "input"
RETURNS_TO_SCALE = {VRS: "Variabelt skalaafkast (VRS, BCC)", CRS: "Konstant skalaafkast (CRS, CCR)"}
#: θ within this distance of 1 counts as 1 (HiGHS's feasibility tolerance is 1e-7 on the scaled data).
EFFICIENCY_TOL = 1e-6
#: λ below this are solver noise, not reference weights.
LAMBDA_TOL = 1e-6
#: Slacks below this (in units of the variable's mean) are noise.
SLACK_TOL = 1e-6
DEFAULT_DEA_B = 500
#: Fewer draws than this give no usable P10/P90 band (0 switches the bootstrap off).
MIN_DEA_B = 100
DEA_SEED = DEFAULT_SEED
#: How many municipalities' LPs are stacked into one block-diagonal LP (measured fastest on the 2-core machine).
BLOCKS_PER_LP = 100
#: Penalty on the output shortfall that keeps a stacked super-efficiency LP feasible; a block that uses it is
#: re-solved alone (exactly), so the penalty never changes a reported number.
_SHORTFALL_PENALTY = 1e3
#: An efficient municipality whose super-efficiency is above this could double its spending and still be on the
#: frontier: a screening flag for outliers (konteringsforskelle, special cases), never a silent exclusion.
OUTLIER_SUPER_EFFICIENCY = 2.0
#: The phase-2 LP keeps θ at its optimum, relaxed by this factor so solver round-off cannot make it infeasible.
_PHASE2_RELAX = 1e-9


# --------------------------------------------------------------------------------------------- specifications


@dataclass(frozen=True)
class DeaOutput:
    """One output of a specification: a target group of the release (``target_groups``) or a series (``series``)."""

    kind: str  # "target_group" | "series"
    id: str
    name: str  # Danish
    unit: str = "personer"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "name": self.name, "unit": self.unit}


@dataclass(frozen=True)
class DeaSpec:
    """A DEA specification: the input (net expenditure of ``areas``), the outputs, orientation, returns to scale,
    and the reason it is specified this way (Danish, shown on the method page)."""

    id: str
    label: str  # Danish
    kind: str  # "area" (one service area) | "across" (several areas together)
    areas: tuple[str, ...]  # the input is the summed net operating expenditure of these catalogue areas
    outputs: tuple[DeaOutput, ...]
    reason: str
    orientation: str = INPUT_ORIENTED
    returns_to_scale: str = VRS

    @property
    def area(self) -> str | None:
        """The area of a per-area specification (None across areas)."""
        return self.areas[0] if self.kind == "area" else None

    @property
    def input_label(self) -> str:
        return ("Nettodriftsudgift i kr. (kr. pr. indbygger × folketal 1. januar) på "
                + (f"området {self.areas[0]}" if self.kind == "area" else "områderne " + ", ".join(self.areas)))

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "kind": self.kind, "area": self.area,
                "input": {"id": "net_expenditure", "name": self.input_label, "unit": "kr.", "areas": list(self.areas)},
                "outputs": [o.to_dict() for o in self.outputs], "orientation": self.orientation,
                "orientation_name": "Inputorienteret (samme output for mindre udgift)",
                "returns_to_scale": self.returns_to_scale,
                "returns_to_scale_name": RETURNS_TO_SCALE[self.returns_to_scale], "reason": self.reason}


def _tg(tg_id: str, name: str) -> DeaOutput:
    return DeaOutput("target_group", tg_id, name)


_POP = _tg("alle", "Indbyggere")
_AUK01 = DeaOutput("series", "social_assistance_fte", "Nettoledige kontanthjælpsmodtagere (AUK01)", "fuldtidspersoner")
_ALL_INHABITANTS = ("Området har hele befolkningen som målgruppe i kataloget, så indbyggertallet er eneste output; "
                    "under VRS sammenlignes kommunen dermed med kombinationer af kommuner af samme størrelse.")

#: The registry: one specification per service area of the catalogue, and two across areas. Every entry says why.
DEA_SPECS: tuple[DeaSpec, ...] = (
    DeaSpec("dagtilbud", "Dagtilbud", "area", ("dagtilbud",), (_tg("0-5", "0-5-årige"),),
            "Udgiften til daginstitutioner mod antallet af 0-5-årige, områdets målgruppe (samme nævner som "
            "benchmarken). Antal indskrevne børn findes ikke i datagrundlaget, så dækningsgraden indgår i udgiften."),
    DeaSpec("folkeskole", "Folkeskole", "area", ("folkeskole",), (_tg("6-16", "6-16-årige"),),
            "Udgiften til almenundervisningen mod antallet af 6-16-årige. Elever i privatskoler tælles med i "
            "målgruppen; antal elever i folkeskolen findes ikke i datagrundlaget."),
    DeaSpec("sfo", "SFO", "area", ("sfo",), (_tg("6-9", "6-9-årige"),),
            "Udgiften til skolefritidsordninger mod antallet af 6-9-årige. Forældrebetalingen trækkes fra i "
            "nettoudgiften, så kommuner med høj takst ser billige ud."),
    DeaSpec("specialundervisning", "Specialundervisning", "area", ("specialundervisning",),
            (_tg("6-16", "6-16-årige"),),
            "Udgiften til specialskoler og specialundervisningstilbud mod antallet af 6-16-årige. Kommuner, der "
            "sælger pladser til andre, kan have en nettoudgift på 0 eller derunder; de indgår ikke."),
    DeaSpec("privatskoler", "Bidrag for elever på private skoler", "area", ("privatskoler",),
            (_tg("6-16", "6-16-årige"),),
            "Bidraget til staten mod antallet af 6-16-årige, som i kataloget. Udgiften afhænger mest af "
            "forældrenes skolevalg, så fronten viser andelen i privatskole snarere end effektivitet."),
    DeaSpec("udsatte_boern", "Udsatte børn og unge", "area", ("udsatte_boern",), (_tg("0-22", "0-22-årige"),),
            "Udgiften til forebyggelse og plejefamilier mod antallet af 0-22-årige. Socioøkonomiske forhold, som "
            "driver behovet, er ikke et output: læs resultatet sammen med behovskorrektionen i benchmarken."),
    DeaSpec("aeldre", "Ældrepleje", "area", ("aeldre",), (_tg("67+", "67+-årige"), _tg("80+", "80+-årige")),
            "Udgiften til hjemmehjælp, pleje og hjemmesygepleje mod antallet af 67+-årige og antallet af 80+-årige "
            "som to output: de 80+-årige bruger langt flere ydelser, så en kommune med mange meget gamle ældre "
            "sammenlignes med kommuner med samme sammensætning. Antal modtagere af hjemmehjælp findes ikke i "
            "datagrundlaget."),
    DeaSpec("sundhed", "Sundhed", "area", ("sundhed",), (_POP,),
            "Medfinansiering af sundhedsvæsenet og tandpleje mod antallet af indbyggere. " + _ALL_INHABITANTS),
    DeaSpec("misbrug", "Behandling af stofmisbrug", "area", ("misbrug",), (_tg("18-64", "18-64-årige"),),
            "Udgiften til behandling af stofmisbrug mod antallet af 18-64-årige. Antal personer i behandling findes "
            "ikke i datagrundlaget."),
    DeaSpec("beskaeftigelse", "Beskæftigelse og forsørgelse", "area", ("beskaeftigelse",),
            (_tg("17-64", "17-64-årige"), _AUK01),
            "Udgiften til forsørgelse og beskæftigelsesindsats mod antallet af 17-64-årige og antallet af "
            "nettoledige kontanthjælpsmodtagere (AUK01, fuldtidspersoner), det eneste modtagertal i datagrundlaget. "
            "AUK01 dækker kun én ydelsestype (funktion 5.57.73), ikke dagpenge, fleksjob eller førtidspension, så "
            "output nr. 2 er et delvist mål for behovet."),
    DeaSpec("administration", "Administration", "area", ("administration",), (_POP,),
            "Sekretariater og forvaltninger mod antallet af indbyggere. " + _ALL_INHABITANTS),
    DeaSpec("kultur_fritid", "Kultur og fritid", "area", ("kultur_fritid",), (_POP,),
            "Biblioteker og idrætsanlæg mod antallet af indbyggere. " + _ALL_INHABITANTS),
    DeaSpec("veje_trafik", "Veje og kollektiv trafik", "area", ("veje_trafik",), (_POP,),
            "Vejvedligeholdelse og busdrift mod antallet af indbyggere. Vejnettets længde, som driver udgiften, "
            "findes ikke i datagrundlaget. " + _ALL_INHABITANTS),
    DeaSpec("groenne_omraader", "Grønne områder", "area", ("groenne_omraader",), (_POP,),
            "Drift af parker og naturpladser mod antallet af indbyggere. " + _ALL_INHABITANTS),
    DeaSpec("boern_skole_aeldre", "Børn, skole og ældre samlet", "across",
            ("dagtilbud", "folkeskole", "sfo", "specialundervisning", "udsatte_boern", "aeldre"),
            (_tg("0-5", "0-5-årige"), _tg("6-16", "6-16-årige"), _tg("67+", "67+-årige")),
            "De store velfærdsområder under ét: den samlede udgift mod de tre hovedmålgrupper. En kommune kan "
            "flytte penge mellem områderne (fx fra specialundervisning til folkeskole), så fronten for summen er "
            "mere robust over for konteringsforskelle end de enkelte områder."),
    DeaSpec("alle_omraader", "Alle katalogets områder samlet", "across",
            ("dagtilbud", "folkeskole", "sfo", "specialundervisning", "privatskoler", "udsatte_boern", "aeldre",
             "sundhed", "misbrug", "beskaeftigelse", "administration", "kultur_fritid", "veje_trafik",
             "groenne_omraader"),
            (_tg("0-5", "0-5-årige"), _tg("6-16", "6-16-årige"), _tg("17-64", "17-64-årige"),
             _tg("67+", "67+-årige")),
            "Alle katalogets 14 områder under ét mod fire aldersgrupper, der tilsammen dækker næsten hele "
            "befolkningen. Fire output gør mange kommuner effektive; brug den som et overblik, ikke en rangering."),
)

#: Shorter names accepted for the across-area specifications (CLI ``--omraade``).
SPEC_ALIASES = {"tvaergaaende": "boern_skole_aeldre", "tværgående": "boern_skole_aeldre",
                "velfaerd": "boern_skole_aeldre", "velfærd": "boern_skole_aeldre",
                "alle": "alle_omraader", "samlet": "alle_omraader", "all": "alle_omraader"}


def dea_specs() -> dict[str, DeaSpec]:
    """The registry by id, in registry order."""
    return {s.id: s for s in DEA_SPECS}


def resolve_dea_spec(name: str | DeaSpec) -> DeaSpec:
    """A specification from its id, Danish label, area id or alias; :class:`UnknownDeaSpec` otherwise."""
    if isinstance(name, DeaSpec):
        return name
    specs = dea_specs()
    key = " ".join(str(name).split()).casefold()
    key = SPEC_ALIASES.get(key, key)
    if key in specs:
        return specs[key]
    for s in DEA_SPECS:
        if key in (s.label.casefold(), (s.area or "").casefold()):
            return s
    raise UnknownDeaSpec(f"Ukendt DEA-specifikation {name!r}. Vælg en af: {', '.join(specs)}.")


def spec_for_area(area_id: str) -> DeaSpec:
    """The per-area specification of a catalogue area."""
    for s in DEA_SPECS:
        if s.area == area_id:
            return s
    raise UnknownDeaSpec(f"Der er ingen DEA-specifikation for området {area_id!r}.")


# --------------------------------------------------------------------------------------------- LP core


@dataclass
class DeaScores:
    """Scores of the evaluated units (rows of the data): θ, λ over the reference units (n_eval × n_ref), slacks in
    the data's own units, and whether a unit is weakly/strongly efficient."""

    theta: np.ndarray
    lambdas: np.ndarray
    input_slacks: np.ndarray
    output_slacks: np.ndarray
    rts: str

    @property
    def efficient(self) -> np.ndarray:
        return self.theta >= 1 - EFFICIENCY_TOL

    @property
    def strongly_efficient(self) -> np.ndarray:
        """θ = 1 and every slack 0 (Pareto–Koopmans efficient)."""
        no_slack = (self.input_slacks <= 0).all(axis=1) & (self.output_slacks <= 0).all(axis=1)
        return self.efficient & no_slack


def _as_2d(a: np.ndarray, name: str) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2 or not a.shape[0] or not a.shape[1]:
        raise InputError(f"DEA: {name} skal være en matrix med en række pr. enhed; fik form {a.shape}.")
    if not np.isfinite(a).all():
        raise InputError(f"DEA: {name} indeholder manglende tal.")
    return a


def _check_data(X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    X, Y = _as_2d(X, "input"), _as_2d(Y, "output")
    if X.shape[0] != Y.shape[0]:
        raise InputError(f"DEA: {X.shape[0]} enheder med input, men {Y.shape[0]} med output.")
    if (X <= 0).any():
        raise InputError("DEA kræver positive input for alle enheder.")
    if (Y < 0).any():
        raise InputError("DEA kræver output på 0 eller derover.")
    if not (Y > 0).any(axis=1).all():
        raise InputError("DEA: hver enhed skal have mindst ét positivt output.")
    return X, Y


def _scales(X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sx = X.mean(axis=0)
    sy = Y.mean(axis=0)
    sy = np.where(sy > 0, sy, 1.0)
    return sx, sy


@dataclass
class _Block:
    """One unit's LP: the evaluated point and its reference set (rows = reference units)."""

    x: np.ndarray  # m
    y: np.ndarray  # s
    XR: np.ndarray  # nr × m
    YR: np.ndarray  # nr × s


#: HiGHS options: presolve only costs time on these small, dense blocks (measured 2-3× slower with it).
HIGHS_OPTIONS = {"presolve": False}


def _solve(c: np.ndarray, A_ub: Any, b_ub: np.ndarray | None, A_eq: Any, b_eq: np.ndarray | None) -> Any:
    return linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=(0, None), method="highs",
                   options=HIGHS_OPTIONS)


def _build_phase1(blocks: list[_Block], rts: str, shortfall: bool = False) -> tuple[Any, ...]:
    """The stacked phase-1 LP: (c, A_ub, b_ub, A_eq, b_eq, first column of each block, rows per block). Per block
    the columns are θ, λ (one per reference row) and, with ``shortfall``, one output shortfall per output; the rows
    are the m input rows −x_o θ + Σ λ_j x_j ≤ 0, the s output rows −Σ λ_j y_j (− u) ≤ −y_o, and under VRS one
    row Σ λ_j = 1 in A_eq."""
    k = len(blocks)
    m, s = blocks[0].x.size, blocks[0].y.size
    widths = np.array([1 + b.XR.shape[0] + (s if shortfall else 0) for b in blocks])
    col0 = np.concatenate([[0], np.cumsum(widths)[:-1]])
    rows_per = m + s
    ub_r, ub_c, ub_v, eq_r, eq_c = [], [], [], [], []
    b_ub = np.empty(k * rows_per)
    c = np.zeros(int(widths.sum()))
    for t, b in enumerate(blocks):
        nr = b.XR.shape[0]
        r0, c0 = t * rows_per, int(col0[t])
        c[c0] = 1.0
        lam = c0 + 1 + np.arange(nr)
        ub_r.append(r0 + np.arange(m))
        ub_c.append(np.full(m, c0))
        ub_v.append(-b.x)
        ub_r.append(np.repeat(r0 + np.arange(m), nr))
        ub_c.append(np.tile(lam, m))
        ub_v.append(b.XR.T.ravel())
        ub_r.append(np.repeat(r0 + m + np.arange(s), nr))
        ub_c.append(np.tile(lam, s))
        ub_v.append(-b.YR.T.ravel())
        b_ub[r0:r0 + m] = 0.0
        b_ub[r0 + m:r0 + rows_per] = -b.y
        if shortfall:
            u = c0 + 1 + nr + np.arange(s)
            ub_r.append(r0 + m + np.arange(s))
            ub_c.append(u)
            ub_v.append(-np.ones(s))
            c[u] = _SHORTFALL_PENALTY
        if rts == VRS:
            eq_r.append(np.full(nr, t))
            eq_c.append(lam)
    nv = int(widths.sum())
    A_ub = sparse.csr_matrix((np.concatenate(ub_v), (np.concatenate(ub_r), np.concatenate(ub_c))),
                             shape=(k * rows_per, nv))
    A_eq = b_eq = None
    if rts == VRS:
        cols = np.concatenate(eq_c)
        A_eq = sparse.csr_matrix((np.ones(cols.size), (np.concatenate(eq_r), cols)), shape=(k, nv))
        b_eq = np.ones(k)
    return c, A_ub, b_ub, A_eq, b_eq, col0, rows_per


def _phase1(blocks: list[_Block], rts: str, shortfall: bool = False) -> tuple[np.ndarray, list[np.ndarray],
                                                                             np.ndarray, np.ndarray]:
    """min θ per block, stacked: returns θ, λ per block, the output shortfall used per block (only with
    ``shortfall``: an extra variable per output with a large penalty, so that an infeasible block does not make
    the stacked LP infeasible) and the HiGHS status per block (0 = optimal, 2 = infeasible)."""
    k = len(blocks)
    s = blocks[0].y.size
    c, A_ub, b_ub, A_eq, b_eq, col0, _ = _build_phase1(blocks, rts, shortfall)
    res = _solve(c, A_ub, b_ub, A_eq, b_eq)
    if res.status != 0:
        if k == 1:
            return (np.array([np.nan]), [np.full(blocks[0].XR.shape[0], np.nan)], np.zeros((1, s)),
                    np.array([res.status]))
        # One block spoils the stacked LP: solve each on its own, so the others keep their exact optimum.
        parts = [_phase1([b], rts, shortfall) for b in blocks]
        return (np.concatenate([p[0] for p in parts]), [p[1][0] for p in parts],
                np.vstack([p[2] for p in parts]), np.concatenate([p[3] for p in parts]))
    x = res.x
    theta = x[col0]
    lambdas = [x[int(col0[t]) + 1: int(col0[t]) + 1 + b.XR.shape[0]] for t, b in enumerate(blocks)]
    short = np.vstack([x[int(col0[t]) + 1 + b.XR.shape[0]: int(col0[t]) + 1 + b.XR.shape[0] + s]
                       for t, b in enumerate(blocks)]) if shortfall else np.zeros((k, s))
    return theta, lambdas, short, np.zeros(k, dtype=int)


#: A pool column whose reduced cost is below −CG_TOL enters the LP in column generation.
CG_TOL = 1e-9


def _theta_colgen(points: list[tuple[np.ndarray, np.ndarray]], pools: list[tuple[np.ndarray, np.ndarray]],
                  start: list[np.ndarray], rts: str) -> np.ndarray:
    """θ of each point (x, y) against ALL rows of its pool (XP, YP), by column generation: each block is solved
    against a subset of its pool (``start``, which must make it feasible), and the pool columns with a negative
    reduced cost under the block's duals (d_j = −μ_in·x_j + μ_out·y_j − η, μ ≤ 0 the marginals of the input and
    output rows, η that of Σλ = 1) are added until there are none: then the subset's optimum is the optimum over the
    whole pool (LP optimality), with far fewer columns per LP."""
    k = len(points)
    m, s = points[0][0].size, points[0][1].size
    active = []
    for t, a in enumerate(start):
        mask = np.zeros(len(pools[t][0]), dtype=bool)
        mask[a] = True
        active.append(mask)
    theta = np.full(k, np.nan)
    todo = list(range(k))
    while todo:
        again: list[int] = []
        for i in range(0, len(todo), BLOCKS_PER_LP):
            chunk = todo[i:i + BLOCKS_PER_LP]
            blocks = [_Block(points[t][0], points[t][1], pools[t][0][active[t]], pools[t][1][active[t]])
                      for t in chunk]
            c, A_ub, b_ub, A_eq, b_eq, col0, rows_per = _build_phase1(blocks, rts)
            res = _solve(c, A_ub, b_ub, A_eq, b_eq)
            if res.status != 0:  # never seen: settle each block exactly against its whole pool
                for t in chunk:
                    th, _, _, st = _phase1([_Block(points[t][0], points[t][1], *pools[t])], rts)
                    _check_status(st, "DEA")
                    theta[t] = th[0]
                continue
            mu = np.asarray(res.ineqlin.marginals)
            eta = np.asarray(res.eqlin.marginals) if rts == VRS else np.zeros(len(chunk))
            for q, t in enumerate(chunk):
                r0 = q * rows_per
                XP, YP = pools[t]
                d = -XP @ mu[r0:r0 + m] + YP @ mu[r0 + m:r0 + m + s] - eta[q]
                new = (d < -CG_TOL) & ~active[t]
                if new.any():
                    active[t] = active[t] | new
                    again.append(t)
                else:
                    theta[t] = res.x[int(col0[q])]
        todo = again
    return theta


def _phase2(blocks: list[_Block], theta: np.ndarray, rts: str) -> tuple[list[np.ndarray], np.ndarray, np.ndarray,
                                                                       np.ndarray]:
    """θ fixed at its optimum, max Σ s⁻ + Σ s⁺ per block, stacked. Returns λ, input and output slacks, status."""
    k = len(blocks)
    m, s = blocks[0].x.size, blocks[0].y.size
    widths = np.array([b.XR.shape[0] + m + s for b in blocks])
    col0 = np.concatenate([[0], np.cumsum(widths)[:-1]])
    rows_per = m + s + (1 if rts == VRS else 0)
    er, ec, ev = [], [], []
    b_eq = np.empty(k * rows_per)
    c = np.zeros(int(widths.sum()))
    for t, b in enumerate(blocks):
        nr = b.XR.shape[0]
        r0, c0 = t * rows_per, int(col0[t])
        lam = c0 + np.arange(nr)
        sm = c0 + nr + np.arange(m)
        sp = c0 + nr + m + np.arange(s)
        c[sm] = -1.0
        c[sp] = -1.0
        er.append(np.repeat(r0 + np.arange(m), nr))
        ec.append(np.tile(lam, m))
        ev.append(b.XR.T.ravel())
        er.append(r0 + np.arange(m))
        ec.append(sm)
        ev.append(np.ones(m))
        er.append(np.repeat(r0 + m + np.arange(s), nr))
        ec.append(np.tile(lam, s))
        ev.append(b.YR.T.ravel())
        er.append(r0 + m + np.arange(s))
        ec.append(sp)
        ev.append(-np.ones(s))
        b_eq[r0:r0 + m] = theta[t] * (1 + _PHASE2_RELAX) * b.x
        b_eq[r0 + m:r0 + m + s] = b.y
        if rts == VRS:
            er.append(np.full(nr, r0 + m + s))
            ec.append(lam)
            ev.append(np.ones(nr))
            b_eq[r0 + m + s] = 1.0
    A_eq = sparse.csr_matrix((np.concatenate(ev), (np.concatenate(er), np.concatenate(ec))),
                             shape=(k * rows_per, int(widths.sum())))
    res = _solve(c, None, None, A_eq, b_eq)
    if res.status != 0:
        if k == 1:
            nr = blocks[0].XR.shape[0]
            return [np.full(nr, np.nan)], np.full((1, m), np.nan), np.full((1, s), np.nan), np.array([res.status])
        parts = [_phase2([b], theta[t:t + 1], rts) for t, b in enumerate(blocks)]
        return ([p[0][0] for p in parts], np.vstack([p[1] for p in parts]), np.vstack([p[2] for p in parts]),
                np.concatenate([p[3] for p in parts]))
    x = res.x
    lambdas, s_in, s_out = [], np.empty((k, m)), np.empty((k, s))
    for t, b in enumerate(blocks):
        nr, c0 = b.XR.shape[0], int(col0[t])
        lambdas.append(x[c0:c0 + nr])
        s_in[t] = x[c0 + nr:c0 + nr + m]
        s_out[t] = x[c0 + nr + m:c0 + nr + m + s]
    return lambdas, s_in, s_out, np.zeros(k, dtype=int)


def _batched(blocks: list[_Block], fn: Any, *args: Any) -> list[Any]:
    return [fn(blocks[i:i + BLOCKS_PER_LP], *(a[i:i + BLOCKS_PER_LP] if isinstance(a, np.ndarray) else a
                                               for a in args))
            for i in range(0, len(blocks), BLOCKS_PER_LP)]


def _envelopment(blocks: list[_Block], rts: str) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    if not blocks:
        return np.zeros(0), [], np.zeros(0, dtype=int)
    parts = _batched(blocks, _phase1, rts)
    theta = np.concatenate([p[0] for p in parts])
    lambdas = [lam for p in parts for lam in p[1]]
    status = np.concatenate([p[3] for p in parts])
    return theta, lambdas, status


def _snap(theta: np.ndarray) -> np.ndarray:
    return np.where(np.abs(theta - 1) <= EFFICIENCY_TOL, 1.0, theta)


def _dominance(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """dom[k, j]: row k dominates row j (no more of any input, no less of any output, and not identical)."""
    le = (X[:, None, :] <= X[None, :, :]).all(axis=2) & (Y[:, None, :] >= Y[None, :, :]).all(axis=2)
    strict = (X[:, None, :] < X[None, :, :]).any(axis=2) | (Y[:, None, :] > Y[None, :, :]).any(axis=2)
    return np.asarray(le & strict)


def _undominated(X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """Rows not dominated by another row. Dropping the dominated ones from a reference set leaves every θ (and the
    maximal slacks) unchanged: a convex combination can always swap a dominated unit for its dominator."""
    return np.asarray(~_dominance(X, Y).any(axis=0))


def _check_status(status: np.ndarray, what: str) -> None:
    if (status != 0).any():
        bad = np.nonzero(status != 0)[0].tolist()
        raise EstimationError(f"{what}: LP'et kunne ikke løses for enhed(erne) {bad} (HiGHS-status "
                              f"{sorted(set(status[status != 0].tolist()))}).")


def _frontier_theta(Xs: np.ndarray, Ys: np.ndarray, evaluate: np.ndarray, XE: np.ndarray, YE: np.ndarray,
                    rts: str) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    """θ of the points (XE, YE) against the reference rows (Xs, Ys), in two stages that give the same optimum as
    one LP against every row: (a) the undominated reference rows against themselves, which finds the efficient
    rows F; (b) every point against F only. (b) is exact because the units with λ > 0 in an optimal solution
    all have θ = 1, and a dominated unit with θ = 1 can be swapped for its undominated dominator, which is in F.
    ``evaluate`` maps points to reference rows where they are the same unit (−1 where not), so stage (a) is not
    solved twice. Returns θ of the points, F (row indices) and λ over F per point."""
    U = np.nonzero(_undominated(Xs, Ys))[0]
    thU, lamU, st = _envelopment([_Block(Xs[o], Ys[o], Xs[U], Ys[U]) for o in U], rts)
    _check_status(st, "DEA")
    thU = _snap(thU)
    in_f = thU >= 1 - EFFICIENCY_TOL
    F = U[in_f]
    known = {int(u): k for k, u in enumerate(U)}
    todo = [p for p in range(len(XE)) if int(evaluate[p]) not in known]
    theta = np.array([thU[known[int(evaluate[p])]] if int(evaluate[p]) in known else np.nan
                      for p in range(len(XE))])
    # λ of stage (a) lie on F already (their support has θ = 1)
    lambdas: list[np.ndarray] = [lamU[known[int(evaluate[p])]][in_f] if int(evaluate[p]) in known
                                 else np.zeros(len(F)) for p in range(len(XE))]
    if todo:
        th, lams, st = _envelopment([_Block(XE[p], YE[p], Xs[F], Ys[F]) for p in todo], rts)
        _check_status(st, "DEA")
        theta[todo] = _snap(th)
        for p, lam in zip(todo, lams, strict=True):
            lambdas[p] = lam
    return theta, F, lambdas


def dea_scores(X: np.ndarray, Y: np.ndarray, rts: str = VRS, *, slacks: bool = True) -> DeaScores:
    """Input-oriented DEA of every row of ``X`` (n × m inputs) and ``Y`` (n × s outputs) against all rows.

    θ is snapped to 1 within :data:`EFFICIENCY_TOL`. With ``slacks`` the λ and slacks are those of the phase-2
    (max-slack) solution; without, λ are those of phase 1 and the slacks that solution's residuals."""
    if rts not in RETURNS_TO_SCALE:
        raise InputError(f"Ukendt skalaafkast {rts!r}; vælg {', '.join(RETURNS_TO_SCALE)}.")
    X, Y = _check_data(X, Y)
    sx, sy = _scales(X, Y)
    Xs, Ys = X / sx, Y / sy
    n = X.shape[0]
    theta, F, lam_f = _frontier_theta(Xs, Ys, np.arange(n), Xs, Ys, rts)
    L = np.zeros((n, n))
    for o in range(n):
        L[o, F] = lam_f[o]
    if slacks:
        blocks = [_Block(Xs[o], Ys[o], Xs[F], Ys[F]) for o in range(n)]
        parts = _batched(blocks, _phase2, theta, rts)
        lam2 = [lam for p in parts for lam in p[0]]
        s_in = np.vstack([p[1] for p in parts])
        s_out = np.vstack([p[2] for p in parts])
        st2 = np.concatenate([p[3] for p in parts])
        for o in range(n):
            if st2[o] == 0:  # else keep phase 1 (never seen on real data)
                L[o] = 0.0
                L[o, F] = lam2[o]
        bad = st2 != 0
        s_in[bad] = theta[bad, None] * Xs[bad] - L[bad] @ Xs
        s_out[bad] = L[bad] @ Ys - Ys[bad]
    else:
        s_in = theta[:, None] * Xs - L @ Xs
        s_out = L @ Ys - Ys
    L = np.where(L > LAMBDA_TOL, L, 0.0)
    s_in = np.where(s_in > SLACK_TOL, s_in, 0.0) * sx
    s_out = np.where(s_out > SLACK_TOL, s_out, 0.0) * sy
    return DeaScores(theta=theta, lambdas=L, input_slacks=s_in, output_slacks=s_out, rts=rts)


def super_efficiency(X: np.ndarray, Y: np.ndarray, units: np.ndarray | list[int] | None = None,
                     rts: str = VRS) -> tuple[np.ndarray, np.ndarray]:
    """Andersen–Petersen super-efficiency of ``units`` (default all rows): θ of each against all OTHER rows.

    Returns (scores, lambdas n_units × n); a score is NaN where the LP is infeasible (under VRS: no convex
    combination of the others has as much of every output). Each unit's reference set is the rows not dominated
    by another row than itself (same optimum). Stacked LPs carry a penalised output shortfall so one infeasible
    unit cannot spoil the others; a unit that needs it is re-solved alone without it, so every reported score is
    the exact optimum of its own LP."""
    X, Y = _check_data(X, Y)
    sx, sy = _scales(X, Y)
    Xs, Ys = X / sx, Y / sy
    n = X.shape[0]
    units = np.arange(n) if units is None else np.asarray(units, dtype=int)
    if n < 2 or not len(units):
        return np.full(len(units), np.nan), np.zeros((len(units), n))
    dom = _dominance(Xs, Ys)
    count = dom.sum(axis=0)
    others = []
    for o in units:
        keep = (count - dom[o]) == 0
        keep[o] = False
        others.append(np.nonzero(keep)[0])
    blocks = [_Block(Xs[o], Ys[o], Xs[idx], Ys[idx]) for o, idx in zip(units, others, strict=True)]
    parts = _batched(blocks, _phase1, rts, True)
    theta = np.concatenate([p[0] for p in parts])
    lams = [lam for p in parts for lam in p[1]]
    short = np.vstack([p[2] for p in parts])
    lambdas = np.zeros((len(units), n))
    for t in range(len(units)):
        if (short[t] > SLACK_TOL).any():  # the penalty was used: settle this unit exactly on its own
            th, lm, _, st = _phase1([blocks[t]], rts)
            theta[t] = th[0] if st[0] == 0 else np.nan
            lams[t] = lm[0]
        if np.isfinite(theta[t]):
            lambdas[t, others[t]] = np.where(lams[t] > LAMBDA_TOL, lams[t], 0.0)
    return theta, lambdas


def efficient_by_construction(X: np.ndarray, Y: np.ndarray, rts: str = VRS) -> np.ndarray:
    """Rows that are efficient whatever the data of the others under VRS: the lowest input (of any input) or the
    most of any output (ties included). Under CRS none is efficient by construction in this sense."""
    X, Y = np.asarray(X, dtype=float), np.asarray(Y, dtype=float)
    if rts != VRS:
        return np.zeros(X.shape[0], dtype=bool)
    if X.ndim == 1:
        X = X[:, None]
    if Y.ndim == 1:
        Y = Y[:, None]
    return (X <= X.min(axis=0)).any(axis=1) | (Y >= Y.max(axis=0)).any(axis=1)


# --------------------------------------------------------------------------------------------- bootstrap


@dataclass
class DeaBootstrap:
    """Simar–Wilson bootstrap of θ for ``units`` (rows): ``draws`` B × len(units), θ̂ of those units, bandwidth."""

    units: np.ndarray
    theta_hat: np.ndarray
    draws: np.ndarray
    B: int
    seed: int
    bandwidth: float
    clipped: int  # pseudo efficiencies below the floor that were raised to it (0 on the shipped data)

    def bias(self) -> np.ndarray:
        """mean(θ̂*) − θ̂ (≥ 0: the estimated frontier lies inside the true one)."""
        return self.draws.mean(axis=0) - self.theta_hat

    def bands(self) -> np.ndarray:
        """P10, P50, P90 of θ by the basic bootstrap, θ̂ − q(θ̂* − θ̂), within (0, 1]: len(units) × 3."""
        diff = self.draws - self.theta_hat[None, :]
        qs = np.percentile(diff, [100 - p for p in BAND_PERCENTILES], axis=0).T  # q90, q50, q10 of the difference
        return np.clip(self.theta_hat[:, None] - qs, 1e-9, 1.0)

    def bias_corrected(self) -> np.ndarray:
        """θ̂ − bias, within (0, 1]."""
        return np.clip(self.theta_hat - self.bias(), 1e-9, 1.0)


def sw_bandwidth(theta: np.ndarray) -> float:
    """Bandwidth of the reflected kernel density of θ̂ (Silverman's rule on the inefficient scores reflected about
    1, adjusted for the reflection and the efficient units as Daraio & Wilson 2007, eq. 3.26): 0 when fewer than
    two units are inefficient."""
    theta = np.asarray(theta, dtype=float)
    ineff = theta[theta < 1 - EFFICIENCY_TOL]
    n, m = theta.size, ineff.size
    if m < 2:
        return 0.0
    refl = np.concatenate([ineff, 2 - ineff])
    sd_r = refl.std(ddof=1)
    iqr = np.subtract(*np.percentile(refl, [75, 25]))
    h_r = 0.9 * min(sd_r, iqr / 1.34 if iqr > 0 else sd_r) * refl.size ** (-0.2)
    sd = theta.std(ddof=1)
    return float(h_r * 2 ** 0.2 * (m / n) ** 0.2 * (sd / sd_r if sd_r > 0 else 1.0))


def sw_bootstrap(X: np.ndarray, Y: np.ndarray, theta: np.ndarray, B: int = DEFAULT_DEA_B, seed: int = DEA_SEED,
                 units: np.ndarray | list[int] | None = None, rts: str = VRS) -> DeaBootstrap:
    """Simar & Wilson's (1998) smoothed homogeneous bootstrap of input-oriented θ.

    For b = 1..B: draw β* from θ̂ with replacement, add h·ε (ε standard normal), reflect values above 1 to 2 − value,
    rescale to the variance of θ̂ (θ* = β̄* + (β** − β̄*)/√(1 + h²/σ̂²)), make pseudo-inputs x*_j = x_j·θ̂_j/θ*_j with
    the outputs kept, and evaluate each of ``units`` (its real data) against the pseudo-frontier. The draws depend on
    ``seed`` and the row order only, not on which units are evaluated."""
    X, Y = _check_data(X, Y)
    theta = np.asarray(theta, dtype=float)
    n = X.shape[0]
    if theta.shape != (n,):
        raise InputError("DEA-bootstrap: der skal være én θ pr. enhed.")
    if B < 1:
        raise InputError("DEA-bootstrap kræver mindst én trækning.")
    units = np.arange(n) if units is None else np.asarray(units, dtype=int)
    h = sw_bandwidth(theta)
    sd = theta.std(ddof=1) if n > 1 else 0.0
    rng = np.random.default_rng([seed, 14])
    beta = theta[rng.integers(0, n, size=(B, n))]
    eps = rng.standard_normal((B, n))
    bb = beta + h * eps
    bb = np.where(bb > 1, 2 - bb, bb)
    mean = beta.mean(axis=1, keepdims=True)
    star = mean + (bb - mean) / np.sqrt(1 + (h * h / (sd * sd) if sd > 0 else 0.0))
    floor = 1e-3
    clipped = int((star < floor).sum())
    star = np.maximum(star, floor)
    sx, sy = _scales(X, Y)
    Xs, Ys = X / sx, Y / sy
    # Each unit against each pseudo-sample by column generation: started from the pseudo versions of the
    # efficient units and the unit itself (which makes the LP feasible), over all n pseudo-units.
    eff = np.nonzero(theta >= 1 - EFFICIENCY_TOL)[0]
    points = [(Xs[o], Ys[o]) for o in units]
    pools: list[tuple[np.ndarray, np.ndarray]] = []
    starts: list[np.ndarray] = []
    pts: list[tuple[np.ndarray, np.ndarray]] = []
    for b in range(B):
        Xb = Xs * (theta / star[b])[:, None]
        pool = (Xb, Ys)
        for q, o in enumerate(units):
            pools.append(pool)
            starts.append(np.append(eff, o))
            pts.append(points[q])
    th = _theta_colgen(pts, pools, starts, rts)
    draws = _snap(th).reshape(B, len(units))
    return DeaBootstrap(units=units, theta_hat=theta[units].copy(), draws=draws, B=B, seed=seed, bandwidth=h,
                        clipped=clipped)


# --------------------------------------------------------------------------------------------- over the release


@dataclass
class DeaData:
    """The data of one specification in one year: usable rows (``codes``), X (n × 1, kr.), Y (n × s), statuses,
    and the municipalities left out with the reason."""

    spec: DeaSpec
    year: int
    codes: np.ndarray
    X: np.ndarray
    Y: np.ndarray
    input_status: list[str]
    output_status: list[list[str]]
    output_methods: dict[int, list[str]]
    unit_cost: np.ndarray | None  # area specs: E / N of the area (the benchmark's unit cost), per usable row
    excluded: list[dict[str, Any]]
    tables: list[str]


EXCLUSION_REASONS = {
    "missing_input": "Intet udgiftstal for kommunen i året.",
    "zero_or_negative": "Nettoudgiften er 0 eller negativ; DEA kræver en positiv udgift.",
    "missing_output": "Et output mangler for kommunen i året.",
    "negative_output": "Et output er negativt.",
}


def _output_values(release: Release, out: DeaOutput, year: int) -> dict[int, tuple[float, str, str | None]]:
    """code → (value, status, method) of one output in ``year`` (cached on the release)."""
    cache: dict[Any, dict[int, tuple[float, str, str | None]]] = release.__dict__.setdefault("_dea_outputs", {})
    key = (out.kind, out.id, year)
    if key not in cache:
        cache[key] = _query_output(release, out, year)
    return cache[key]


def _query_output(release: Release, out: DeaOutput, year: int) -> dict[int, tuple[float, str, str | None]]:
    if out.kind == "target_group":
        rows = release.query("SELECT municipality_code, persons, status, method FROM target_groups "
                             "WHERE year = ? AND target_group = ? AND municipality_code <> 0", [year, out.id])
    elif out.kind == "series":
        rows = release.query("SELECT municipality_code, value, status, method FROM series "
                             "WHERE year = ? AND series = ? AND municipality_code <> 0", [year, out.id])
    else:
        raise InputError(f"Ukendt outputtype {out.kind!r} i DEA-specifikationen.")
    return {int(c): (float(v), str(st or "observed"), m) for c, v, st, m in rows if v is not None}


def dea_data(release: Release, spec: str | DeaSpec, year: int | None = None,
             catalog: Catalog | None = None) -> DeaData:
    """The input and outputs of ``spec`` for the 98 municipalities in ``year`` (default: the latest).

    The input is the area panel's expenditure E (the benchmark's E, current prices); a municipality without a
    figure, with E ≤ 0 or without every output is left out and listed in ``excluded`` with the reason."""
    spec = resolve_dea_spec(spec)
    catalog = catalog or load_catalog()
    year = release.check_year(year)
    panel = area_panel(release, year, catalog)
    known = {a.id for a in panel.areas}
    unknown = [a for a in spec.areas if a not in known]
    if unknown:
        raise DataNotAvailable(f"DEA-specifikationen {spec.id} bruger områder, som kataloget ikke har: "
                               f"{', '.join(unknown)}.")
    cols = [panel.area_index(a) for a in spec.areas]
    E_all = panel.expenditure[:, cols]
    if np.isnan(E_all).all(axis=0).any():
        gone = [spec.areas[t] for t in range(len(cols)) if np.isnan(E_all[:, t]).all()]
        raise DataNotAvailable(f"{spec.label}: datareleasen har ingen udgiftstal for {', '.join(gone)} i {year} "
                               "(funktionerne findes ikke i kontoplanen det år).")
    E = E_all.sum(axis=1)
    values = [_output_values(release, o, year) for o in spec.outputs]
    for o, v in zip(spec.outputs, values, strict=True):
        if not v:
            raise DataNotAvailable(f"{spec.label}: datareleasen har ikke outputtet {o.name} for {year}.")
    reg = release.register
    keep: list[int] = []
    excluded: list[dict[str, Any]] = []
    for i, code in enumerate(panel.codes):
        code = int(code)
        reason = None
        if np.isnan(E_all[i]).any():
            reason = "missing_input"
        elif E[i] <= 0:
            reason = "zero_or_negative"
        elif any(code not in v for v in values):
            reason = "missing_output"
        elif any(v[code][0] < 0 for v in values):
            reason = "negative_output"
        if reason:
            excluded.append({"code": code, "name": reg.by_code(code).name, "reason": reason,
                             "explanation": EXCLUSION_REASONS[reason],
                             "expenditure": None if np.isnan(E[i]) else float(E[i])})
        else:
            keep.append(i)
    rows = np.array(keep, dtype=int)
    codes = panel.codes[rows]
    Y = np.array([[v[int(c)][0] for v in values] for c in codes], dtype=float).reshape(len(codes), len(values))
    pis = panel.per_inhabitant_status if panel.per_inhabitant_status is not None else panel.status
    in_status = [weakest("derived", *(str(pis[i, j]) for j in cols)) for i in rows]
    out_status = [[v[int(c)][1] for v in values] for c in codes]
    methods = {int(c): sorted({str(v[int(c)][2]) for v in values if v[int(c)][2]}) for c in codes}
    unit_cost = panel.unit_cost[rows, cols[0]] if spec.kind == "area" else None
    tables = [EXPENDITURE_TABLE, "FOLK1A/FOLK1AM (målgrupper)"]
    tables += sorted({SERIES[o.id][2] for o in spec.outputs if o.kind == "series" and o.id in SERIES})
    return DeaData(spec=spec, year=year, codes=codes, X=E[rows][:, None], Y=Y, input_status=in_status,
                   output_status=out_status, output_methods=methods, unit_cost=unit_cost, excluded=excluded,
                   tables=tables)


@dataclass
class _DeaCore:
    data: DeaData
    scores: DeaScores
    super_scores: np.ndarray  # per row: AP score (θ for inefficient rows), NaN where infeasible
    super_lambdas: np.ndarray  # rows × rows (zero for inefficient rows)
    by_construction: np.ndarray
    boots: dict[tuple[int, int, tuple[int, ...] | None], DeaBootstrap] = field(default_factory=dict)


def _core(release: Release, spec: DeaSpec, year: int, catalog: Catalog) -> _DeaCore:
    cache: dict[Any, _DeaCore] = release.__dict__.setdefault("_dea_cores", {})
    key = (spec, year, id(catalog))
    if key in cache:
        return cache[key]
    data = dea_data(release, spec, year, catalog)
    if data.X.shape[0] < 2:
        raise EstimationError(f"{spec.label}: færre end 2 kommuner med brugbare tal i {year}; ingen front.")
    scores = dea_scores(data.X, data.Y, spec.returns_to_scale)
    eff = np.nonzero(scores.efficient)[0]
    sup, sup_l = super_efficiency(data.X, data.Y, eff, spec.returns_to_scale)
    super_scores = scores.theta.copy()
    super_scores[eff] = sup
    super_lambdas = np.zeros_like(scores.lambdas)
    super_lambdas[eff] = sup_l
    core = _DeaCore(data=data, scores=scores, super_scores=super_scores, super_lambdas=super_lambdas,
                    by_construction=efficient_by_construction(data.X, data.Y, spec.returns_to_scale))
    cache[key] = core
    return core


def _bootstrap(core: _DeaCore, B: int, seed: int, rows: list[int] | None) -> DeaBootstrap:
    key = (B, seed, None if rows is None else tuple(rows))
    full = core.boots.get((B, seed, None))
    if key not in core.boots and full is None:
        core.boots[key] = sw_bootstrap(core.data.X, core.data.Y, core.scores.theta, B, seed, rows,
                                       core.data.spec.returns_to_scale)
    return core.boots.get(key) or full  # type: ignore[return-value]


def _row_band(boot: DeaBootstrap, row: int) -> tuple[np.ndarray, float, float] | None:
    pos = np.nonzero(boot.units == row)[0]
    if not pos.size:
        return None
    p = int(pos[0])
    return boot.bands()[p], float(boot.bias()[p]), float(boot.bias_corrected()[p])


FLAGS: dict[str, str] = {
    "efficient": "Effektiv (θ = 1): ingen kombination af andre kommuner dækker de samme målgrupper for færre penge.",
    "weakly_efficient": "θ = 1, men referencen har mere af et output (slack > 0): effektiv i udgift, ikke i alt.",
    "efficient_by_construction": "Effektiv pr. konstruktion under variabelt skalaafkast: kommunen har den laveste "
                                 "udgift eller flest i et output, så ingen anden kombination kan sammenlignes.",
    "super_infeasible": "Super-effektiviteten er ikke defineret (ingen kombination af de andre kommuner har lige så "
                        "mange i hvert output); kommunen er ikke rangeret.",
    "frontier_outlier": "Mulig outlier: effektiv med en super-effektivitet over 2, dvs. kommunen kunne fordoble "
                        "udgiften og stadig ligge på fronten. Den ligger langt fra de øvrige: en meget lille eller "
                        "stor kommune uden sammenlignelige, eller en usædvanligt lav udgift (fx en "
                        "konteringsforskel). Fronten og de andre kommuners potentialer afhænger af den.",
    "outlier_reference": "Mindst én referencekommune er en mulig outlier (super-effektivitet over 2); potentialet "
                         "afhænger af den og kan være for stort.",
    "estimated_output": "Et output (målgruppe) er et skøn i året; se metoden.",
    "small_municipality": "Lille kommune (under 10.000 indbyggere): udgifterne svinger meget fra år til år.",
    "capital": "København og Frederiksberg er strukturelt særlige (hovedstadsfunktioner, tæthed).",
}


@dataclass
class DeaUnit:
    code: int
    name: str
    theta: float
    efficient: bool
    strongly_efficient: bool
    expenditure: float  # E in kr. in the result's price basis
    potential: float  # (1 − θ)·E kr. per year
    outputs: dict[str, float]
    references: list[dict[str, Any]]  # [{code, name, lambda}], largest λ first
    input_slack: float  # kr.
    output_slacks: dict[str, float]
    super_efficiency: float | None
    rank: int | None
    flags: list[str]
    input_status: str
    output_status: dict[str, str]
    methods: list[str]
    unit_cost: float | None = None
    frontier_unit_cost: float | None = None  # θ · e (area specs): the DEA reference level per target-group member
    super_references: list[dict[str, Any]] = field(default_factory=list)
    bootstrap: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "name": self.name, "theta": self.theta, "efficient": self.efficient,
            "strongly_efficient": self.strongly_efficient, "expenditure": self.expenditure,
            "expenditure_status": self.input_status, "potential": self.potential, "outputs": dict(self.outputs),
            "output_status": dict(self.output_status), "references": list(self.references),
            "input_slack": self.input_slack, "output_slacks": dict(self.output_slacks),
            "super_efficiency": self.super_efficiency, "super_references": list(self.super_references),
            "rank": self.rank, "unit_cost": self.unit_cost, "frontier_unit_cost": self.frontier_unit_cost,
            "bootstrap": self.bootstrap, "flags": list(self.flags), "methods": list(self.methods),
        }


@dataclass
class DeaResult:
    spec: DeaSpec
    year: int
    units: list[DeaUnit]  # in code order
    excluded: list[dict[str, Any]]
    summary: dict[str, Any]
    method: dict[str, Any]
    provenance: dict[str, Any]
    prices: PriceBasis | None = None

    def unit(self, code: int) -> DeaUnit:
        for u in self.units:
            if u.code == int(code):
                return u
        for x in self.excluded:
            if x["code"] == int(code):
                raise DataNotAvailable(f"{x['name']} indgår ikke i DEA-specifikationen {self.spec.label} i "
                                       f"{self.year}: {x['explanation']}")
        raise KeyError(code)

    def to_dict(self) -> dict[str, Any]:
        return {"spec": self.spec.to_dict(), "year": self.year, "summary": self.summary,
                "units": [u.to_dict() for u in self.units], "excluded": list(self.excluded),
                "flags": {k: v for k, v in FLAGS.items() if any(k in u.flags for u in self.units)},
                "method": self.method, "provenance": self.provenance}


def _refs(lams: np.ndarray, codes: np.ndarray, release: Release) -> list[dict[str, Any]]:
    idx = np.nonzero(lams > 0)[0]
    idx = idx[np.lexsort((codes[idx], -lams[idx]))]
    return [{"code": int(codes[j]), "name": release.register.by_code(int(codes[j])).name,
             "lambda": float(lams[j])} for j in idx]


def _method(spec: DeaSpec, n: int, n_eff: int, n_strong: int, n_constr: int, B: int, seed: int,
            boot: DeaBootstrap | None, basis: PriceBasis, year: int) -> dict[str, Any]:
    m, s = 1, len(spec.outputs)
    rule = max(m * s, 3 * (m + s))
    outs = ", ".join(o.name for o in spec.outputs)
    return {
        "name": "DEA-front (inputorienteret, variabelt skalaafkast)",
        "model": ("Inputorienteret DEA med variabelt skalaafkast (BCC; Banker, Charnes & Cooper 1984): for hver "
                  "kommune o løses min θ under Σλ_j·E_j ≤ θ·E_o, Σλ_j·y_rj ≥ y_ro for hvert output r, Σλ_j = 1, "
                  "λ ≥ 0 (envelopment-form). θ er den andel af udgiften, hvormed en kombination af virkelige "
                  "kommuner (referencekommunerne, λ > 0) dækker mindst de samme målgrupper."),
        "input": spec.input_label, "outputs": outs, "reason": spec.reason,
        "orientation": spec.orientation, "returns_to_scale": spec.returns_to_scale,
        "potential": ("(1 − θ)·E kr. pr. år: den ensartede (radiale) reduktion af udgiften, der bringer kommunen ud "
                      "på fronten. Output-slacks (referencen har fx flere 80+-årige) indgår ikke i kronebeløbet. "
                      "Potentialet er én reference mere ved siden af benchmarkens og lægges aldrig sammen med dem."),
        "slacks": ("Anden fase: med θ fastholdt maksimeres summen af slacks, hver målt i forhold til variablens "
                   "gennemsnit; λ og slacks er fra denne løsning. θ = 1 med slack > 0 = svagt effektiv."),
        "efficient_count": (f"{n_eff} af {n} kommuner er effektive (θ = 1), heraf {n_strong} uden slacks; "
                            f"{n_constr} er effektive pr. konstruktion (laveste udgift eller flest i et output)."),
        "why_many_efficient": (
            f"Med {s} output er {n_eff} af {n} kommuner effektive. Hvor mange der bliver effektive, er en egenskab "
            "ved metoden, ikke et fund. (1) Med variabelt skalaafkast er kommunen med den laveste udgift og "
            "kommunen med flest i hvert output altid effektive, og fronten følger størrelsen, så en lille eller "
            "stor kommune kun sammenlignes med kombinationer af kommuner på sin egen størrelse. (2) Hvert ekstra "
            "output giver en ny retning, hvor en kommune kan være bedst i sin egen sammensætning (fx mange "
            "80+-årige i forhold til 67+-årige): jo flere output i forhold til de 98 kommuner, jo flere bliver "
            "effektive, og derfor er der langt flere effektive i de tværgående specifikationer med 3-4 output end "
            f"i områderne med ét output. (3) Fronten bygger kun på {n} observerede kommuner med {m} input og {s} "
            f"output; tommelfingerreglen n ≥ max(m·s, 3·(m + s)) = {rule} er "
            f"{'opfyldt' if n >= rule else 'IKKE opfyldt'}, men fronten er stadig kun et skøn fra neden, så θ er "
            "for optimistisk (skævt opad); se bootstrap-båndet. θ = 1 betyder derfor 'ingen kombination af andre "
            "kommuner dækker de samme målgrupper for færre penge', ikke 'kan ikke blive billigere'. Brug "
            "super-effektiviteten til at rangere de effektive."),
        "limits": ("DEA måler kun udgiften mod målgruppernes størrelse: ikke kvalitet, ikke behov (socioøkonomi, "
                   "geografi) og ikke konteringsforskelle. En lav udgift kan være sparsommelighed eller et lavere "
                   "serviceniveau; resultatet er et spørgsmål, ikke en dom."),
        "super_efficiency": ("Andersen & Petersen (1993): samme LP uden kommunen selv blandt referencerne. For de "
                             "effektive er værdien > 1: hvor meget udgiften kunne stige, før kommunen ikke længere "
                             "var på fronten. Rangering: 1 = højeste; for ineffektive er værdien θ. Under VRS kan "
                             "LP'et være uløseligt (kommunen har flest i et output); så er værdien null og kommunen "
                             "ikke rangeret."),
        "outliers": (f"En effektiv kommune med super-effektivitet over {OUTLIER_SUPER_EFFICIENCY:g} markeres som "
                     "mulig outlier (den kunne fordoble udgiften og stadig være på fronten), og kommuner med den "
                     "som reference markeres også. Intet udelades automatisk: DEA er meget følsom for enkelte "
                     "kommuner med en usædvanligt lav udgift (fx konteringsforskelle), så se på dem først."),
        "solver": ("scipy.optimize.linprog(method='highs'). De uafhængige LP'er (ét pr. kommune) løses stablet i "
                   f"blokdiagonale LP'er med op til {BLOCKS_PER_LP} kommuner; blokkene deler ingen variable, så "
                   "hver kommunes optimum er det samme som i dens eget LP. Data skaleres med gennemsnittet af hver "
                   "variabel (θ ændres ikke af måleenheder)."),
        "tolerances": {"efficiency": EFFICIENCY_TOL, "lambda": LAMBDA_TOL, "slack": SLACK_TOL},
        "bootstrap": None if boot is None else {
            "method": ("Simar & Wilson (1998), glattet homogen bootstrap: θ* trækkes fra en spejlet kernetæthed "
                       "af θ̂ (spejling om 1, variansjustering), pseudodata x* = x·θ̂/θ* med uændrede output, og "
                       "hver kommune vurderes mod pseudofronten. Bånd P10–P90: θ̂ − q(θ̂* − θ̂) (basal bootstrap); "
                       "bias = gennemsnit(θ̂*) − θ̂. Forudsætning: effektiviteten afhænger ikke af størrelse og "
                       "sammensætning. Båndet ligger under θ̂, og potentialet i båndet over punktestimatet, fordi "
                       "den sande front ligger længere ude end den observerede."),
            "B": B, "seed": seed, "bandwidth": boot.bandwidth,
            "bandwidth_rule": ("Silvermans regel 0,9·min(sd, IQR/1,34)·(2m)^(−1/5) på de m ineffektive θ̂ "
                               "spejlet om 1, justeret med 2^(1/5)·(m/n)^(1/5)·sd(θ̂)/sd(spejlet) "
                               "(Daraio & Wilson 2007, lign. 3.26)"),
            "percentiles": list(BAND_PERCENTILES), "rng": "numpy.random.default_rng (PCG64), seed [seed, 14]",
            "clipped_draws": boot.clipped},
        "peers": ("Referencekommunerne (λ > 0) kan vælges som sammenligningsgruppe; for en effektiv kommune er det "
                  "referencerne i super-effektivitets-LP'et (den front, kommunen ville stå over for uden sig selv)."),
        "excluded": ("Kommuner med manglende tal eller en nettoudgift ≤ 0 indgår ikke (DEA kræver positive input); "
                     "de er listet med årsagen."),
        "prices": basis.to_dict(year),
    }


def run_dea(release: Release, spec: str | DeaSpec, year: int | None = None, *, B: int = DEFAULT_DEA_B,
            seed: int = DEA_SEED, municipalities: list[int | str] | None = None,
            prices: str | PriceBasis | None = None, base_year: int | None = None,
            catalog: Catalog | None = None) -> DeaResult:
    """DEA of ``spec`` (id, label or area id) in ``year`` (default: the latest) for every municipality with data.

    ``B`` bootstrap draws (0 = none; otherwise at least :data:`MIN_DEA_B`) with ``seed``; ``municipalities`` limits
    the bootstrap (not the frontier) to those codes or names, which is much faster for one municipality and gives
    the same band (the draws do not depend on who is evaluated). ``prices="faste"`` scales the kroner; θ and λ do
    not depend on the price basis (one factor for the year)."""
    spec = resolve_dea_spec(spec)
    catalog = catalog or load_catalog()
    basis = price_basis(release, prices, base_year)
    if B != 0 and B < MIN_DEA_B:
        raise InputError(f"DEA-bootstrap kræver mindst {MIN_DEA_B} trækninger (eller 0 for ingen); fik {B}.")
    year = release.check_year(year)
    factor = basis.factor(year)
    core = _core(release, spec, year, catalog)
    d, sc = core.data, core.scores
    codes = d.codes
    row_of = {int(c): r for r, c in enumerate(codes)}
    boot_rows: list[int] | None = None
    if municipalities is not None:
        boot_rows = sorted({row_of[c] for c in (release.register.resolve(x).code for x in municipalities)
                            if c in row_of})
    boot = _bootstrap(core, B, seed, boot_rows) if B and boot_rows != [] else None
    outliers = {int(codes[r]) for r in range(len(codes))
                if sc.efficient[r] and np.isfinite(core.super_scores[r])
                and core.super_scores[r] > OUTLIER_SUPER_EFFICIENCY}
    order = [r for r in range(len(codes)) if np.isfinite(core.super_scores[r])]
    order.sort(key=lambda r: (-core.super_scores[r], int(codes[r])))
    rank = {r: k + 1 for k, r in enumerate(order)}
    panel = area_panel(release, year, catalog)
    pops = {int(c): float(v) for c, v in zip(panel.codes, panel.population, strict=True) if np.isfinite(v)}
    units: list[DeaUnit] = []
    for r, code in enumerate(codes):
        code = int(code)
        E = float(d.X[r, 0]) * factor
        th = float(sc.theta[r])
        flags: list[str] = []
        eff = bool(sc.efficient[r])
        strong = bool(sc.strongly_efficient[r])
        if eff:
            flags.append("efficient" if strong else "weakly_efficient")
            if core.by_construction[r]:
                flags.append("efficient_by_construction")
            if not np.isfinite(core.super_scores[r]):
                flags.append("super_infeasible")
            if code in outliers:
                flags.append("frontier_outlier")
        refs = _refs(sc.lambdas[r], codes, release)
        if any(x["code"] in outliers and x["code"] != code for x in refs):
            flags.append("outlier_reference")
        if any(st == "estimated" for st in d.output_status[r]):
            flags.append("estimated_output")
        pop = pops.get(code)
        if pop is not None and pop < SMALL_MUNICIPALITY:
            flags.append("small_municipality")
        if code in CAPITAL_CODES:
            flags.append("capital")
        e = None if d.unit_cost is None or not np.isfinite(d.unit_cost[r]) else float(d.unit_cost[r]) * factor
        bootstrap = None
        if boot is not None:
            got = _row_band(boot, r)
            if got is not None:
                band, bias, corrected = got
                pot = [max(0.0, (1 - float(t)) * E) for t in band]
                bootstrap = {"theta_band": {"p10": float(band[0]), "p50": float(band[1]), "p90": float(band[2])},
                             "potential_band": {"p10": pot[2], "p50": pot[1], "p90": pot[0]},
                             "bias": bias, "theta_bias_corrected": corrected}
        units.append(DeaUnit(
            code=code, name=release.register.by_code(code).name, theta=th, efficient=eff, strongly_efficient=strong,
            expenditure=E, potential=0.0 if eff else (1 - th) * E,
            outputs={o.id: float(d.Y[r, k]) for k, o in enumerate(spec.outputs)},
            references=refs, input_slack=float(sc.input_slacks[r, 0]) * factor,
            output_slacks={o.id: float(sc.output_slacks[r, k]) for k, o in enumerate(spec.outputs)},
            super_efficiency=float(core.super_scores[r]) if np.isfinite(core.super_scores[r]) else None,
            rank=rank.get(r), flags=flags, input_status=d.input_status[r],
            output_status={o.id: d.output_status[r][k] for k, o in enumerate(spec.outputs)},
            methods=d.output_methods.get(code, []), unit_cost=e, frontier_unit_cost=None if e is None else th * e,
            super_references=_refs(core.super_lambdas[r], codes, release) if eff else [], bootstrap=bootstrap))
    n = len(units)
    n_eff = sum(u.efficient for u in units)
    n_strong = sum(u.strongly_efficient for u in units)
    n_constr = int(sum(bool(core.by_construction[r]) and units[r].efficient for r in range(n)))
    pots = [u.potential for u in units]
    summary = {"units": n, "excluded": len(d.excluded), "efficient": n_eff, "strongly_efficient": n_strong,
               "efficient_by_construction": n_constr, "share_efficient": n_eff / n if n else None,
               "super_infeasible": sum("super_infeasible" in u.flags for u in units),
               "mean_theta": float(np.mean(sc.theta)), "median_theta": float(np.median(sc.theta)),
               "total_potential": float(sum(pots)),
               "estimated_outputs": sum("estimated_output" in u.flags for u in units),
               "frontier_outliers": [{"code": u.code, "name": u.name, "super_efficiency": u.super_efficiency}
                                     for u in units if "frontier_outlier" in u.flags],
               "outlier_threshold": OUTLIER_SUPER_EFFICIENCY,
               "with_outlier_reference": sum("outlier_reference" in u.flags for u in units),
               "text": (f"{n_eff} af {n} kommuner er effektive ({spec.label}, {year}); se under metoden, hvorfor "
                        "det er mange.")}
    method = _method(spec, n, n_eff, n_strong, n_constr, B, seed, boot, basis, year)
    provenance = {"source": "Danmarks Statistik", "tables": d.tables, "year": year,
                  **price_provenance(release, basis, year), "accounts": release.manifest.get("accounts"),
                  "measure": release.manifest.get("measure"), "release_id": release.id,
                  "catalog_version": catalog.version, "status": "derived",
                  "attribution": release.manifest.get("attribution") or "Kilde: Danmarks Statistik"}
    return DeaResult(spec=spec, year=year, units=units, excluded=list(d.excluded), summary=summary, method=method,
                     provenance=provenance, prices=basis)


def run_dea_all(release: Release, year: int | None = None, *, B: int = 0, seed: int = DEA_SEED,
                prices: str | PriceBasis | None = None, base_year: int | None = None,
                catalog: Catalog | None = None) -> dict[str, DeaResult | DataNotAvailable]:
    """Every specification of the registry in ``year``; a specification the year cannot support (e.g. elderly care
    before 2018) maps to its :class:`DataNotAvailable` instead of stopping the rest."""
    out: dict[str, DeaResult | DataNotAvailable] = {}
    for spec in DEA_SPECS:
        try:
            out[spec.id] = run_dea(release, spec, year, B=B, seed=seed, prices=prices, base_year=base_year,
                                   catalog=catalog)
        except DataNotAvailable as e:
            out[spec.id] = e
    return out


# --------------------------------------------------------------------------------------------- peers, potential


@dataclass
class DeaPeers:
    """The reference municipalities of one municipality in one specification, usable as a peer set."""

    municipality: Municipality
    spec: str
    year: int
    codes: list[int]
    lambdas: list[float]
    basis: str  # "references" (λ of its own LP) | "super_efficiency" (an efficient municipality: λ without itself)
    note: str

    @property
    def text(self) -> str:
        """The peer spec for :func:`raaderum.analysis.peers.choose_peers` / ``run_benchmark(peers=...)``."""
        return ",".join(str(c) for c in self.codes)

    def to_dict(self) -> dict[str, Any]:
        return {"municipality": {"code": self.municipality.code, "name": self.municipality.name},
                "spec": self.spec, "year": self.year, "codes": list(self.codes), "lambdas": list(self.lambdas),
                "basis": self.basis, "peers": self.text, "note": self.note}


def dea_peers(release: Release, municipality: str | int | Municipality, spec: str | DeaSpec,
              year: int | None = None, catalog: Catalog | None = None) -> DeaPeers:
    """The reference municipalities (λ > 0, largest first) of ``municipality`` in ``spec``: for an inefficient one
    those of its own LP; for an efficient one (its own reference) those of its super-efficiency LP. Raises
    :class:`DataNotAvailable` when there are none (left out of the specification, or efficient with an infeasible
    super-efficiency LP), so an empty list never silently becomes the default peers."""
    spec = resolve_dea_spec(spec)
    m = municipality if isinstance(municipality, Municipality) else release.register.resolve(municipality)
    res = run_dea(release, spec, year, B=0, catalog=catalog)
    u = res.unit(m.code)
    if not u.efficient:
        refs, basis = u.references, "references"
        note = (f"Referencekommunerne for {m.name} på DEA-fronten ({spec.label}, {res.year}): de kommuner, hvis "
                "kombination dækker de samme målgrupper for færre penge.")
    else:
        refs, basis = u.super_references, "super_efficiency"
        note = (f"{m.name} er effektiv ({spec.label}, {res.year}); referencerne er de kommuner, der ville udgøre "
                "fronten uden den (super-effektivitet).")
    refs = [r for r in refs if r["code"] != m.code]
    if not refs:
        raise DataNotAvailable(f"{m.name} har ingen referencekommuner i DEA ({spec.label}, {res.year}): kommunen "
                               "er effektiv, og super-effektiviteten er ikke defineret under variabelt skalaafkast.")
    return DeaPeers(municipality=m, spec=spec.id, year=res.year, codes=[r["code"] for r in refs],
                    lambdas=[r["lambda"] for r in refs], basis=basis, note=note)


def dea_peer_codes(release: Release, municipality: str | int | Municipality, spec: str | DeaSpec,
                   year: int | None = None) -> list[int]:
    """The codes of :func:`dea_peers` (``",".join(map(str, codes))`` is a peer spec for ``choose_peers``)."""
    return dea_peers(release, municipality, spec, year).codes


DEA_REFERENCE = {"id": "dea", "name": "DEA-front (inputorienteret, variabelt skalaafkast)",
                 "explanation": ("Udgiften på fronten θ·E: den andel af udgiften, hvormed en kombination af "
                                 "virkelige kommuner dækker mindst de samme målgrupper; potentiale (1 − θ)·E. Én "
                                 "reference mere ved siden af benchmarkens, aldrig lagt sammen med dem.")}


def dea_potential(release: Release, municipality: str | int | Municipality, area: str | DeaSpec,
                  year: int | None = None, *, B: int = DEFAULT_DEA_B, seed: int = DEA_SEED,
                  prices: str | PriceBasis | None = None, base_year: int | None = None,
                  catalog: Catalog | None = None) -> dict[str, Any]:
    """The DEA potential of one municipality in one area (or specification), shaped like a benchmark area
    reference (``AreaBenchmark.references[r]``): ``value`` the reference level in kr. per target-group member
    (θ·e, the benchmark's e), ``potential`` (1 − θ)·E kr. per year, ``band`` P10/P50/P90 of the potential and
    ``reference_band`` P10/P90 of the level (from the bootstrap; None with ``B=0``), plus θ, the reference
    municipalities, flags, method and provenance. A municipality left out of the specification gets
    ``potential: None`` with the reason (never 0)."""
    spec = resolve_dea_spec(area)  # an area id is the id of its specification
    m = municipality if isinstance(municipality, Municipality) else release.register.resolve(municipality)
    res = run_dea(release, spec, year, B=B, seed=seed, municipalities=[m.code], prices=prices,
                  base_year=base_year, catalog=catalog)
    base: dict[str, Any] = {**DEA_REFERENCE, "spec": spec.id, "spec_label": spec.label, "area": spec.area,
                            "municipality": {"code": m.code, "name": m.name}, "year": res.year,
                            "unit": "kr. pr. år", "sign_convention": "Potentiale er positivt = mulig besparelse.",
                            "method": res.method, "provenance": res.provenance, "summary": res.summary}
    try:
        u = res.unit(m.code)
    except DataNotAvailable as e:
        return {**base, "value": None, "potential": None, "band": None, "reference_band": None, "theta": None,
                "references": [], "flags": ["excluded"], "note": str(e)}
    band = ref_band = None
    if u.bootstrap is not None:
        band = dict(u.bootstrap["potential_band"])
        tb = u.bootstrap["theta_band"]
        ref_band = None if u.unit_cost is None else {"p10": tb["p10"] * u.unit_cost, "p90": tb["p90"] * u.unit_cost}
    return {**base, "value": u.frontier_unit_cost, "potential": u.potential, "band": band,
            "reference_band": ref_band, "theta": u.theta, "efficient": u.efficient, "expenditure": u.expenditure,
            "unit_cost": u.unit_cost, "references": u.references, "super_efficiency": u.super_efficiency,
            "rank": u.rank, "ranked": sum(x.rank is not None for x in res.units), "flags": list(u.flags),
            "bootstrap": u.bootstrap, "output_slacks": u.output_slacks, "status": "derived"}


def is_dea_peers(text: str) -> bool:
    """Is a ``peers`` value the DEA reference set (``dea`` or ``dea:<spec>``)?"""
    return bool(re.fullmatch(rf"\s*{DEA_PEERS}\s*(:.*)?", str(text), flags=re.IGNORECASE | re.DOTALL))


def dea_spec_of(text: str, area: str | None) -> DeaSpec:
    """The DEA specification of a ``peers`` value ``dea`` / ``dea:<spec>``: the chosen one, else the area's, else
    the across-area specification (:data:`DEA_DEFAULT_SPEC`). An unknown one is :class:`UnknownDeaSpec`."""
    chosen = text.split(":", 1)[1].strip() if ":" in text else ""
    if chosen:
        return resolve_dea_spec(chosen)
    return spec_for_area(area) if area else resolve_dea_spec(DEA_DEFAULT_SPEC)


def dea_peer_spec(release: Release, municipality: str | int | Municipality, text: str, area: str | None = None,
                  year: int | None = None, *, peers: Any = None) -> PeerSpec:
    """``peers=dea[:spec]`` as a peer spec with the reference municipalities filled in (the lookup the analysis of
    peers cannot make itself: DEA builds on the benchmark), for the web and the CLI alike. No references is an
    error with the reason, never the default peers. ``peers``: a (cached) :func:`dea_peers`."""
    spec = dea_spec_of(text, area)
    code = release.register.resolve(municipality).code if not isinstance(municipality, Municipality) \
        else municipality.code
    dp = (peers or dea_peers)(release, code, spec.id, year)
    return PeerSpec(DEA_PEERS, codes=tuple(dp.codes), text=f"{DEA_PEERS}:{spec.id}", label=f"{spec.label}, {dp.year}")


__all__ = [
    "CRS", "DEA_REFERENCE", "DEA_SEED", "DEA_SPECS", "DEFAULT_DEA_B", "DeaBootstrap", "DeaData", "DeaOutput",
    "DeaPeers", "DeaResult", "DeaScores", "DeaSpec", "DeaUnit", "EFFICIENCY_TOL", "FLAGS", "MIN_DEA_B", "VRS",
    "dea_data", "dea_peer_codes", "dea_peer_spec", "dea_peers", "dea_potential", "dea_scores", "dea_spec_of",
    "dea_specs", "efficient_by_construction", "is_dea_peers", "resolve_dea_spec", "run_dea", "run_dea_all",
    "spec_for_area", "super_efficiency", "sw_bandwidth", "sw_bootstrap",
]
