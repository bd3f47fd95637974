"""The sample idea bank shipped with Råderum: fictitious proposals written for Råderum, NOT real municipalities'
proposals. They are realistic in wording, types and phasing, so the embedded default has something to search,
and they are labelled as sample data wherever they are shown (``is_sample=True``, the batch name
:data:`~raaderum.ideas.records.SAMPLE_BATCH_NAME`, and "Eksempeldata" in lists and search results).

Budget years 2019 and 2020 (KL's two database tools). Amounts in 1.000 kr., savings negative; ``None`` where the
(fictitious) municipality wrote "ej opgjort". Some ideas recur in other municipalities with small changes
(near-duplicates), as they do in the real tools.
"""

from __future__ import annotations

import hashlib
import json

from raaderum.ideas.records import SAMPLE_BATCH_NAME, SAMPLE_LABEL, ProposalRecord

SAMPLE_FILE = "raaderum-eksempeldata"
SAMPLE_SHEET = "Eksempeldata"

# Municipality codes and names used by the sample (official codes).
MUNICIPALITIES: dict[str, int] = {
    "København": 101, "Frederiksberg": 147, "Ballerup": 151, "Brøndby": 153, "Gentofte": 157, "Gladsaxe": 159,
    "Herlev": 163, "Albertslund": 165, "Hvidovre": 167, "Høje-Taastrup": 169, "Rødovre": 175, "Furesø": 190,
    "Allerød": 201, "Helsingør": 217, "Hillerød": 219, "Rudersdal": 230, "Egedal": 240, "Greve": 253,
    "Køge": 259, "Roskilde": 265, "Holbæk": 316, "Kalundborg": 326, "Slagelse": 330, "Næstved": 370,
    "Guldborgsund": 376, "Vordingborg": 390, "Bornholm": 400, "Middelfart": 410, "Assens": 420,
    "Faaborg-Midtfyn": 430, "Odense": 461, "Svendborg": 479, "Haderslev": 510, "Sønderborg": 540, "Tønder": 550,
    "Esbjerg": 561, "Varde": 573, "Aabenraa": 580, "Fredericia": 607, "Horsens": 615, "Kolding": 621,
    "Vejle": 630, "Herning": 657, "Holstebro": 661, "Syddjurs": 706, "Favrskov": 710, "Randers": 730,
    "Silkeborg": 740, "Skanderborg": 746, "Aarhus": 751, "Ikast-Brande": 756, "Ringkøbing-Skjern": 760,
    "Hedensted": 766, "Skive": 779, "Viborg": 791, "Frederikshavn": 813, "Rebild": 840, "Mariagerfjord": 846,
    "Jammerbugt": 849, "Aalborg": 851, "Hjørring": 860, "Thisted": 787, "Lolland": 360, "Odsherred": 306,
}

# How municipalities write the committee of each area (chosen by municipality code).
COMMITTEES: dict[str, list[str]] = {
    "dagtilbud": ["Børne- og Ungeudvalget", "Udvalget for Børn og Unge", "Børne- og Familieudvalget",
                  "Børne- og Skoleudvalget"],
    "folkeskole": ["Børne- og Skoleudvalget", "Skole- og Uddannelsesudvalget", "Udvalget for Børn og Unge",
                   "Børne- og Ungeudvalget"],
    "sfo": ["Børne- og Skoleudvalget", "Børne- og Ungeudvalget", "Skoleudvalget"],
    "specialundervisning": ["Børne- og Skoleudvalget", "Skole- og Uddannelsesudvalget", "Børne- og Ungeudvalget"],
    "privatskoler": ["Børne- og Skoleudvalget", "Skoleudvalget"],
    "udsatte_boern": ["Børne- og Familieudvalget", "Socialudvalget", "Børne- og Ungeudvalget",
                      "Udvalget for Familie og Forebyggelse"],
    "aeldre": ["Ældre- og Sundhedsudvalget", "Social- og Sundhedsudvalget", "Ældreudvalget",
               "Sundheds- og Omsorgsudvalget", "Udvalget for Sundhed og Ældre"],
    "sundhed": ["Sundhedsudvalget", "Social- og Sundhedsudvalget", "Ældre- og Sundhedsudvalget"],
    "misbrug": ["Socialudvalget", "Social- og Sundhedsudvalget", "Udvalget for Social og Handicap"],
    "beskaeftigelse": ["Beskæftigelsesudvalget", "Arbejdsmarkedsudvalget", "Job- og Arbejdsmarkedsudvalget"],
    "administration": ["Økonomiudvalget", "Økonomi- og Erhvervsudvalget"],
    "kultur_fritid": ["Kultur- og Fritidsudvalget", "Kultur-, Fritids- og Idrætsudvalget",
                      "Fritids- og Kulturudvalget"],
    "veje_trafik": ["Teknik- og Miljøudvalget", "Teknisk Udvalg", "Klima-, Teknik- og Miljøudvalget"],
    "groenne_omraader": ["Teknik- og Miljøudvalget", "Teknisk Udvalg", "Natur- og Miljøudvalget"],
    "ejendomme": ["Økonomiudvalget", "Teknik- og Miljøudvalget", "Ejendomsudvalget"],
    "indkoeb": ["Økonomiudvalget", "Økonomi- og Erhvervsudvalget"],
    "digitalisering": ["Økonomiudvalget", "Økonomi- og Erhvervsudvalget"],
    "organisering": ["Økonomiudvalget", "Økonomi- og Erhvervsudvalget"],
    None: ["Økonomiudvalget"],  # type: ignore[dict-item]
}

# How municipalities write the area (fagområde), chosen by municipality code; all map to the catalogue.
AREA_TEXTS: dict[str, list[str]] = {
    "dagtilbud": ["Dagtilbud", "Dagtilbudsområdet", "Daginstitutioner"],
    "folkeskole": ["Folkeskole", "Skoleområdet", "Skoler"],
    "sfo": ["SFO", "Skolefritidsordning"],
    "specialundervisning": ["Specialundervisning", "Specialområdet"],
    "privatskoler": ["Bidrag for elever på private skoler", "Privatskoler"],
    "udsatte_boern": ["Udsatte børn og unge", "Børn og familie", "Familieområdet"],
    "aeldre": ["Ældreområdet", "Ældrepleje", "Pleje og omsorg", "Ældre"],
    "sundhed": ["Sundhed", "Sundhedsområdet"],
    "misbrug": ["Misbrugsbehandling", "Behandling af stofmisbrug"],
    "beskaeftigelse": ["Beskæftigelse", "Arbejdsmarked", "Jobcenter"],
    "administration": ["Administration", "Fælles administration"],
    "kultur_fritid": ["Kultur og fritid", "Biblioteker", "Fritid"],
    "veje_trafik": ["Veje og trafik", "Veje", "Trafik og veje"],
    "groenne_omraader": ["Grønne områder", "Park og natur", "Parker"],
    "ejendomme": ["Ejendomme", "Bygningsdrift", "Kommunale ejendomme"],
    "indkoeb": ["Indkøb", "Indkøb og udbud"],
    "digitalisering": ["Digitalisering", "IT og digitalisering"],
    "organisering": ["Organisering", "Organisation og ledelse"],
}

TYPE_TEXTS: dict[str, list[str]] = {
    "effektivisering": ["Effektivisering", "Effektiviseringsforslag"],
    "investering": ["Investering", "Investeringsforslag"],
    "digitalisering": ["Digitalisering"],
    "indkoeb": ["Indkøb", "Udbud"],
    "organisering": ["Organisering", "Strukturændring"],
    "omlaegning": ["Omlægning", "Omlægning af indsats"],
    "indtaegt": ["Indtægt", "Merindtægt"],
    "servicetilpasning": ["Servicetilpasning", "Service-tilpasning", "Servicereduktion"],
}

A = tuple[float | None, float | None, float | None, float | None]

# (area, type, municipality, year, title, description, (B, BO1, BO2, BO3), one-off investment,
#  near-duplicates: [(municipality, year, other title or None, amount factor)])
_BASE: list[tuple[str | None, str, str, int, str, str, A, float | None, list[tuple[str, int, str | None, float]]]] = [
    # ---- Dagtilbud
    ("dagtilbud", "organisering", "Holbæk", 2019, "Sammenlægning af mindre daginstitutioner",
     "Fire små daginstitutioner med under 40 børn lægges sammen i to større enheder med fælles ledelse. "
     "Det giver færre ledere, bedre vikardækning og mindre spild på åbningstider. Bygningerne i de to "
     "nedlagte institutioner sælges.",
     (-400, -1200, -1500, -1500), 800.0,
     [("Kalundborg", 2020, "Sammenlægning af små daginstitutioner under fælles ledelse", 0.8)]),
    ("dagtilbud", "servicetilpasning", "Vordingborg", 2019, "Tilpasning af åbningstider i daginstitutioner",
     "Åbningstiden tilpasses det faktiske fremmøde, som er lavt før kl. 7 og efter kl. 16.30. Der oprettes "
     "en fælles institution med udvidet åbningstid for forældre med særlige behov.",
     (-600, -900, -900, -900), None, []),
    ("dagtilbud", "omlaegning", "Lolland", 2020, "Omlægning af dagplejen til integrerede institutioner",
     "Antallet af dagplejere reduceres gradvist, efterhånden som dagplejere går på pension, og pladserne "
     "flyttes til vuggestuegrupper i eksisterende børnehuse. Dagplejen bevares i landområder uden "
     "institution.",
     (-300, -800, -1400, -1800), None,
     [("Guldborgsund", 2019, "Færre dagplejere og flere vuggestuepladser", 1.3)]),
    ("dagtilbud", "effektivisering", "Herning", 2020, "Bedre planlægning af personale i vuggestuer",
     "Et digitalt planlægningsværktøj matcher bemanding med børnenes faktiske fremmøde time for time. "
     "Erfaringer fra tre pilotinstitutioner viser mindre brug af vikarer og overarbejde.",
     (100, -500, -700, -700), 250.0, []),
    ("dagtilbud", "indtaegt", "Hillerød", 2019, "Forhøjelse af forældrebetaling til frokostordning",
     "Forældrebetalingen for frokostordningen i børnehaver hæves, så den dækker de fulde udgifter til "
     "råvarer og køkkenpersonale, som loven tillader.",
     (-350, -350, -350, -350), None, []),
    ("dagtilbud", "indkoeb", "Odense", 2020, "Fælles indkøbsaftale for legetøj og forbrugsvarer i dagtilbud",
     "Daginstitutionerne køber i dag ind hver for sig. En fælles indkøbsaftale med én leverandør af legetøj, "
     "bleer og forbrugsvarer giver mængderabat og mindre tid brugt på indkøb.",
     (-250, -500, -500, -500), None, []),
    # ---- Folkeskole
    ("folkeskole", "organisering", "Skive", 2019, "Ny skolestruktur med færre matrikler",
     "Tre skoler med faldende elevtal samles på to matrikler. Klassekvotienten hæves fra gennemsnitligt 18 til "
     "22 elever, og udgifter til bygninger og ledelse falder. Skolebussen omlægges, så ingen elev får over 30 "
     "minutters transport.",
     (-1000, -4000, -6500, -6500), 3000.0,
     [("Thisted", 2020, "Ny skolestruktur: samling af skoler med faldende elevtal", 0.9),
      ("Tønder", 2020, None, 0.7)]),
    ("folkeskole", "effektivisering", "Viborg", 2020, "Højere klassekvotient ved klassedannelse",
     "Ved dannelse af nye 0. klasser og ved sammenlægning af spor planlægges efter 24 elever pr. klasse frem for "
     "22. Det reducerer antallet af klasser med ca. seks over fire år.",
     (-500, -1500, -2500, -3500), None, []),
    ("folkeskole", "servicetilpasning", "Gladsaxe", 2019, "Reduktion af lejrskoletilskud",
     "Det kommunale tilskud til lejrskoler og ekskursioner halveres. Skolerne kan fortsat prioritere ture inden "
     "for egen ramme.",
     (-400, -400, -400, -400), None, []),
    ("folkeskole", "digitalisering", "Aarhus", 2020, "Digitale læremidler erstatter trykte bøger",
     "Skolerne overgår til digitale læremidler i dansk og matematik på mellemtrinnet. Det sparer indkøb af "
     "trykte bøger og kopiering, mens licenser købes centralt.",
     (200, -800, -1200, -1200), 500.0, []),
    ("folkeskole", "omlaegning", "Kolding", 2019, "Tolærerordning omlægges til faglig vejledning",
     "Tolærertimer i indskolingen omlægges til færre, målrettede forløb med læsevejledere. Indsatsen rettes mod "
     "de elever, der har størst behov.",
     (-600, -1200, -1200, -1200), None, []),
    ("folkeskole", "effektivisering", "Horsens", 2020, "Mindre vikarforbrug i folkeskolen",
     "Skolerne etablerer faste vikarkorps på tværs af skoler i stedet for timevikarer fra bureau. Kortere "
     "fravær dækkes ved planlagt holddannelse.",
     (-300, -700, -700, -700), None,
     [("Vejle", 2020, "Reduktion af vikarudgifter på skolerne", 1.2)]),
    # ---- SFO
    ("sfo", "indtaegt", "Roskilde", 2019, "Takstforhøjelse i SFO",
     "Forældrebetalingen i SFO hæves med 100 kr. om måneden. Roskilde ligger i dag under gennemsnittet for "
     "sammenlignelige kommuner.",
     (-1100, -1100, -1100, -1100), None, []),
    ("sfo", "organisering", "Egedal", 2020, "SFO og klub samles i én fritidsorganisation",
     "SFO og fritidsklubber samles under én ledelse pr. skoledistrikt. Det giver fælles personale i "
     "ydertimerne og bedre brug af lokaler.",
     (-200, -600, -600, -600), None, []),
    ("sfo", "servicetilpasning", "Faaborg-Midtfyn", 2019, "Lukning af morgen-SFO på små skoler",
     "Morgen-SFO lukkes på skoler med under fem fremmødte børn om morgenen. Børnene kan i stedet møde i en "
     "nærliggende SFO eller i skolens morgenåbning.",
     (-250, -400, -400, -400), None, []),
    # ---- Specialundervisning
    ("specialundervisning", "omlaegning", "Slagelse", 2019, "Flere børn i almenundervisningen gennem inklusion",
     "Ressourcecentre på hver skole skal støtte, at flere elever med særlige behov kan gå i almindelige klasser. "
     "Pengene følger eleven, og visitationen til specialklasser strammes op.",
     (500, -1500, -3000, -4000), 1500.0,
     [("Næstved", 2020, "Inklusion: ressourcecentre på skolerne frem for specialtilbud", 0.8)]),
    ("specialundervisning", "effektivisering", "Esbjerg", 2020, "Mindre specialkørsel gennem samkørsel",
     "Kørsel af elever til specialskoler planlægges med ruteoptimering og samkørsel i stedet for individuelle "
     "taxature. Befordringen udbydes samlet.",
     (-400, -800, -800, -800), None,
     [("Varde", 2019, "Samkørsel i specialkørsel til skoler", 0.5)]),
    ("specialundervisning", "investering", "Randers", 2020, "Egen specialskole frem for køb af pladser",
     "Kommunen etablerer et eget specialtilbud for elever med autisme i stedet for at købe pladser i andre "
     "kommuner og private tilbud. Investeringen i ombygning er tjent hjem på tre år.",
     (2000, -1500, -3500, -4500), 6000.0, []),
    # ---- Privatskoler
    ("privatskoler", "omlaegning", "Tønder", 2019, "Styrket profilskole for at fastholde elever i folkeskolen",
     "Mange elever skifter til friskole efter 6. klasse. En profilskole med naturfag og udeskole skal gøre "
     "folkeskolen mere attraktiv og mindske kommunens bidrag for elever på private skoler.",
     (300, -200, -600, -900), None, []),
    ("privatskoler", "effektivisering", "Bornholm", 2020, "Opfølgning på bidrag til efterskoler og privatskoler",
     "Kommunens bidrag til staten for elever på frie skoler kontrolleres mod elevlister. Fejlregistreringer "
     "er tidligere fundet for flere elever.",
     (-100, -100, -100, -100), None, []),
    # ---- Udsatte børn og unge
    ("udsatte_boern", "omlaegning", "Herning", 2019, "Flere anbringelser i plejefamilier frem for institutioner",
     "Kommunen rekrutterer og uddanner flere netværks- og plejefamilier, så færre børn anbringes på "
     "døgninstitutioner og opholdssteder. Familierne får mere supervision.",
     (600, -1500, -3000, -4000), None,
     [("Ikast-Brande", 2020, "Omlægning fra døgninstitution til plejefamilie", 0.6),
      ("Holstebro", 2020, None, 0.7)]),
    ("udsatte_boern", "investering", "Gentofte", 2020, "Tidlig forebyggende indsats for udsatte familier",
     "Familierådgivere får lavere sagstal og tilbyder tidlig indsats, før problemerne vokser. Erfaringer fra "
     "Sverigesprogrammet viser færre anbringelser efter to til tre år.",
     (1500, 500, -1500, -3000), None, []),
    ("udsatte_boern", "effektivisering", "Aalborg", 2019, "Genforhandling af priser på opholdssteder",
     "Kommunen genforhandler takster med private opholdssteder og stiller krav om dokumenteret effekt. "
     "Faste rammeaftaler erstatter enkeltkøb.",
     (-800, -1600, -1600, -1600), None, []),
    ("udsatte_boern", "organisering", "Frederikshavn", 2020, "Samling af familiebehandling i ét familiehus",
     "Familiebehandling fra tre adresser samles i ét familiehus med fælles ledelse og visitation. Det kortere "
     "forløb for familierne og sparer husleje.",
     (-200, -700, -700, -700), 400.0, []),
    # ---- Ældre
    ("aeldre", "investering", "Odense", 2019, "Velfærdsteknologi i hjemmeplejen",
     "Hjemmeplejen udruller spiserobotter, vasketoiletter og skærmbesøg til borgere, der kan klare sig selv "
     "med teknologien. Det frigør tid til personlig pleje og giver borgerne mere selvstændighed.",
     (1200, -800, -2400, -3000), 2500.0,
     [("Svendborg", 2020, "Mere velfærdsteknologi i ældreplejen", 0.5),
      ("Middelfart", 2020, "Velfærdsteknologi i hjemmeplejen: skærmbesøg og spiserobotter", 0.4)]),
    ("aeldre", "investering", "Aarhus", 2020, "Loftlifte på plejecentre",
     "Der opsættes loftlifte i alle plejeboliger, så forflytninger kan klares af én medarbejder i stedet for to. "
     "Færre arbejdsskader og mindre sygefravær forventes.",
     (3000, -1500, -2500, -2500), 4000.0, []),
    ("aeldre", "omlaegning", "Fredericia", 2019, "Hverdagsrehabilitering før hjemmehjælp",
     "Alle nye ansøgere om hjemmehjælp tilbydes først et rehabiliteringsforløb, hvor de genoptræner daglige "
     "gøremål. Erfaringen er, at en stor del herefter klarer sig med mindre hjælp.",
     (-500, -2000, -3000, -3000), None,
     [("Hedensted", 2020, "Rehabiliteringsforløb for nye borgere i hjemmeplejen", 0.6),
      ("Rebild", 2019, None, 0.4)]),
    ("aeldre", "effektivisering", "Silkeborg", 2020, "Nedbringelse af sygefravær i ældreplejen",
     "En målrettet indsats med tidlig dialog, fastholdelsessamtaler og bedre vagtplanlægning skal nedbringe "
     "sygefraværet i hjemmeplejen og på plejecentrene fra 8 til 6,5 procent.",
     (-500, -1500, -2000, -2000), None,
     [("Skanderborg", 2020, "Lavere sygefravær i hjemmeplejen og på plejecentre", 0.7)]),
    ("aeldre", "indkoeb", "Vejle", 2019, "Genudbud af madservice til hjemmeboende ældre",
     "Madservice til hjemmeboende ældre sendes i udbud med krav om valgfrihed mellem retter. Priserne på "
     "tilsvarende aftaler i nabokommuner er 10-15 procent lavere.",
     (-300, -900, -900, -900), None, []),
    ("aeldre", "effektivisering", "Ringkøbing-Skjern", 2020, "Ruteplanlægning i hjemmeplejen",
     "Et digitalt planlægningssystem optimerer ruterne for hjemmeplejens medarbejdere. Mindre kørselstid "
     "giver mere tid hos borgerne og færre kørte kilometer.",
     (200, -900, -1200, -1200), 600.0, []),
    ("aeldre", "servicetilpasning", "Assens", 2019, "Rengøring hver tredje uge i stedet for hver anden",
     "Den praktiske hjælp til rengøring i hjemmet gives hver tredje uge i stedet for hver anden. Borgere med "
     "særlige behov vurderes individuelt.",
     (-800, -1600, -1600, -1600), None, []),
    ("aeldre", "digitalisering", "Sønderborg", 2020, "Maskinel dosisdispensering af medicin",
     "Flere borgere får medicin dosisdispenseret fra apoteket i stedet for at sygeplejersker doserer "
     "medicinen manuelt. Det sparer tid og mindsker fejl i medicinhåndteringen.",
     (-200, -800, -1000, -1000), None,
     [("Aabenraa", 2019, "Dosisdispensering af medicin fra apotek", 0.6)]),
    ("aeldre", "indtaegt", "Rudersdal", 2020, "Bedre hjemtagelse af betaling for plejeboliger",
     "Opkrævning af husleje og serviceydelser på plejecentre gennemgås. Der er fundet for lave takster for "
     "vask og tøjservice.",
     (-150, -300, -300, -300), None, []),
    ("aeldre", "organisering", "Haderslev", 2019, "Sammenlægning af hjemmeplejedistrikter",
     "Fem hjemmeplejedistrikter lægges sammen til tre, med færre ledere og bedre mulighed for at dele "
     "medarbejdere på tværs ved fravær.",
     (-400, -1100, -1100, -1100), None, []),
    ("aeldre", "investering", "Randers", 2019, "Træning af ældre efter hospitalsudskrivning",
     "Et udgående team tilbyder intensiv genoptræning de første uger efter udskrivning. Genindlæggelser og "
     "behov for varig hjemmehjælp forventes at falde.",
     (900, -200, -1200, -1500), None, []),
    ("aeldre", "effektivisering", "Hjørring", 2020, "Mindre brug af vikarbureauer i ældreplejen",
     "Kommunen opretter en intern vikarpulje med faste vikarer i stedet for dyre bureauvikarer i plejen. "
     "Ubesatte vagter dækkes ved frivillig ekstravagt.",
     (-500, -1200, -1200, -1200), None, []),
    # ---- Sundhed
    ("sundhed", "omlaegning", "Køge", 2019, "Akutteam forebygger indlæggelser",
     "Et akutteam af sygeplejersker kan rykke ud til ældre med akut opstået sygdom i eget hjem. Det forebygger "
     "indlæggelser og sparer kommunal medfinansiering af sundhedsvæsenet.",
     (1000, -500, -1500, -1800), None,
     [("Greve", 2020, "Akutteam i hjemmesygeplejen forebygger indlæggelser", 0.6)]),
    ("sundhed", "effektivisering", "Favrskov", 2020, "Tandpleje: samling af klinikker",
     "Den kommunale børnetandpleje samles fra fem til to klinikker med moderne udstyr. Udnyttelsen af "
     "behandlingsstole stiger, og ventetider falder.",
     (-300, -900, -1100, -1100), 2000.0, []),
    ("sundhed", "omlaegning", "Syddjurs", 2019, "Forebyggelse af fald blandt ældre",
     "Sundhedsplejen tilbyder faldforebyggende træning og hjemmebesøg til ældre over 75 år. Færre faldulykker "
     "betyder færre hospitalsindlæggelser.",
     (300, -100, -500, -700), None, []),
    ("sundhed", "effektivisering", "Albertslund", 2020, "Genoptræning i grupper frem for individuelt",
     "Genoptræning efter sundhedsloven gives i højere grad på hold. Borgerne motiveres af fællesskabet, og "
     "fysioterapeuterne når flere.",
     (-200, -500, -500, -500), None, []),
    # ---- Misbrug
    ("misbrug", "omlaegning", "Esbjerg", 2019, "Ambulant misbrugsbehandling frem for døgnbehandling",
     "Flere borgere med misbrug tilbydes intensiv ambulant behandling tæt på hjemmet i stedet for dyr "
     "døgnbehandling. Døgnbehandling forbeholdes de tungeste forløb.",
     (-500, -1200, -1500, -1500), None,
     [("Kolding", 2020, "Misbrugsbehandling: mere ambulant og mindre døgnbehandling", 0.8)]),
    ("misbrug", "indkoeb", "København", 2020, "Rammeaftaler for køb af døgnbehandling af stofmisbrug",
     "Kommunen indgår rammeaftaler med et mindre antal leverandører af døgnbehandling for stofmisbrug med "
     "faste priser og krav om dokumentation af resultater.",
     (-1500, -3000, -3000, -3000), None, []),
    ("misbrug", "investering", "Holbæk", 2020, "Unge og rusmidler: tidlig indsats",
     "Et tværfagligt ungeteam opsporer unge med begyndende rusmiddelproblemer via skoler og klubber. Tidlig "
     "behandling forebygger dyrere forløb senere.",
     (800, 400, -400, -900), None, []),
    # ---- Beskæftigelse
    ("beskaeftigelse", "omlaegning", "Brøndby", 2019, "Virksomhedsrettet indsats for kontanthjælpsmodtagere",
     "Flere kontanthjælpsmodtagere kommer i virksomhedspraktik og løntilskud frem for kurser. Erfaringen er, "
     "at virksomhedsrettede forløb giver flere i job og lavere forsørgelsesudgifter.",
     (500, -2000, -4000, -4000), None,
     [("Hvidovre", 2020, "Virksomhedsrettet indsats: flere ledige i praktik", 0.8),
      ("Høje-Taastrup", 2020, None, 0.6)]),
    ("beskaeftigelse", "effektivisering", "Kalundborg", 2020, "Hurtigere opfølgning på sygedagpenge",
     "Jobcentret holder første samtale med sygemeldte inden for fire uger og tilbyder delvis raskmelding. "
     "Sygedagpengeforløbene bliver kortere.",
     (-300, -1500, -2000, -2000), None,
     [("Slagelse", 2019, "Tidlig opfølgning på sygemeldte borgere", 0.9)]),
    ("beskaeftigelse", "indkoeb", "Odense", 2019, "Færre eksterne aktører i beskæftigelsesindsatsen",
     "Kurser og forløb, som i dag købes hos private aktører, løses af jobcentrets egne medarbejdere. "
     "Eksterne forløb bruges kun, hvor de har dokumenteret effekt.",
     (-1000, -2000, -2000, -2000), None, []),
    ("beskaeftigelse", "organisering", "Ballerup", 2020, "Fælles ungeenhed for uddannelse og job",
     "Ungdommens Uddannelsesvejledning og jobcentrets ungeafdeling samles i én ungeenhed. Unge får én "
     "indgang, og forløb på uddannelseshjælp afkortes.",
     (-200, -800, -1200, -1200), None, []),
    ("beskaeftigelse", "indtaegt", "Herlev", 2019, "Bedre hjemtagelse af refusion på fleksjob",
     "Sagsbehandlingen af fleksjob og ledighedsydelse kontrolleres for at sikre fuld statsrefusion. Der er "
     "fundet sager, hvor refusionen er gået tabt på grund af for sen behandling.",
     (-400, -400, -400, -400), None, []),
    ("beskaeftigelse", "omlaegning", "Guldborgsund", 2020, "Mentorordning for langtidsledige",
     "Langtidsledige på kontanthjælp får en fast mentor, der hjælper med at komme i job. Indsatsen "
     "finansieres af lavere udgifter til forsørgelse.",
     (600, -300, -1200, -1500), None, []),
    # ---- Administration
    ("administration", "organisering", "Gentofte", 2019, "Færre ledelseslag i administrationen",
     "Antallet af ledelseslag i centraladministrationen reduceres fra fire til tre, og ledelsesspændet øges. "
     "Seks mellemlederstillinger nedlægges ved naturlig afgang.",
     (-1500, -3000, -3000, -3000), None,
     [("Hillerød", 2020, "Færre ledere og større ledelsesspænd", 0.6)]),
    ("administration", "digitalisering", "Aalborg", 2020, "Softwarerobotter i løn og bogholderi",
     "Rutineopgaver i løn, bogholderi og opkrævning automatiseres med softwarerobotter (RPA). "
     "Medarbejderne bruger tiden på opgaver, der kræver faglig vurdering.",
     (300, -1000, -1800, -2000), 800.0,
     [("Frederiksberg", 2019, "Automatisering med softwarerobotter i administrationen", 0.6),
      ("Viborg", 2020, "RPA: robotter overtager rutineopgaver i økonomi og løn", 0.5)]),
    ("administration", "digitalisering", "Silkeborg", 2019, "Mere digital selvbetjening i borgerservice",
     "Flere henvendelser flyttes til digital selvbetjening og en chatbot på kommunens hjemmeside. "
     "Borgerservice kan reducere åbningstiden ved skranken.",
     (200, -600, -900, -900), 300.0, []),
    ("administration", "effektivisering", "Furesø", 2020, "Mindre print og porto med digital post",
     "Al kommunikation med borgere og virksomheder sendes som digital post, og printere i administrationen "
     "halveres. Udgifter til porto og papir falder.",
     (-300, -500, -500, -500), None, []),
    ("administration", "effektivisering", "Mariagerfjord", 2019, "Videotolkning frem for fremmødetolkning",
     "Tolkebistand til borgere gives som udgangspunkt via video i stedet for fremmødetolk. Det sparer "
     "transporttid og tolkehonorar.",
     (-150, -300, -300, -300), None,
     [("Jammerbugt", 2020, "Videotolkning i stedet for tolk med fremmøde", 0.5)]),
    ("administration", "organisering", "Svendborg", 2020, "Fælles sekretariat for alle forvaltninger",
     "Forvaltningernes sekretariater samles i ét fælles sekretariat for politisk betjening, kommunikation og "
     "jura. Dobbeltfunktioner fjernes.",
     (-500, -1500, -1500, -1500), None, []),
    ("administration", "servicetilpasning", "Lolland", 2019, "Reduktion af kursusbudgetter",
     "Budgetterne til kurser og konferencer i administrationen reduceres med 25 procent. Kompetenceudvikling "
     "prioriteres til e-læring og intern oplæring.",
     (-400, -400, -400, -400), None, []),
    # ---- Kultur og fritid
    ("kultur_fritid", "digitalisering", "Herning", 2019, "Selvbetjente biblioteker med udvidet åbningstid",
     "Filialbibliotekerne omlægges til åbne biblioteker med selvbetjening uden personale i ydertimerne. "
     "Borgerne får længere åbningstid, og bemandingen samles på hovedbiblioteket.",
     (200, -600, -800, -800), 600.0,
     [("Holstebro", 2020, "Åbne biblioteker med selvbetjening", 0.7),
      ("Varde", 2020, None, 0.5)]),
    ("kultur_fritid", "indtaegt", "Roskilde", 2020, "Udlejning af haller og lokaler i weekender",
     "Idrætshaller og mødelokaler udlejes til private og virksomheder, når de ikke bruges af foreninger. "
     "Der indføres digital booking.",
     (-150, -300, -300, -300), None, []),
    ("kultur_fritid", "servicetilpasning", "Odsherred", 2019, "Lukning af bibliotekets bogbus",
     "Bogbussen nedlægges, og borgere i landdistrikterne tilbydes i stedet udbringning af bøger og "
     "selvbetjente bogskabe i forsamlingshuse.",
     (-300, -500, -500, -500), None, []),
    ("kultur_fritid", "effektivisering", "Horsens", 2020, "Fælles drift af idrætsanlæg",
     "Driften af kommunens idrætsanlæg, haller og svømmehaller samles i én enhed med fælles personale til "
     "vedligeholdelse og rengøring.",
     (-250, -700, -700, -700), None, []),
    ("kultur_fritid", "omlaegning", "Syddjurs", 2020, "Foreningstilskud omlægges til aktivitetstilskud",
     "Lokaletilskud til foreninger omlægges til et aktivitetsbaseret tilskud pr. aktivt medlem under 25 år. "
     "Det fremmer bedre brug af kommunale lokaler.",
     (-200, -400, -400, -400), None, []),
    # ---- Veje og trafik
    ("veje_trafik", "investering", "Hvidovre", 2019, "Udskiftning af vejbelysning til LED",
     "Kommunens cirka 8.000 gadelamper udskiftes til LED-armaturer med styring, så lyset kan dæmpes om natten. "
     "Elforbruget til vejbelysning falder med op mod 60 procent.",
     (4000, -1200, -2400, -2400), 15000.0,
     [("Rødovre", 2020, "LED i gadelys og styring af vejbelysningen", 0.6),
      ("Favrskov", 2020, "Energibesparelse på vejbelysning ved udskiftning til LED", 0.5)]),
    ("veje_trafik", "servicetilpasning", "Vordingborg", 2020, "Slukning af gadelys på landeveje om natten",
     "Gadelyset på udvalgte landeveje uden for byzonen slukkes mellem kl. 24 og 5. Trafiksikkerheden "
     "vurderes af politiet inden beslutning.",
     (-300, -300, -300, -300), None, []),
    ("veje_trafik", "indkoeb", "Viborg", 2019, "Udbud af vintertjeneste",
     "Snerydning og glatførebekæmpelse sendes i udbud i fire distrikter. Den kommunale materielgård "
     "byder selv på to distrikter.",
     (-500, -1000, -1000, -1000), None, []),
    ("veje_trafik", "omlaegning", "Aabenraa", 2020, "Omlægning af buskørsel til flextur",
     "Bybuslinjer med få passagerer i landområderne erstattes af flextur, som borgerne bestiller efter behov. "
     "Kollektiv trafik bliver mere fleksibel og billigere.",
     (-800, -1500, -1500, -1500), None,
     [("Tønder", 2019, "Flextrafik erstatter tomme busruter", 0.5),
      ("Lolland", 2020, None, 0.6)]),
    ("veje_trafik", "effektivisering", "Kolding", 2019, "Vejvedligeholdelse planlagt efter vejens tilstand",
     "Nyt slidlag og asfaltreparationer prioriteres efter et digitalt vejregister med tilstandsmålinger. "
     "Det undgår dyre totalrenoveringer senere.",
     (-200, -500, -800, -800), 300.0, []),
    ("veje_trafik", "servicetilpasning", "Ringkøbing-Skjern", 2020, "Lavere serviceniveau for vintertjeneste på "
     "små veje", "Snerydning på mindre villaveje og stier sker først efter kl. 7 og kun ved mere end 10 cm sne. "
     "Hovedruter og skoleveje prioriteres uændret.",
     (-400, -400, -400, -400), None, []),
    ("veje_trafik", "effektivisering", "Frederikshavn", 2020, "Optimering af skolekørsel",
     "Ruterne for skolebusser planlægges om med digital ruteplanlægning og tilpasses ringetider. Antallet af "
     "busser kan reduceres med tre.",
     (-300, -700, -700, -700), None, []),
    # ---- Grønne områder
    ("groenne_omraader", "servicetilpasning", "Greve", 2019, "Færre græsslåninger i parker og rabatter",
     "Græsset i parker og langs veje slås sjældnere, og flere arealer omlægges til vild med vilje med "
     "blomstrende enge. Det øger biodiversiteten og sparer maskintimer.",
     (-300, -600, -600, -600), None,
     [("Allerød", 2020, "Mindre græsslåning og flere vilde blomsterenge", 0.5),
      ("Køge", 2020, None, 0.7)]),
    ("groenne_omraader", "indkoeb", "Helsingør", 2020, "Udbud af pleje af grønne områder",
     "Plejen af parker, kirkegårde og grønne områder i to bydele sendes i udbud. Erfaringer fra andre "
     "kommuner viser besparelser på 10-20 procent.",
     (-400, -800, -800, -800), None, []),
    ("groenne_omraader", "investering", "Bornholm", 2019, "Robotplæneklippere på boldbaner",
     "Kommunens boldbaner slås af robotplæneklippere i stedet for traktorer. Investeringen tjenes hjem på "
     "fire år gennem lavere løn- og brændstofudgifter.",
     (600, -200, -300, -300), 900.0, []),
    ("groenne_omraader", "omlaegning", "Rebild", 2020, "Beplantning omlægges til flerårige planter",
     "Sommerblomster i byrum erstattes af flerårig beplantning og buske, som kræver mindre pasning og vanding.",
     (-100, -250, -250, -250), None, []),
    # ---- Ejendomme
    ("ejendomme", "investering", "Næstved", 2020, "Energirenovering af skoler og institutioner",
     "Skoler og daginstitutioner energirenoveres med LED-belysning, solceller, bedre ventilation og "
     "efterisolering. Varmeforbruget og elforbruget falder markant.",
     (5000, -1000, -2000, -2500), 20000.0,
     [("Middelfart", 2019, "Energibesparelser i kommunale bygninger: LED og solceller", 0.4),
      ("Haderslev", 2020, None, 0.5)]),
    ("ejendomme", "effektivisering", "Aarhus", 2019, "Bedre udnyttelse af kvadratmeter i kommunens bygninger",
     "En kortlægning viser, at mange lokaler står tomme store dele af dagen. Aktiviteter samles, og overflødige "
     "bygninger sælges eller lejes ud.",
     (-500, -2000, -4000, -5000), None,
     [("Skanderborg", 2019, "Færre kvadratmeter: salg af tomme kommunale bygninger", 0.4)]),
    ("ejendomme", "indkoeb", "Ballerup", 2019, "Fælles rengøring af kommunale bygninger",
     "Rengøringen af alle kommunale bygninger samles i én rengøringsenhed med fælles standard og "
     "kvalitetsmåling. Rengøringsmidler købes på én aftale.",
     (-600, -1200, -1200, -1200), None, []),
    ("ejendomme", "organisering", "Kalundborg", 2019, "Central ejendomsdrift",
     "Drift og vedligeholdelse af alle kommunale ejendomme samles i en central ejendomsenhed. Servicemedarbejdere "
     "deles på tværs af skoler og institutioner.",
     (-300, -1000, -1500, -1500), None, []),
    ("ejendomme", "effektivisering", "Hedensted", 2020, "Energistyring og overvågning af varmeforbrug",
     "Fjernaflæste målere og energistyring i alle større bygninger opdager unormalt forbrug. Driftspersonalet "
     "får månedlige rapporter.",
     (100, -400, -500, -500), 500.0, []),
    # ---- Indkøb
    ("indkoeb", "indkoeb", "Vejle", 2020, "Bedre aftaleoverholdelse ved indkøb",
     "Indkøb uden om kommunens indkøbsaftaler nedbringes ved hjælp af e-handel og månedlig opfølgning. "
     "Aftaleoverholdelsen skal op fra 75 til 90 procent.",
     (-500, -1500, -2000, -2000), None,
     [("Fredericia", 2019, "Højere aftaleoverholdelse gennem e-handel", 0.5),
      ("Horsens", 2019, None, 0.6)]),
    ("indkoeb", "indkoeb", "Sønderborg", 2019, "Fælles indkøb af hjælpemidler",
     "Kommunen går sammen med nabokommunerne om indkøb af hjælpemidler som kørestole og senge. Genbrug af "
     "hjælpemidler fra depotet øges.",
     (-400, -800, -800, -800), None,
     [("Haderslev", 2020, "Fælles indkøbsaftale for hjælpemidler med nabokommuner", 0.7)]),
    ("indkoeb", "indkoeb", "Gladsaxe", 2020, "Genudbud af kontorartikler og IT-udstyr",
     "Aftalerne om kontorartikler, pc'er og mobiltelefoner genudbydes samlet. Antallet af mobilabonnementer "
     "gennemgås.",
     (-300, -600, -600, -600), None, []),
    ("indkoeb", "indkoeb", "Greve", 2020, "Fælles kørselskontor og udbud af befordring",
     "Al befordring (specialkørsel, handicapkørsel og kørsel til genoptræning) samles i ét kørselskontor og "
     "udbydes samlet.",
     (-400, -900, -900, -900), None, []),
    # ---- Digitalisering
    ("digitalisering", "digitalisering", "Egedal", 2019, "Chatbot på kommunens hjemmeside",
     "En chatbot besvarer de hyppigste spørgsmål om affald, pas og skat døgnet rundt. Borgerservice får færre "
     "telefonopkald.",
     (150, -300, -400, -400), 250.0, []),
    ("digitalisering", "digitalisering", "København", 2019, "Fælles IT-platform og færre fagsystemer",
     "Antallet af fagsystemer og licenser reduceres ved at samle på fælles platforme. Udgifter til "
     "vedligehold og integrationer falder.",
     (1000, -2000, -4000, -5000), 3000.0, []),
    ("digitalisering", "digitalisering", "Hjørring", 2019, "Digital post og automatisk sagsbehandling af "
     "ansøgninger", "Simple ansøgninger om fx boligstøtte og friplads behandles automatisk med regelbaserede "
     "beslutninger. Svaret sendes som digital post.",
     (300, -500, -900, -900), None, []),
    # ---- Organisering
    ("organisering", "organisering", "Thisted", 2020, "Fælles økonomifunktion for alle centre",
     "Økonomimedarbejdere fra de enkelte centre samles i en fælles økonomifunktion. Det giver bedre "
     "budgetopfølgning og færre årsværk.",
     (-400, -1200, -1200, -1200), None,
     [("Skive", 2020, "Samling af økonomimedarbejdere i fælles økonomifunktion", 0.8)]),
    ("organisering", "organisering", "Vordingborg", 2019, "Fælles HR og lønadministration",
     "HR og løn samles i ét center, og sagsbehandlingen standardiseres. Der indføres selvbetjening for "
     "ledere ved ansættelser og fravær.",
     (-300, -900, -900, -900), None, []),
    ("organisering", "effektivisering", "Slagelse", 2020, "Mindre sygefravær blandt kommunens medarbejdere",
     "Alle arbejdspladser med højt fravær får en handleplan for trivsel og fravær. Sygefraværet skal "
     "ned med ét procentpoint.",
     (-1000, -3000, -3000, -3000), None, []),
    # ---- Not in the catalogue (kept as written)
    (None, "servicetilpasning", "Frederiksberg", 2020, "Reduktion af puljer til uforudsete udgifter",
     "Tværgående puljer til uforudsete udgifter halveres. Uforbrugte midler har de seneste tre år været "
     "over 5 mio. kr.",
     (-2500, -2500, -2500, -2500), None, []),
]

# Extra proposals to cover every area several times (shorter text, same style).
_EXTRA: list[tuple[str | None, str, str, int, str, str, A, float | None]] = [
    ("dagtilbud", "effektivisering", "Vejle", 2019, "Fælles madordning i børnehuse",
     "Maden til børnehusene laves i tre produktionskøkkener i stedet for i hvert hus. Det giver bedre "
     "udnyttelse af køkkenpersonalet og lavere råvarepriser.", (-200, -600, -600, -600), None),
    ("dagtilbud", "servicetilpasning", "Faaborg-Midtfyn", 2020, "Lukkedage i daginstitutioner omkring jul",
     "Daginstitutionerne holder lukket mellem jul og nytår med nødpasning i én institution pr. område.",
     (-300, -300, -300, -300), None),
    ("folkeskole", "effektivisering", "Hillerød", 2020, "Fælles skoleledelse for to skoler",
     "To skoler i samme skoledistrikt får fælles skoleleder og administration. Afdelingslederne bevares på "
     "hver matrikel.", (-300, -700, -700, -700), None),
    ("folkeskole", "indkoeb", "Furesø", 2019, "Samlet indkøb af iPads og computere til elever",
     "Elevcomputere købes på én fælles aftale og genbruges, når eleverne skifter årgang.",
     (-150, -400, -400, -400), None),
    ("folkeskole", "servicetilpasning", "Lolland", 2020, "Reduktion af timetal i udskolingen",
     "Den understøttende undervisning i udskolingen afkortes med to lektioner om ugen, som loven giver "
     "mulighed for.", (-500, -1200, -1200, -1200), None),
    ("sfo", "omlaegning", "Favrskov", 2020, "Klubtilbud for 4. klasse i stedet for SFO2",
     "SFO2 for 4. klasse erstattes af et billigere klubtilbud med færre voksne pr. barn.",
     (-200, -500, -500, -500), None),
    ("specialundervisning", "omlaegning", "Kolding", 2020, "Specialklasser på almenskoler",
     "Specialklasser oprettes på almindelige skoler i stedet for på en samlet specialskole, så flere elever kan "
     "deltage i almenundervisningen i udvalgte fag.", (300, -500, -1000, -1200), None),
    ("udsatte_boern", "effektivisering", "Hvidovre", 2019, "Opfølgning på dyre enkeltsager",
     "Alle sager om anbringelse over 1 mio. kr. om året gennemgås halvårligt med fokus på mål og pris.",
     (-600, -1000, -1000, -1000), None),
    ("udsatte_boern", "omlaegning", "Svendborg", 2020, "Netværksanbringelser frem for opholdssteder",
     "Flere børn anbringes hos slægt og netværk med støtte fra familieplejen i stedet for på opholdssteder.",
     (0, -800, -1500, -2000), None),
    ("aeldre", "digitalisering", "Kolding", 2020, "Skærmbesøg i hjemmesygeplejen",
     "Borgere, som kan klare det, får besøg via skærm til fx medicinpåmindelse og samtaler. Det sparer "
     "kørsel og frigør tid i hjemmeplejen.", (100, -400, -700, -700), 200.0),
    ("aeldre", "servicetilpasning", "Tønder", 2019, "Ændret visitation til plejebolig",
     "Kriterierne for at få tildelt en plejebolig skærpes, og flere borgere tilbydes i stedet en "
     "ældrebolig med hjemmepleje.", (-500, -1500, -2000, -2000), None),
    ("aeldre", "indkoeb", "Skive", 2020, "Udbud af inkontinenshjælpemidler",
     "Inkontinenshjælpemidler sendes i udbud med fælles sortiment og rådgivning fra leverandøren.",
     (-200, -400, -400, -400), None),
    ("aeldre", "effektivisering", "Gladsaxe", 2019, "Vaskerobotter og robotstøvsugere i hjemmehjælpen",
     "Praktisk hjælp til støvsugning løses med robotstøvsugere, som borgerne låner. Medarbejderne får mere "
     "tid til personlig pleje.", (200, -300, -500, -500), 400.0),
    ("sundhed", "indtaegt", "Egedal", 2019, "Salg af træningstilbud til nabokommuner",
     "Kommunens træningscenter sælger ledige holdpladser i genoptræning til nabokommuner.",
     (-100, -200, -200, -200), None),
    ("sundhed", "effektivisering", "Rudersdal", 2020, "Sundhedsplejen: færre hjemmebesøg til førstegangsforældre",
     "Antallet af faste hjemmebesøg fra sundhedsplejersken reduceres for familier uden særlige behov. "
     "Resten af tilbuddet gives som åben konsultation.", (-200, -400, -400, -400), None),
    ("misbrug", "effektivisering", "Aalborg", 2020, "Gruppebehandling af alkoholmisbrug",
     "Alkoholbehandling tilbydes i højere grad i grupper med samme effekt som individuelle samtaler.",
     (-100, -300, -300, -300), None),
    ("beskaeftigelse", "effektivisering", "Horsens", 2019, "Digital booking af samtaler i jobcentret",
     "Ledige booker selv samtaler digitalt, og flere samtaler holdes som videosamtale.",
     (-100, -300, -300, -300), 150.0),
    ("beskaeftigelse", "omlaegning", "Næstved", 2019, "Flere ledige i job som vikarer i ældreplejen",
     "Ledige opkvalificeres til ufaglærte vikarjob i ældreplejen. Det mindsker både forsørgelsesudgifter og "
     "brug af vikarbureauer.", (300, -600, -900, -900), None),
    ("administration", "effektivisering", "Assens", 2020, "Færre udvalg og mødeaktiviteter",
     "Antallet af stående udvalg reduceres fra syv til fem, og sagsfremstillinger standardiseres.",
     (-200, -400, -400, -400), None),
    ("kultur_fritid", "servicetilpasning", "Hedensted", 2019, "Reduceret åbningstid i svømmehallen",
     "Svømmehallen holder lukket om mandagen og i sommerferiens første uge, hvor besøgstallet er lavest.",
     (-150, -300, -300, -300), None),
    ("veje_trafik", "indtaegt", "Hjørring", 2019, "Betalingsparkering i bymidten",
     "Der indføres betalingsparkering på de mest benyttede pladser i bymidten med app-betaling.",
     (-800, -1500, -1500, -1500), 1200.0),
    ("groenne_omraader", "effektivisering", "Ikast-Brande", 2020, "GPS-styret græsslåning",
     "Kommunens plæneklippere får GPS-styring og digitale kort over plejeniveauer, så der slås præcist og "
     "effektivt.", (100, -200, -300, -300), 350.0),
    ("ejendomme", "indtaegt", "Bornholm", 2020, "Salg af nedlagte skoler og institutioner",
     "Ejendomme, som ikke længere bruges efter strukturændringer, sættes til salg. Provenuet bruges til "
     "vedligeholdelse af de øvrige bygninger.", (-500, -500, -500, -500), None),
    ("digitalisering", "digitalisering", "Høje-Taastrup", 2020, "Automatisk kontrol af fakturaer",
     "Indgående fakturaer kontrolleres automatisk mod aftalepriser. Afvigelser sendes tilbage til "
     "leverandøren.", (100, -300, -400, -400), None),
    ("organisering", "organisering", "Randers", 2020, "Sammenlægning af to forvaltninger",
     "Social- og sundhedsforvaltningen og beskæftigelsesforvaltningen lægges sammen under én direktør.",
     (-800, -1600, -1600, -1600), None),
    ("administration", "servicetilpasning", "Hillerød", 2019, "Tilskud til venskabsbyer ophører",
     "Tilskuddet til venskabsbysamarbejde og repræsentation ophører. Udgiften er i dag ej opgjort på "
     "enkelte aktiviteter.", (-100, None, None, None), None),
]


def _pick(options: list[str], code: int, salt: int = 0) -> str:
    return options[(code + salt) % len(options)]


def _scale(amounts: A, factor: float) -> A:
    def s(v: float | None) -> float | None:
        return None if v is None else float(round(v * factor / 10) * 10)

    return (s(amounts[0]), s(amounts[1]), s(amounts[2]), s(amounts[3]))


def _record(area: str | None, typ: str, mun: str, year: int, title: str, text: str, amounts: A,
            one_off: float | None, row: int) -> ProposalRecord:
    code = MUNICIPALITIES[mun]
    area_text = _pick(AREA_TEXTS[area], code) if area else "Tværgående"
    committee = _pick(COMMITTEES[area], code) if area else "Økonomiudvalget"
    return ProposalRecord(
        municipality_code=code, municipality_name=mun, budget_year=year, title=title, description=text,
        area_id=area, area_text=area_text, committee_text=committee, type_id=typ,
        type_text=_pick(TYPE_TEXTS[typ], code, 1), amount_b=amounts[0], amount_bo1=amounts[1],
        amount_bo2=amounts[2], amount_bo3=amounts[3], one_off_investment=one_off,
        contact=f"Økonomi og Analyse, {mun} Kommune (fiktiv kontakt)", source_file=SAMPLE_FILE,
        source_sheet=SAMPLE_SHEET, source_row=row, is_sample=True)


def sample_records() -> list[ProposalRecord]:
    """The sample proposals (``is_sample=True``), in a fixed order; ids are left to the store."""
    out: list[ProposalRecord] = []
    for area, typ, mun, year, title, text, amounts, one_off, variants in _BASE:
        out.append(_record(area, typ, mun, year, title, text, amounts, one_off, len(out) + 1))
        for vmun, vyear, vtitle, factor in variants:
            vtext = text + f" Idéen er inspireret af {mun} Kommune."
            v_one_off = None if one_off is None else float(round(one_off * factor / 10) * 10)
            out.append(_record(area, typ, vmun, vyear, vtitle or title, vtext, _scale(amounts, factor), v_one_off,
                               len(out) + 1))
    for area, typ, mun, year, title, text, amounts, one_off in _EXTRA:
        out.append(_record(area, typ, mun, year, title, text, amounts, one_off, len(out) + 1))
    return out


def sample_sha256() -> str:
    """A fingerprint of the sample's content (the sample batch's "file" hash)."""
    h = hashlib.sha256()
    for r in sample_records():
        h.update(r.content_hash.encode())
    return h.hexdigest()


def sample_json() -> str:
    """The sample as JSON (for export and inspection), labelled as sample data."""
    return json.dumps({"label": SAMPLE_LABEL, "batch": SAMPLE_BATCH_NAME,
                       "proposals": [r.to_dict() for r in sample_records()]}, ensure_ascii=False, indent=2)


__all__ = ["SAMPLE_FILE", "SAMPLE_SHEET", "sample_json", "sample_records", "sample_sha256"]
