"""`raaderum dea`: the efficiency frontier (DEA) per specification, or one municipality's scores and references."""

from __future__ import annotations

import typer

from raaderum.cli._common import app, handles_errors, print_json, wide_console


@app.command("dea")
@handles_errors
def dea(
    omraade: str | None = typer.Option(None, "--omraade", "-o",
                                       help="DEA-specifikation eller serviceområde, fx aeldre, alle_omraader "
                                            "(standard: oversigt over alle specifikationer)."),
    year: int | None = typer.Option(None, "--year", "-y", help="Regnskabsår (standard: seneste)."),
    kommune: str | None = typer.Option(None, "--kommune", "-k",
                                       help="Vis θ, potentiale og referencekommuner for én kommune."),
    bootstrap: int = typer.Option(0, "--bootstrap", "-b",
                                  help="Antal bootstrap-trækninger for et bånd på θ (0 = intet; ellers mindst 100, "
                                       "fx 500)."),
    as_json: bool = typer.Option(False, "--json", help="Skriv JSON."),
) -> None:
    """Effektivitetsfront (DEA, inputorienteret, variabelt skalaafkast): θ, potentiale og referencekommuner."""
    from rich.table import Table  # lazy: start-up

    from raaderum.analysis.dea import DEA_SPECS, run_dea, run_dea_all  # lazy: start-up
    from raaderum.formatting import MISSING, fmt_kr, fmt_number, fmt_pct  # lazy: start-up
    from raaderum.release.reader import open_release  # lazy: start-up

    rel = open_release()
    con = wide_console()
    if omraade is None and kommune is None:
        results = run_dea_all(rel, year, B=0)
        if as_json:
            print_json({sid: ({"error": str(r)} if isinstance(r, Exception) else
                              {"spec": r.spec.to_dict(), "year": r.year, "summary": r.summary})
                        for sid, r in results.items()})
            return
        t = Table(title="DEA-specifikationer (θ = andel af udgiften på fronten)")
        for c in ("Specifikation", "Output", "Kommuner", "Effektive", "Median θ", "Potentiale i alt"):
            t.add_column(c, justify="left" if c in ("Specifikation", "Output") else "right")
        for spec in DEA_SPECS:
            r = results[spec.id]
            if isinstance(r, Exception):
                t.add_row(spec.id, ", ".join(o.name for o in spec.outputs), MISSING, MISSING, MISSING, str(r))
                continue
            s = r.summary
            t.add_row(spec.id, ", ".join(o.name for o in spec.outputs), str(s["units"]), str(s["efficient"]),
                      fmt_number(s["median_theta"], 3), fmt_kr(s["total_potential"]))
        con.print(t)
        con.print("Mange kommuner bliver effektive med 98 kommuner og flere output (variabelt skalaafkast); det er en "
                  "egenskab ved metoden. Vælg en specifikation med --omraade for detaljer.")
        return
    spec_id = omraade or "alle_omraader"
    codes: list[int | str] | None = None
    if kommune is not None:
        codes = [rel.register.resolve(kommune).code]
    res = run_dea(rel, spec_id, year, B=bootstrap, municipalities=codes)
    if kommune is not None:
        u = res.unit(int(codes[0]))  # type: ignore[index]
        if as_json:
            print_json({"spec": res.spec.to_dict(), "year": res.year, "unit": u.to_dict(), "summary": res.summary,
                        "flags": {f: d for f, d in res.to_dict()["flags"].items() if f in u.flags},
                        "method": res.method, "provenance": res.provenance})
            return
        con.print(f"[bold]DEA for {u.name} ({u.code}): {res.spec.label}, {res.year}[/bold]")
        con.print(f"θ = {fmt_number(u.theta, 3)}; udgift {fmt_kr(u.expenditure)}; potentiale (1 − θ)·E = "
                  f"{fmt_kr(u.potential)} om året" + (" (effektiv)" if u.efficient else ""))
        if u.bootstrap:
            b = u.bootstrap["theta_band"]
            con.print(f"Bånd P10-P90 for θ (bootstrap, B = {bootstrap}): {fmt_number(b['p10'], 3)}-"
                      f"{fmt_number(b['p90'], 3)}")
        if u.super_efficiency is not None:
            con.print(f"Super-effektivitet {fmt_number(u.super_efficiency, 3)} (rang {u.rank}).")
        refs = u.references if not u.efficient else u.super_references
        if refs:
            t = Table(title="Referencekommuner (λ-vægte)")
            t.add_column("Kommune")
            t.add_column("λ", justify="right")
            for x in refs:
                t.add_row(f"{x['name']} ({x['code']})", fmt_number(x["lambda"], 3))
            con.print(t)
        for f in u.flags:
            con.print(f"[italic]{f}[/italic]: {res.to_dict()['flags'].get(f, '')}")
    else:
        if as_json:
            print_json(res.to_dict())
            return
        s = res.summary
        con.print(f"[bold]DEA: {res.spec.label}, {res.year}[/bold] — {s['text']}")
        t = Table()
        for c in ("Kommune", "θ", "Potentiale", "Super-eff.", "Referencer"):
            t.add_column(c, justify="left" if c in ("Kommune", "Referencer") else "right")
        for u in sorted(res.units, key=lambda x: x.theta):
            t.add_row(f"{u.name} ({u.code})", fmt_number(u.theta, 3), fmt_kr(u.potential),
                      MISSING if u.super_efficiency is None else fmt_number(u.super_efficiency, 3),
                      ", ".join(x["name"] for x in u.references[:4] if x["code"] != u.code))
        con.print(t)
        con.print(f"Effektive: {s['efficient']} af {s['units']} ({fmt_pct(s['share_efficient'], 0)}); "
                  f"{res.method['why_many_efficient']}")
    con.print(f"Kilde: Danmarks Statistik; {res.provenance['price_basis']}; datarelease "
              f"{res.provenance['release_id']}. "
              "DEA-potentialet er én reference ved siden af benchmarkens, ikke lagt sammen med dem.")
