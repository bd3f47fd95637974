"""`raaderum benchmark`: the råderum benchmark of one municipality (text, ``--json`` or ``--xlsx``)."""

from __future__ import annotations

from pathlib import Path

import typer

from raaderum.cli._common import app, handles_errors, print_json

# The help text and the defaults need these three values of raaderum.analysis.benchmark, which imports numpy
# and scipy; they are repeated here so that `raaderum --help` does not load the analysis. The command checks
# that they still agree (see _check_constants) before it runs.
REFERENCE_IDS = ("national", "peer_mean", "peer_median", "peer_p25", "best5_of_10", "cheapest_peer")
DEFAULT_B = 1000
DEFAULT_SEED = 20191125


def _check_constants() -> None:
    from raaderum.analysis import benchmark as core  # lazy: start-up

    if (tuple(core.REFERENCES), core.DEFAULT_B, core.DEFAULT_SEED) != (REFERENCE_IDS, DEFAULT_B, DEFAULT_SEED):
        raise RuntimeError("raaderum.cli.benchmark: REFERENCE_IDS, DEFAULT_B or DEFAULT_SEED no longer match "
                           "raaderum.analysis.benchmark; update them and run `make docs`.")


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
                              help="Sammenligningskommuner: k=10, group, region, all eller koder/navne "
                                   "adskilt med komma."),
    weights: str | None = typer.Option(None, "--weights", "-w",
                                       help="Vægte på rammevilkår, fx 'ln_population=2,share_80_plus=0'."),
    need_corrected: bool = typer.Option(False, "--need-corrected", help="Tilføj behovskorrigeret potentiale."),
    bootstrap: int = typer.Option(DEFAULT_B, "--bootstrap", help="Antal bootstrap-trækninger (mindst 1.000)."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", help="Frø til bootstrap (samme frø giver samme bånd)."),
    as_json: bool = typer.Option(False, "--json", help="Skriv JSON."),
    xlsx: Path | None = typer.Option(None, "--xlsx", help="Skriv en Excel-projektmappe til denne fil."),
) -> None:
    """Råderumsbenchmark: hvor bruger kommunen mere end sammenlignelige kommuner, og hvor meget er det?"""
    from rich.console import Console  # lazy: start-up
    from rich.table import Table  # lazy: start-up

    from raaderum.analysis.benchmark import FLAG_LABELS, FLAGS, REFERENCES, run_benchmark  # lazy: start-up
    from raaderum.formatting import MISSING, fmt_kr, fmt_mio, fmt_number, fmt_pct  # lazy: start-up
    from raaderum.release.reader import open_release  # lazy: start-up

    _check_constants()
    rel = open_release()
    res = run_benchmark(rel, kommune, year, reference=reference, peers=peers, weights=weights,
                        need_corrected=need_corrected, B=bootstrap, seed=seed)
    if xlsx is not None:
        from raaderum.reports.benchmark_xlsx import write_benchmark_xlsx  # lazy: start-up

        write_benchmark_xlsx(res, xlsx)
    if as_json:
        print_json(res.to_dict())
        return
    con = Console(width=160)
    m = res.municipality
    ref = REFERENCES[res.reference]
    con.print(f"[bold]Råderumsbenchmark for {m.name} Kommune ({m.code}), regnskab {res.year}[/bold]")
    con.print(res.summary())
    if res.peers.stability_mean is not None:
        con.print(f"Stabilitet: i gennemsnit bliver sammenligningskommunerne i sættet i "
                  f"{fmt_pct(res.peers.stability_mean, 0)} af {res.peers.stability_draws} trækninger, når vægtene "
                  f"varieres ±{fmt_pct(res.peers.stability_perturbation, 0)}.")
    t = Table(title=f"Serviceområder efter potentiale ({ref.name.lower()})")
    cols = ["Område", "Målgruppe", "Kr. pr. målgr.", "Reference", "Potentiale", "Bånd P10-P90", "Flag"]
    if need_corrected:
        cols.insert(6, "Behovskorr.")
    for c in cols:
        t.add_column(c, justify="left" if c in ("Område", "Målgruppe", "Flag") else "right")
    for a in res.areas:
        band = _band(a.band)
        row = [a.name, a.denominator_name, fmt_number(a.unit_cost), fmt_number(a.references[res.reference]["value"]),
               fmt_kr(a.potential), band, ", ".join(FLAG_LABELS[f] for f in a.flags)]
        if need_corrected:
            row.insert(6, fmt_kr(a.need.get("potential")) if a.need and "error" not in a.need else MISSING)
        t.add_row(*row)
    con.print(t)
    tot = res.total
    total_band = tot.get("band")
    con.print(f"[bold]I alt: {fmt_kr(tot['potential'])}[/bold] om året (summen af de positive områder; "
              f"områder under referencen modregnes ikke)"
              + (f", bånd P10-P90 {_band(total_band)}" if total_band else "."))
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
    prov = res.provenance
    con.print(f"Kilde: Danmarks Statistik, {prov['table']} {res.year}; {prov['price_basis']}; "
              f"datarelease {prov['release_id']}.")
