"""`raaderum benchmark`: the råderum benchmark of one municipality (text, ``--json`` or ``--xlsx``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from raaderum.cli._common import app, handles_errors, print_json

# The help text and the defaults need these three values of raaderum.analysis.benchmark, which imports numpy
# and scipy; they are repeated here so that `raaderum --help` does not load the analysis. The command checks
# that they still agree (see _check_constants) before it runs.
REFERENCE_IDS = ("national", "peer_mean", "peer_median", "peer_p25", "best5_of_10", "cheapest_peer")
DEFAULT_B = 1000
DEFAULT_SEED = 20191125
#: The peer models of raaderum/catalog/peers.toml (``load_peer_registry().choices()``), repeated for the same reason.
PEER_MODEL_IDS = ("standard", "aeldre", "skole", "beskaeftigelse", "auto")


def _check_constants() -> None:
    from raaderum.analysis import benchmark as core  # lazy: start-up
    from raaderum.analysis.peers import load_peer_registry  # lazy: start-up

    if (tuple(core.REFERENCES), core.DEFAULT_B, core.DEFAULT_SEED) != (REFERENCE_IDS, DEFAULT_B, DEFAULT_SEED):
        raise RuntimeError("raaderum.cli.benchmark: REFERENCE_IDS, DEFAULT_B or DEFAULT_SEED no longer match "
                           "raaderum.analysis.benchmark; update them and run `make docs`.")
    if tuple(c["id"] for c in load_peer_registry().choices()) != PEER_MODEL_IDS:
        raise RuntimeError("raaderum.cli.benchmark: PEER_MODEL_IDS no longer match raaderum/catalog/peers.toml; "
                           "update them and run `make docs`.")


def _band(b: dict[str, float] | None) -> str:
    from raaderum.formatting import MISSING, fmt_number  # lazy: start-up

    if not b:
        return MISSING
    return f"{fmt_number(b['p10'] / 1e6, 1)}-{fmt_number(b['p90'] / 1e6, 1)} mio. kr."


@app.command("benchmark")
@handles_errors
def benchmark(
    kommune: str = typer.Argument(..., help="Kommunekode eller navn, fx 751, Aarhus eller 'Høje Taastrup'."),
    year: int | None = typer.Option(None, "--year", "-y", help="Regnskabsår (standard: seneste)."),
    reference: str = typer.Option("peer_mean", "--reference", "-r",
                                  help="Referenceniveau: " + ", ".join(REFERENCE_IDS) + "."),
    peers: str = typer.Option("k=10", "--peers", "-p",
                              help="Sammenligningskommuner: k=10, group, region, all, koder/navne "
                                   "adskilt med komma, eller dea / dea:<specifikation> (referencekommunerne "
                                   "på DEA-fronten)."),
    weights: str | None = typer.Option(None, "--weights", "-w",
                                       help="Vægte på rammevilkår, fx 'ln_population=2,share_80_plus=0'."),
    need_corrected: bool = typer.Option(False, "--need-corrected", help="Tilføj behovskorrigeret potentiale."),
    peer_model: str | None = typer.Option(None, "--peer-model", "-m",
                                          help="Sammenligningsmodel: " + ", ".join(PEER_MODEL_IDS)
                                               + " (auto = hvert område sin egen model; standard: standard)."),
    prices: str = typer.Option("løbende", "--prices", help="Prisgrundlag: løbende eller faste."),
    base_year: int | None = typer.Option(None, "--base-year",
                                         help="Basisår for faste priser (standard: releasens, fx 2023)."),
    bootstrap: int = typer.Option(DEFAULT_B, "--bootstrap", help="Antal bootstrap-trækninger (mindst 1.000)."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Frø til bootstrap (samme frø giver samme bånd)."),
    as_json: bool = typer.Option(False, "--json", help="Skriv JSON."),
    xlsx: Path | None = typer.Option(None, "--xlsx", help="Skriv en Excel-projektmappe til denne fil."),
) -> None:
    """Råderumsbenchmark: hvor bruger kommunen mere end sammenlignelige kommuner, og hvor meget er det?"""
    from rich.console import Console  # lazy: start-up
    from rich.table import Table  # lazy: start-up

    from raaderum.analysis.benchmark import FLAG_LABELS, FLAGS, REFERENCES, run_benchmark  # lazy: start-up
    from raaderum.analysis.key_figures import round_to_precision  # lazy: start-up
    from raaderum.formatting import MISSING, fmt_kr, fmt_mio, fmt_number, fmt_pct  # lazy: start-up
    from raaderum.release.reader import open_release  # lazy: start-up

    _check_constants()
    rel = open_release()
    chosen: Any = peers
    from raaderum.analysis.dea import dea_peer_spec, is_dea_peers  # lazy: start-up

    if is_dea_peers(peers):  # the DEA reference municipalities (across areas, or dea:<specifikation>)
        chosen = dea_peer_spec(rel, kommune, peers, None, year)
    res = run_benchmark(rel, kommune, year, reference=reference, peers=chosen, weights=weights,
                        need_corrected=need_corrected, B=bootstrap, seed=seed, peer_model=peer_model,
                        prices=prices, base_year=base_year)
    if xlsx is not None:
        from raaderum.reports.benchmark_xlsx import write_benchmark_xlsx  # lazy: start-up

        write_benchmark_xlsx(res, xlsx)
    if as_json:
        print_json(res.to_dict())
        return
    con = Console(width=160)
    m = res.municipality
    ref = REFERENCES[res.reference]
    prov = res.provenance
    basis = prov["price_basis"]
    model_name = res.to_dict()["peer_model"]["name"]
    con.print(f"[bold]Råderumsbenchmark for {m.name} Kommune ({m.code}), regnskab {res.year}[/bold]")
    con.print(f"Prisgrundlag: {basis}. Sammenligningsmodel: {model_name}.")
    con.print(res.summary())
    if res.peers.stability_mean is not None:
        con.print(f"Stabilitet: i gennemsnit bliver sammenligningskommunerne i sættet i "
                  f"{fmt_pct(res.peers.stability_mean, 0)} af {res.peers.stability_draws} trækninger, når vægtene "
                  f"varieres ±{fmt_pct(res.peers.stability_perturbation, 0)}.")
    auto = res.peer_model == "auto"
    t = Table(title=f"Serviceområder efter potentiale ({ref.name.lower()}; {basis.split(' (')[0].lower()})")
    cols = ["Område", "Målgruppe", "Kr. pr. målgr.", "Reference", "Potentiale (afledt)", "Bånd P10-P90", "Flag"]
    if auto:
        cols.insert(1, "Model")
    if need_corrected:
        cols.insert(6, "Behovskorr.")
    for c in cols:
        t.add_column(c, justify="left" if c in ("Område", "Målgruppe", "Flag") else "right")
    for a in res.areas:
        band = _band(a.band)
        row = [a.name, a.denominator_name, fmt_number(a.unit_cost), fmt_number(a.references[res.reference]["value"]),
               fmt_kr(round_to_precision(a.potential, a.expenditure_precision)), band,
               ", ".join(FLAG_LABELS[f] for f in a.flags)]
        if auto:
            row.insert(1, (a.peer_model_name or a.peer_model).split(":")[0])
        if need_corrected:
            row.insert(6, fmt_kr(a.need.get("potential")) if a.need and "error" not in a.need else MISSING)
        t.add_row(*row)
    con.print(t)
    tot = res.total
    total_band = tot.get("band")
    con.print(f"[bold]I alt: {fmt_kr(round_to_precision(tot['potential'], tot.get('precision')))}[/bold] om året "
              f"({basis.lower()}; afledt, ± {fmt_mio(tot.get('precision'))}; summen af de positive områder; "
              f"områder under referencen modregnes ikke)"
              + (f", bånd P10-P90 {_band(total_band)}" if total_band else "."))
    con.print(tot.get("sign_convention", ""))
    rng = tot["range"]
    con.print(f"Spænd over referenceniveauer: {fmt_mio(rng['min'])} ({REFERENCES[rng['min_reference']].name.lower()}) "
              f"til {fmt_mio(rng['max'])} ({REFERENCES[rng['max_reference']].name.lower()}).")
    for r_id, v in tot["by_reference"].items():
        con.print(f"  {REFERENCES[r_id].name}: {fmt_kr(v)}")
    if need_corrected:
        con.print(f"Behovskorrigeret i alt: {fmt_kr(tot.get('need_corrected'))}")
        for a in res.areas:
            if a.need and "error" in a.need:
                con.print(f"  {a.name}: {a.need['error']}")
    used = sorted({f for a in res.areas for f in a.flags}, key=list(FLAGS).index)
    for f in used:
        con.print(f"[italic]{FLAG_LABELS[f]}[/italic]: {FLAGS[f]}")
    for note in [*res.peers.notes, *res.peers.dropped]:
        con.print(note)
    con.print("Et potentiale er et spørgsmål, ikke en konklusion: en lav udgift kan være sparsommelighed eller "
              "lavere service.")
    if xlsx is not None:
        con.print(f"Projektmappe skrevet: {xlsx}")
    con.print(f"Kilde: Danmarks Statistik, {prov['table']} {res.year}; {prov['price_basis']}; "
              f"datarelease {prov['release_id']}.")
