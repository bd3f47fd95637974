"""What a data release says about its values: statuses, estimation methods, missing reasons, structural variables,
annual series and noegletal indicators, each with a Danish explanation (shown next to every value that uses it).

Shared by the builder, the reader and the analyses, so every module names the same method with the same words.
"""

from __future__ import annotations

#: Status of one value, weakest last: ``observed`` as published; ``derived`` computed from observed figures with
#: a stated precision (e.g. a DKK total from kr. per inhabitant rounded to whole kroner); ``estimated`` filled in
#: by a named method; ``missing`` (null, never 0).
STATUS_ORDER: dict[str, int] = {"observed": 0, "derived": 1, "estimated": 2, "missing": 3}

#: Estimation and derivation methods: id → what was done, in Danish.
METHODS: dict[str, str] = {
    "population_trend": "Folketal fremskrevet fra seneste observerede år med den gennemsnitlige årlige vækst "
                        "i de fem foregående år (skøn, ikke Danmarks Statistiks tal).",
    "population_backcast": "Folketal tilbageskrevet fra første observerede år med den gennemsnitlige årlige vækst "
                           "i de fem følgende år (skøn).",
    "age_share": "Målgruppens andel af befolkningen på den nærmeste dato med enkeltårsaldre (for børn og voksne "
                 "under 65 kun 1. januar 2021) ganget med årets folketal (skøn).",
    "age_share_interpolated": "Målgruppens andel af befolkningen interpoleret lineært mellem de to nærmeste datoer "
                              "med enkeltårsaldre (1. januar 2008, 2011, 2015, 2019, 2021, 2022) og ganget med "
                              "årets observerede folketal (skøn; fejl målt på tilbageholdte datoer, se "
                              "method_validation).",
    "cohort_ageing": "Seneste aldersfordeling (1. januar 2022; under 65 år fra 2021) fremskrevet år for år med "
                     "landets etårige kohorteforhold N(alder+1, år+1)/N(alder, år) målt mellem 2021 og 2022 "
                     "(dødsfald og nettoflytninger samlet) (skøn; fejl målt på tilbageholdte datoer, se "
                     "method_validation).",
    "age_share_trend": "Målgruppens andel fremskrevet bagud med den lineære udvikling mellem de to første datoer "
                       "med enkeltårsaldre (skøn).",
    "total_from_per_inhabitant": "1.000 kr. beregnet som kr. pr. indbygger × folketal 1. januar / 1.000 (afledt; "
                                 "kilden afrunder kr. pr. indbygger til hele kroner, så beløbet er usikkert med "
                                 "±0,5 kr. × folketal, se total_precision_1000kr).",
    "per_inhabitant_from_total": "Kr. pr. indbygger beregnet som 1.000 kr. × 1.000 / folketal 1. januar (afledt).",
    "area_from_density": "Areal beregnet som folketal / befolkningstæthed, gennemsnit over årene (skøn; "
                         "tætheden er afrundet til hele indbyggere pr. km²).",
    "area_carried_forward": "Seneste officielle areal (km²) brugt for senere år, hvor kilden mangler tallet (skøn; "
                            "kommunernes areal ændrer sig kun med få hundrededele km² om året).",
    "density_from_area": "Befolkningstæthed = folketal 1. januar / areal i km²; skøn når folketal eller areal er "
                         "et skøn.",
    "national_sum": "Hele landet beregnet som summen af de 98 kommuner, hvoraf nogle er skøn.",
    "series_interpolated": "Interpoleret lineært mellem de to nærmeste år med tal i kilden (skøn).",
    "series_carried_forward": "Seneste år med tal i kilden brugt for senere år (skøn).",
    "series_carried_back": "Første år med tal i kilden brugt for tidligere år (skøn).",
    "ratio_of_estimate": "Forholdstal hvor nævneren (målgruppen) er et skøn; se målgruppens metode.",
    "cpi_partial_year": "Årsgennemsnit skønnet som gennemsnittet af årets kendte måneder ganget med medianen af "
                        "forholdet mellem årsgennemsnit og de samme måneder i de op til otte foregående hele år "
                        "(skøn; i den indlejrede release kun januar 2024).",
}

#: Why a value is missing: id → explanation in Danish.
MISSING_REASONS: dict[str, str] = {
    "function_not_in_chart": "Funktionen fandtes ikke i kontoplanen dette år (0 for alle kommuner og hele landet "
                             "i kilden); vist som manglende, ikke som 0.",
    "not_reported": "Ikke indberettet i kilden.",
    "noegletal_missing": "Nøgletallet mangler for året i noegletal.dk (markeret 'M' i kilden).",
    "noegletal_undefined": "Nøgletallet er udefineret for året i noegletal.dk (markeret 'U' i kilden).",
}

#: Structural variables (rammevilkår) a release carries; id → (Danish name, unit, explanation).
STRUCTURE_VARIABLES: dict[str, tuple[str, str, str]] = {
    "population": ("Folketal", "indbyggere", "Indbyggere 1. januar."),
    "density": ("Befolkningstæthed", "indbyggere pr. km²", "Indbyggere 1. januar pr. km² officielt areal."),
    "area_km2": ("Areal", "km²", "Kommunens officielle areal (noegletal.dk / Danmarks Statistik ARE207)."),
    "population_growth_5y": ("Befolkningsudvikling", "andel", "Ændring i folketallet over de seneste fem år."),
    "share_0_5": ("Andel 0-5-årige", "andel", "Andel af befolkningen i dagtilbudsalderen."),
    "share_6_16": ("Andel 6-16-årige", "andel", "Andel af befolkningen i skolealderen."),
    "share_17_64": ("Andel 17-64-årige", "andel", "Andel af befolkningen i den erhvervsaktive alder."),
    "share_65_plus": ("Andel 65+-årige", "andel", "Andel ældre på 65 år og derover."),
    "share_67_plus": ("Andel 67+-årige", "andel", "Andel ældre på 67 år og derover."),
    "share_80_plus": ("Andel 80+-årige", "andel", "Andel ældre på 80 år og derover."),
    "socioeconomic_index": ("Socioøkonomisk indeks", "indeks (landsgennemsnit = 1)",
                            "Indenrigs- og Sundhedsministeriets socioøkonomiske indeks i udligningssystemet for "
                            "tilskudsåret (noegletal.dk); over 1 = tungere sociale forhold end landsgennemsnittet."),
    "disposable_income": ("Disponibel indkomst pr. person", "kr., løbende priser",
                          "Gennemsnitlig disponibel indkomst for alle personer i kommunen (INDKP101)."),
    "unemployment_rate": ("Ledighed", "pct. af arbejdsstyrken",
                          "Årsgennemsnit af den månedlige bruttoledighed (AUP02)."),
    "employment_rate": ("Lønmodtagere pr. 17-64-årig", "fuldtidslønmodtagere pr. 17-64-årig",
                        "Fuldtidsbeskæftigede lønmodtagere efter bopæl (LBESK69, årsgennemsnit af kvartaler) "
                        "pr. 17-64-årig; selvstændige tæller ikke med."),
    "higher_education_share": ("Andel med videregående uddannelse", "andel af 15-69-årige",
                               "15-69-årige med kort, mellemlang eller lang videregående uddannelse eller ph.d. "
                               "(HFUDD11, H40-H80) som andel af alle 15-69-årige."),
}

#: Age bands of the population shares in ``structure`` (and their target-group estimates).
AGE_BANDS: dict[str, tuple[int, int | None]] = {
    "share_0_5": (0, 5), "share_6_16": (6, 16), "share_17_64": (17, 64),
    "share_65_plus": (65, None), "share_67_plus": (67, None), "share_80_plus": (80, None),
}

#: Annual series of the ``series`` table; id → (Danish name, unit, Statistics Denmark table, how it is made).
SERIES: dict[str, tuple[str, str, str, str]] = {
    "social_assistance_fte": ("Nettoledige kontanthjælpsmodtagere", "fuldtidspersoner", "AUK01",
                              "Offentligt forsørgede (fuldtidsmodtagere), ydelsestypen 'nettoledige "
                              "kontanthjælpsmodtagere', årsgennemsnit af årets fire kvartaler. Kun én ydelsestype: "
                              "ikke alle modtagere af kontant- og uddannelseshjælp."),
    "employees_fte": ("Fuldtidsbeskæftigede lønmodtagere efter bopæl", "fuldtidspersoner", "LBESK69",
                      "Årsgennemsnit af årets fire kvartaler; år med færre kvartaler er udeladt."),
    "disposable_income": ("Disponibel indkomst pr. person", "kr., løbende priser", "INDKP101",
                          "Gennemsnitsindkomst for alle personer, indkomsttype 1 (disponibel indkomst), mænd og "
                          "kvinder i alt."),
    "unemployment_rate": ("Bruttoledighed", "pct. af arbejdsstyrken", "AUP02",
                          "Årsgennemsnit af de månedlige tal (beregnet af kildens forfatter for år med 12 "
                          "måneder)."),
    "education_15_69_total": ("15-69-årige i alt", "personer", "HFUDD11", "Befolkningen 15-69 år efter bopæl."),
    "education_15_69_higher": ("15-69-årige med videregående uddannelse", "personer", "HFUDD11",
                               "Summen af H40 kort, H50 mellemlang, H60 bachelor, H70 lang videregående og H80 "
                               "ph.d."),
}

#: noegletal.dk key figures a release may carry; id → (the report's own heading, unit, explanation).
NOEGLETAL_INDICATORS: dict[str, tuple[str, str, str]] = {
    "serviceudgifter_pr_indb": ("Serviceudgifter pr. indb.", "kr. pr. indbygger",
                                "Kommunens serviceudgifter pr. indbygger (nettodriftsudgifter uden overførsler, "
                                "forsikrede ledige, aktivitetsbestemt medfinansiering m.m.); kilden angiver ikke "
                                "prisgrundlaget (noegletal.dk's kronetal er normalt løbende priser), og seneste år "
                                "kan være foreløbigt."),
    "socioekonomisk_indeks": ("Socioøkonomisk indeks", "indeks (landsgennemsnit = 1)",
                              "Udligningssystemets socioøkonomiske indeks efter tilskudsår."),
    "udg_brutto_dagtilbud_pr_0_13_aarig": ("Udgift til dagtilbud pr. 0-13-årig", "kr. pr. 0-13-årig (brutto)",
                                           "Bruttoudgift til dagtilbud pr. 0-13-årig."),
    "udskrivningsprocent": ("Udskrivningsprocent", "pct.", "Kommunal indkomstskat."),
    "grundskyldspromille": ("Grundskyldspromille", "promille", "Grundskyld af grundværdien."),
    "areal_km2": ("Areal (km2) (abs)", "km²", "Kommunens areal."),
    "indbyggertal_1jan": ("Indbyggertal 1. januar", "indbyggere", "Folketal 1. januar."),
}

#: The label of the shipped fallback deflator, shown next to every figure in fixed prices.
CPI_FALLBACK_LABEL = "forbrugerprisindeks, ikke kommunernes pris- og lønindeks"


def status_rank(status: str | None) -> int:
    """The position of ``status`` in :data:`STATUS_ORDER` (unknown counts as missing)."""
    return STATUS_ORDER.get(status or "missing", STATUS_ORDER["missing"])


def weakest(*statuses: str) -> str:
    """The weakest of several statuses: missing > estimated > derived > observed."""
    return max(statuses, key=status_rank) if statuses else "missing"


__all__ = ["AGE_BANDS", "CPI_FALLBACK_LABEL", "METHODS", "MISSING_REASONS", "NOEGLETAL_INDICATORS", "SERIES",
           "STATUS_ORDER", "STRUCTURE_VARIABLES", "status_rank", "weakest"]
