"""German words of the engine, for the interface only (read through translations.py).

The engine's documents stay English: nothing here is ever written into a ``cno-assessment/1`` document.
Plain dicts keyed by rule id, ``(kind, code)`` or input path; numbers come from thresholds.py, written with
a decimal comma. Citations are not translated (they stay as published).
"""

from __future__ import annotations

from . import thresholds as T


def n(value: float) -> str:
    """A number as German writes it: decimal comma (``38,0``, ``4,0``, ``150``)."""
    return str(value).replace(".", ",")


CRP = T.CRP_RAISED_MG_L
FEVER = n(T.FEVER_C)
WBC_LOW = n(T.WBC_LOW_10E9_L)
WBC_HIGH = n(T.WBC_HIGH_10E9_L)
NEUT_LOW = n(T.NEUTROPHILS_LOW_10E9_L)
PLT_LOW = T.PLATELETS_LOW_10E9_L
PLT_HIGH = T.PLATELETS_HIGH_10E9_L
JONES_HIGH = T.JONES_PLATELETS_HIGH_10E9_L
EARLY = T.EARLY_ONSET_YEARS
CTP_OPTIONS = "Methotrexat oder Sulfasalazin; ein TNF-Inhibitor mit oder ohne Methotrexat; ein Bisphosphonat"

# rule id -> (title, explanation); the activity summary's prompts (PROMPT-…) included.
RULES: dict[str, tuple[str, str]] = {
    # --- infection
    "INF-FEVER": (
        "Fieber angegeben",
        "Fieber ist bei bakterieller Osteomyelitis viel häufiger als bei nichtbakterieller Osteomyelitis "
        "(90,6 % vs. 34,1 %).",
    ),
    "INF-TEMP-38": (
        f"Temperatur ab {FEVER} °C",
        f"Eine gemessene Temperatur von mindestens {FEVER} °C gilt als Fieber.",
    ),
    "INF-CRP-30": (
        f"CRP ab {CRP} mg/l",
        f"Ein CRP ab {CRP} mg/l gilt als „deutlich erhöht“ (Bristol-Kriterien) und führt auf den "
        f"Biopsie-Pfad; genau {CRP} gilt als erhöht (konservative Festlegung).",
    ),
    "INF-BLOOD-CULTURE": ("Positive Blutkultur", "Eine positive Blutkultur belegt eine Infektion."),
    "INF-IMAGING": (
        "Abszess, Sequester oder Fistel",
        "Abszess (0 % bei CNO vs. 39 % bei bakterieller Osteomyelitis), Sequester und Fistel sprechen für "
        "eine Infektion.",
    ),
    "INF-BIOPSY-GROWTH": (
        "Keimnachweis in der Kultur der Knochenbiopsie",
        "Ein Keimnachweis in der Kultur einer Knochenbiopsie belegt eine Infektion.",
    ),
    "INF-IMMUNOCOMPROMISED": (
        "Immunsuppression",
        "Ein immunsupprimiertes Kind hat ein Risiko für atypische Infektionen; der Vertrag wertet dies als "
        "Warnzeichen.",
    ),
    "INF-TB-EXPOSURE": (
        "Tuberkulose-Exposition",
        "Die tuberkulöse Osteomyelitis imitiert eine CNO; unifokaler Befall bei möglicher Tuberkulose "
        "erfordert eine Biopsie mit mikrobiologischer Untersuchung.",
    ),
    "INF-ANTIBIOTIC-RESPONSE": (
        "Anhaltendes Ansprechen allein auf Antibiotika",
        "Ein vollständiges und anhaltendes Ansprechen allein auf eine antimikrobielle Therapie ist ein "
        "Ausschlusskriterium für eine CNO.",
    ),
    "INF-EXCLUDED-BIOPSY": (
        "Aussagekräftige Biopsie ohne Keimnachweis",
        "Eine aussagekräftige Biopsie (Histologie vorhanden, Kultur angelegt, ohne antibiotische "
        "Vorbehandlung) ohne Keimnachweis schließt eine bakterielle Infektion aus.",
    ),
    "INF-SCREENING": (
        "Daten der Infektionsabklärung",
        "Eine Infektion gilt erst dann als ohne Warnzeichen, wenn Temperatur (Fieber oder Höchsttemperatur) "
        "und CRP bekannt sind.",
    ),
    # --- malignancy
    "MAL-CYTOPENIA-WBC": (
        f"Leukozyten unter {WBC_LOW} ×10⁹/l",
        f"Leukozyten unter {WBC_LOW} ×10⁹/l sprechen eher für eine Leukämie als für eine juvenile Arthritis.",
    ),
    "MAL-JONES-TRIAD": (
        "Leukämie-Trias (Jones 2006)",
        f"Leukozyten < {WBC_LOW} ×10⁹/l mit niedrig-normalen Thrombozyten ({PLT_LOW}–{JONES_HIGH} ×10⁹/l) "
        "und nächtlichen Schmerzen: Sensitivität 100 %, Spezifität 85 % für eine ALL.",
    ),
    "MAL-NEUTROPENIA": (
        f"Neutrophile Granulozyten unter {NEUT_LOW} ×10⁹/l",
        f"Neutrophile Granulozyten unter {NEUT_LOW} ×10⁹/l sprechen eher für eine ALL als für eine JIA "
        "(OR 50).",
    ),
    "MAL-CYTOPENIA-PLT": (
        f"Thrombozyten unter {PLT_LOW} ×10⁹/l",
        "Eine Thrombozytopenie unterscheidet die ALL von der juvenilen Arthritis; der Vertrag verwendet "
        f"< {PLT_LOW} ×10⁹/l.",
    ),
    "MAL-ANAEMIA": (
        "Hämoglobin unter dem WHO-Grenzwert",
        "Ein niedriges Hämoglobin spricht bei Kindern mit muskuloskelettalen Schmerzen für ein Malignom; "
        "die Anämie wird am WHO-Grenzwert für das Alter (ab 15 Jahren auch für das Geschlecht) beurteilt.",
    ),
    "MAL-LDH": (
        "LDH über dem oberen Normwert des Labors",
        "Eine erhöhte LDH begründet den Verdacht auf ein Malignom; beurteilt wird nur am oberen Normwert "
        "des meldenden Labors.",
    ),
    "MAL-BLASTS": (
        "Blasten im Blutausstrich",
        "Blasten im Ausstrich weisen auf eine Leukämie hin (obwohl 75 % der Kinder mit ALL keine haben).",
    ),
    "MAL-ORGANOMEGALY": (
        "Hepatomegalie, Splenomegalie oder Lymphadenopathie",
        "Organomegalie oder Lymphadenopathie fand sich bei 37/49 Kindern mit ALL vs. 2/98 mit JIA (OR 154).",
    ),
    "MAL-CONSTITUTIONAL": (
        "Gewichtsverlust oder Nachtschweiß",
        "Allgemeinsymptome müssen auch bei normalem Blutbild die Malignom-Abklärung auslösen.",
    ),
    "MAL-IMAGING": (
        "Kortikalisdestruktion oder Weichteilmasse",
        "Kortikalisdestruktion und Weichteilmasse sind Bildgebungsbefunde eines Malignoms, nicht einer CNO.",
    ),
    "MAL-VERTEBRAL-COLLAPSE": (
        "Wirbelkörpereinbruch, unifokal oder mit Zytopenie",
        "Eine Vertebra plana hat andere Ursachen als eine CNO (LCH, Leukämie); bei unifokalem Befall oder "
        f"Zytopenie (Leukozyten < {WBC_LOW}, neutrophile Granulozyten < {NEUT_LOW}, Thrombozyten < {PLT_LOW} "
        "oder Anämie) ist eine Biopsie erforderlich.",
    ),
    "MAL-BIOPSY": (
        "Histologie der Biopsie maligne oder LCH",
        "Eine Biopsie mit Malignom oder LCH klärt die Differenzialdiagnose.",
    ),
    "MAL-EXCLUDED-BIOPSY": (
        "Aussagekräftige Biopsie mit benigner Histologie",
        "Eine aussagekräftige Biopsie mit entzündlicher, unspezifischer oder normaler Histologie schließt "
        "ein Malignom aus (so im Vertrag festgelegt).",
    ),
    "MAL-HB-UNDER-6-MONTHS": (
        f"Hämoglobin unter {T.WHO_MIN_AGE_MONTHS} Monaten nicht beurteilbar",
        f"Die WHO nennt unter {T.WHO_MIN_AGE_MONTHS} Monaten keinen Anämie-Grenzwert, daher kann die "
        "Anämie-Prüfung nicht automatisch abgeschlossen werden.",
    ),
    "MAL-SCREENING": (
        "Daten der Malignom-Abklärung",
        "Ein Malignom gilt erst dann als ohne Warnzeichen, wenn Leukozyten, neutrophile Granulozyten, "
        "Hämoglobin (mit einem Alter zur Beurteilung), Thrombozyten, LDH mit oberem Normwert des Labors und "
        "die Untersuchung von Leber, Milz und Lymphknoten bekannt sind: Organomegalie oder Lymphknoten sind "
        "das stärkste einzelne Unterscheidungsmerkmal der Leukämie (OR 154), daher bleibt das Malignom ohne "
        "dokumentierte Untersuchung unvollständig.",
    ),
    # --- hypophosphatasia
    "HPP-ALP-LOW": (
        "AP unter dem unteren Normwert des Labors",
        "Die Hypophosphatasie imitiert eine CRMO; eine für Alter und Geschlecht niedrige AP erfordert eine "
        "Abklärung. Beurteilt wird nur am unteren Normwert des meldenden Labors (die AP ist stark "
        "altersabhängig).",
    ),
    "HPP-SCREENING": (
        "Daten der Hypophosphatasie-Abklärung",
        "Eine Hypophosphatasie kann nur mit AP und unterem Normwert des Labors beurteilt werden; ein Wert "
        "ohne Normwert gilt als unbekannt.",
    ),
    "HPP-EXCLUDED-ALP": (
        "AP auf oder über dem unteren Normwert",
        "Eine AP auf oder über dem unteren Normwert des Labors schließt eine Hypophosphatasie aus (so im "
        "Vertrag festgelegt).",
    ),
    # --- scurvy
    "SCU-VITC-LOW": (
        "Vitamin C erniedrigt",
        "Ein Vitamin-C-Mangel ist ein Ausschlusskriterium für eine CNO.",
    ),
    "SCU-CLINICAL": (
        "Hinweise auf Skorbut bei unbekanntem Vitamin C",
        "Eine eingeschränkte Ernährung, Hämatome oder Purpura oder Zahnfleischbluten erfordern eine "
        "Vitamin-C-Bestimmung.",
    ),
    "SCU-SCREENING": (
        "Daten der Skorbut-Abklärung",
        "Ohne Vitamin-C-Spiegel gilt Skorbut erst dann als ohne Warnzeichen, wenn bekannt ist, dass die "
        "Ernährung nicht eingeschränkt ist.",
    ),
    "SCU-EXCLUDED-VITC": (
        "Vitamin C bekanntermaßen nicht erniedrigt",
        "Ein nicht erniedrigter Vitamin-C-Spiegel schließt Skorbut aus.",
    ),
    # --- monogenic
    "MONO-ONSET-UNDER-3": (
        f"Beginn vor dem Alter von {EARLY} Jahren",
        f"Eine nicht genetische CNO ist vor {EARLY} Jahren selten; ein früher Beginn sollte an monogene "
        "Formen denken lassen.",
    ),
    "MONO-NEONATAL-PUSTULOSIS": (
        "Neonatale Pustulose",
        "Eine neonatale Pustulose mit multifokaler Osteomyelitis spricht für DIRA.",
    ),
    "MONO-FAMILY": (
        "Konsanguinität oder betroffenes Geschwister",
        "Majeed-Syndrom und DIRA werden autosomal-rezessiv vererbt; Konsanguinität oder ein betroffenes "
        "Geschwister erhöhen ihre Wahrscheinlichkeit.",
    ),
    "MONO-SCREENING": (
        "Daten der Abklärung monogener Formen",
        "Für die Abklärung monogener Formen muss das Alter bei Beginn bekannt sein (Geburts- und "
        "Beginndatum oder das Alter bei Beginn); ohne Beginn ist es unbekannt und wird nie mit dem Alter "
        f"bei Beurteilung gleichgesetzt, außer das Kind wurde vor {EARLY} Jahren beurteilt. Monogene Formen "
        "werden von den Regeln nie ausgeschlossen.",
    ),
    # --- biopsy
    "BIOPSY-UNIFOCAL": (
        "Unifokaler Befall außerhalb der Klavikula",
        "Bei einem Kind mit unifokaler Läsion außerhalb der Klavikula wird eine MRT-gesteuerte Biopsie mit "
        "Kulturen und Histopathologie dringend empfohlen (Bristol-Kriterium 2).",
    ),
    "BIOPSY-CRP-30": (
        f"CRP ab {CRP} mg/l",
        f"Ein CRP ab {CRP} mg/l führt auf den Biopsie-Pfad der Bristol-Kriterien.",
    ),
    "BIOPSY-INFECTION": (
        "Verdacht auf Infektion",
        "Jedes Warnzeichen einer Infektion erfordert eine Biopsie mit bakterieller, mykologischer und "
        "mykobakterieller Kultur.",
    ),
    "BIOPSY-MALIGNANCY": (
        "Verdacht auf Malignom",
        "Jedes Warnzeichen eines Malignoms erfordert eine Histologie (und bei Leukämie eine "
        "Knochenmarkuntersuchung).",
    ),
    "BIOPSY-AGE-UNDER-3": (
        f"Beginn vor dem Alter von {EARLY} Jahren",
        f"Ein atypisches Alter (Beginn vor {EARLY} Jahren) war in der Bristol-Kohorte ein Grund für eine "
        "Biopsie.",
    ),
    "BIOPSY-ILL-APPEARANCE": (
        "Kranker Allgemeineindruck",
        "Ein krank wirkendes Kind benötigt eine Biopsie mit Kulturen und histopathologischer Beurteilung.",
    ),
    "BIOPSY-ADEQUATE": (
        "Aussagekräftige Biopsie liegt vor",
        "Eine Biopsie ist aussagekräftig, wenn eine Histologie vorliegt, eine Kultur angelegt wurde und sie "
        "ohne antibiotische Vorbehandlung entnommen wurde; dann wird keine neue Biopsie empfohlen (die "
        "Gründe werden trotzdem aufgeführt).",
    ),
    # --- Bristol
    "BRISTOL-APPLICABLE": (
        "Bristol-Kriterien anwendbar",
        "Die Bristol-Kriterien gelten bei Knochenschmerz oder lokaler Schwellung mit mindestens einer in der "
        "Bildgebung nachgewiesenen Läsion.",
    ),
    "BRISTOL-NOT-CNO-HISTOLOGY": (
        "Histologie der Biopsie maligne oder LCH",
        "Zeigt eine vorliegende Biopsie, ob aussagekräftig oder nicht, eine maligne oder LCH-Histologie, "
        "sind die Kriterien nicht erfüllt: Eine maligne Histologie wird nie durch ein typisches klinisches "
        "Bild aufgewogen.",
    ),
    "BRISTOL-CRP-KNOWN": (
        "CRP bekannt",
        "Ohne CRP können die Bristol-Kriterien nicht beurteilt werden (Daten unzureichend).",
    ),
    "BRISTOL-C1": (
        "Bristol-Kriterium 1",
        f"Mehr als ein Knochen (oder nur die Klavikula), CRP < {CRP} mg/l, kein Fieber, typische Bildgebung "
        "(MRT-Knochenmarködem; oder im Röntgen/CT Osteolyse, Sklerose, Periostreaktion oder Hyperostose) und "
        "weder Infektion noch Malignom ein Verdacht (typische klinische Befunde: Knochenschmerz ohne "
        "wesentliche systemische Zeichen): spricht für eine CNO ohne Biopsie.",
    ),
    "BRISTOL-C2": (
        "Bristol-Kriterium 2",
        "Andernfalls ist eine aussagekräftige Biopsie mit entzündlicher Histologie ohne Keimnachweis, "
        "entnommen ohne antibiotische Vorbehandlung, erforderlich.",
    ),
    # --- Jansson
    "JANSSON-NBC": (
        f"Normales Blutbild ({T.JANSSON_POINTS_NORMAL_BLOOD_COUNT} Punkte)",
        f"Leukozyten {WBC_LOW}–{WBC_HIGH} ×10⁹/l, Hämoglobin auf oder über dem WHO-Grenzwert, Thrombozyten "
        f"{PLT_LOW}–{PLT_HIGH} ×10⁹/l (OR 81,5); unbekannt, wenn einer der drei Werte unbekannt ist.",
    ),
    "JANSSON-SYMMETRIC": (
        f"Symmetrische Läsionen ({T.JANSSON_POINTS_SYMMETRIC_LESIONS} Punkte)",
        "An einer Lokalisation finden sich Läsionen links und rechts (OR 30,0).",
    ),
    "JANSSON-SCLEROSIS": (
        f"Randsklerose ({T.JANSSON_POINTS_MARGINAL_SCLEROSIS} Punkte)",
        "Mindestens eine Läsion mit Randsklerose (OR 26,8).",
    ),
    "JANSSON-TEMPERATURE": (
        f"Normale Körpertemperatur ({T.JANSSON_POINTS_NORMAL_BODY_TEMPERATURE} Punkte)",
        f"Kein Fieber angegeben und Höchsttemperatur unter {FEVER} °C (OR 20,3); unbekannt, wenn beides "
        "unbekannt ist.",
    ),
    "JANSSON-SITE": (
        "Läsion an Wirbelkörper, Klavikula oder Sternum "
        f"({T.JANSSON_POINTS_VERTEBRAL_CLAVICULAR_OR_STERNAL} Punkte)",
        "Eine Läsion an Wirbelsäule, Klavikula oder Sternum (OR 13,9).",
    ),
    "JANSSON-MULTIPLE": (
        f"Mehr als eine Läsion ({T.JANSSON_POINTS_MORE_THAN_ONE_LESION} Punkte)",
        "Mehr als eine radiologisch gesicherte Läsion, gezählt als Läsionseinträge, nicht als Knochen "
        "(OR 10,9).",
    ),
    "JANSSON-CRP-10": (
        f"CRP ab {T.JANSSON_CRP_MG_L} mg/l ({T.JANSSON_POINTS_CRP_AT_LEAST_10} Punkte)",
        f"Ein CRP ≥ {T.JANSSON_CRP_MG_L} mg/l gibt Punkte, weil die Vergleichsgruppe benigne Knochentumoren "
        "einschloss (OR 6,9).",
    ),
    "JANSSON-THRESHOLD": (
        "Jansson-Score spricht für NBO",
        f"Ein Score ab {T.JANSSON_THRESHOLD} (von {T.JANSSON_MAX}) spricht für eine nichtbakterielle "
        "Osteitis (PPV 97 %, Sensitivität 68 %); entwickelt bei Patienten älter als "
        f"{T.JANSSON_MIN_AGE_YEARS} Jahre, daher bis {T.JANSSON_MIN_AGE_YEARS} Jahre nicht anwendbar. "
        f"Unter {T.JANSSON_THRESHOLD} trennt er nicht.",
    ),
    # --- EULAR/ACR 2025
    "EULAR-ENTRY": (
        "Eingangskriterium EULAR/ACR 2025",
        f"Erfüllt, wenn das Alter bei Beginn unter {T.EULAR_ONSET_BEFORE_YEARS} Jahren liegt, "
        "Knochenschmerzen bestehen, die Symptome seit mindestens "
        f"{T.EULAR_MIN_DURATION_DAYS} Tagen (6 Wochen) andauern und mindestens eine Läsion im Röntgen oder "
        "MRT typisch ist (MRT-Knochenmarködem; im Röntgen Osteolyse, Sklerose, Periostreaktion oder "
        "Hyperostose); nicht erfüllt, wenn eines davon bekanntermaßen fehlt (keine Läsion zählt als keine "
        "typische); sonst unbekannt.",
    ),
    "EULAR-EXCLUSIONS": (
        "Ausschlüsse EULAR/ACR 2025",
        "Malignom, Infektion, Vitamin-C-Mangel und Hypophosphatasie müssen ausgeschlossen sein: nicht "
        "ausgeräumt, wenn eines davon ein Verdacht ist, ausgeräumt, wenn alle vier ausgeschlossen oder ohne "
        "Warnzeichen sind, sonst unbekannt.",
    ),
    "EULAR-STATUS": (
        "EULAR/ACR-2025-Eingangsprüfung",
        "Klassifikationskriterien für die Forschung, keine Diagnose. Eingangskriterium nicht erfüllt; sonst "
        "eine Differenzialdiagnose nicht ausgeschlossen; sonst bewertbar, wenn das Eingangskriterium erfüllt "
        "und die Differenzialdiagnosen ausgeräumt sind; sonst unvollständig. Die veröffentlichten "
        "Itemgewichte sind noch nicht geprüft, daher wird kein Score angegeben.",
    ),
    # --- the activity summary's prompts
    "PROMPT-WBMRI-AT-DIAGNOSIS": (
        "Kein Ganzkörper-MRT bei Diagnose",
        "Für die erste Episode ist kein Ganzkörper-MRT mit Wirbelsäule angegeben (Feld „Ganzkörper-MRT“ "
        "nicht „ja“). Läsionen sind oft klinisch stumm (47/162 asymptomatisch, Roderick 2016; 67 % der "
        "radiologischen Rezidive stumm, Beck 2010; das Ganzkörper-MRT fand in 45 % mehr aktive Läsionen als "
        "die Untersuchung, Arnoldi 2017), daher ist es bei jedem Patienten zur Diagnose angezeigt.",
    ),
    "PROMPT-SPINE-IMAGING": (
        "Rückenschmerzen ohne Bildgebung der Wirbelsäule",
        "Rückenschmerzen bei einer Episode ohne Ganzkörper-MRT und ohne MRT-Läsionseintrag der Wirbelsäule, "
        "bei dieser oder einer späteren Episode. 22,7 % der Kinder stellten sich nur mit Rückenschmerzen vor "
        "(d'Angelo 2021); Wirbelsäulenläsionen führen zu Größenverlust und Kyphose (Guariento 2023).",
    ),
    "PROMPT-SPINE-SECOND-LINE": (
        "Aktive Wirbelsäulenläsion oder Wirbelkörpereinbruch",
        "Eine aktive Wirbelsäulenläsion bei der letzten Episode oder ein Wirbelkörpereinbruch bei "
        "irgendeiner Episode ist ein Eignungskriterium für die Zweitlinienoptionen der "
        "CARRA-Konsensus-Therapiepläne "
        f"({CTP_OPTIONS}). Pamidronat: 82,3 % der Wirbelkörperläsionen bildeten sich zurück (Bhat 2019).",
    ),
    "PROMPT-NSAID-REFRACTORY": (
        "Aktiv unter NSAR-Monotherapie bei zwei aufeinanderfolgenden Episoden",
        "Krankheit aktiv (eine aktive Läsion, Schmerz oder ärztliche Gesamteinschätzung ab 1) bei den "
        "letzten beiden Episoden, beide nach Beginn einer NSAR-Monotherapie, die noch die aktuelle "
        "Behandlung ist. "
        "Die Referenz lässt die Dauer eines NSAR-Versuchs offen (Beck 2010 beurteilte nach 6 Monaten), daher "
        "wird keine unterstellt: Der Hinweis braucht zwei aufeinanderfolgende aktive Episoden, keine Dauer.",
    ),
    "PROMPT-MONOGENIC-IL1": (
        "Verdacht auf monogene Erkrankung: IL-1-Blockade",
        "Die Beurteilung einer Episode hat eine monogene autoinflammatorische Knochenerkrankung als Verdacht "
        "(Beginn vor 3 Jahren, neonatale Pustulose, Konsanguinität oder betroffenes Geschwister). Beim "
        "Majeed-Syndrom und bei DIRA ist die IL-1-Blockade die als wirksam berichtete Klasse; die "
        "TNF-Blockade wurde beim Majeed-Syndrom als unwirksam berichtet.",
    ),
}

# prompt id -> the text the activity summary shows.
PROMPT_TEXTS: dict[str, str] = {
    "PROMPT-WBMRI-AT-DIAGNOSIS": "Ganzkörper-MRT mit Wirbelsäule erwägen: Für die erste Episode liegt "
    "keines vor, und CNO-Läsionen sind oft klinisch stumm.",
    "PROMPT-SPINE-IMAGING": "Rückenschmerzen ohne vorliegende Bildgebung der Wirbelsäule: MRT der "
    "Wirbelsäule erwägen (ein Ganzkörper-MRT schließt sie ein).",
    "PROMPT-SPINE-SECOND-LINE": "Aktive Wirbelsäulenläsion oder Wirbelkörpereinbruch: die "
    f"Zweitlinienoptionen der CARRA-Konsensus-Therapiepläne erwägen ({CTP_OPTIONS}).",
    "PROMPT-NSAID-REFRACTORY": "Aktiv bei zwei aufeinanderfolgenden Episoden unter NSAR-Monotherapie: die "
    f"Zweitlinienoptionen der CARRA-Konsensus-Therapiepläne können erwogen werden ({CTP_OPTIONS}).",
    "PROMPT-MONOGENIC-IL1": "Verdacht auf monogene Erkrankung (Majeed-Syndrom, DIRA): Falls sie bestätigt "
    "wird, bedenken, dass die IL-1-Blockade die als wirksam berichtete Klasse ist (die TNF-Blockade wurde "
    "beim Majeed-Syndrom als unwirksam berichtet).",
}

# Finding texts: rule id -> German templates, in the order of the English patterns in translations.py.
# ``{name}`` is a value carried over from the English text (numbers with a decimal comma, word lists
# through WORDS below).
FINDINGS: dict[str, tuple[str, ...]] = {
    "INF-FEVER": (
        "Fieber angegeben: bakterielle Osteomyelitis nicht ausgeschlossen; Blutkultur und "
        "Infektionsabklärung erwägen.",
    ),
    "INF-TEMP-38": (
        "Höchsttemperatur {temperature} °C (≥ {fever} °C): Infektion nicht ausgeschlossen; Blutkultur und "
        "Infektionsabklärung erwägen.",
    ),
    "INF-CRP-30": (
        "CRP {crp} mg/l (≥ {limit} mg/l): Infektion nicht ausgeschlossen; Biopsie mit bakterieller, "
        "mykologischer und mykobakterieller Kultur ohne antibiotische Vorbehandlung erwägen.",
    ),
    "INF-BLOOD-CULTURE": (
        "Positive Blutkultur: Infektion nicht ausgeschlossen; als Infektion behandeln und abklären.",
    ),
    "INF-IMAGING": (
        "Bildgebung zeigt {features}: untypisch für CNO, Infektion nicht ausgeschlossen; Biopsie mit "
        "Kulturen erwägen.",
    ),
    "INF-BIOPSY-GROWTH": ("Keimnachweis in der Kultur der Knochenbiopsie: Infektion nicht ausgeschlossen.",),
    "INF-IMMUNOCOMPROMISED": (
        "Immunsupprimierter Patient: Infektion (auch opportunistisch) nicht ausgeschlossen; Kulturen "
        "erwägen.",
    ),
    "INF-TB-EXPOSURE": (
        "Tuberkulose-Exposition: tuberkulöse Osteomyelitis nicht ausgeschlossen; Biopsie mit "
        "mykobakterieller Kultur erwägen.",
    ),
    "INF-ANTIBIOTIC-RESPONSE": (
        "Vollständiges, anhaltendes Ansprechen allein auf Antibiotika: spricht für eine Infektion; eine CNO "
        "sollte nicht klassifiziert werden.",
    ),
    "MAL-CYTOPENIA-WBC": (
        "Leukozyten {wbc} ×10⁹/l (< {limit}): Leukämie nicht ausgeschlossen; Blutausstrich und "
        "Knochenmarkuntersuchung erwägen.",
    ),
    "MAL-JONES-TRIAD": (
        "Leukämie-Trias vorhanden (Leukozyten {wbc} < {limit} ×10⁹/l, niedrig-normale Thrombozyten "
        "{platelets} ×10⁹/l, nächtliche Schmerzen): Sensitivität 100 %, Spezifität 85 % für ALL vs. JRA; "
        "vor jeder CNO-Diagnose Blutausstrich und Knochenmarkuntersuchung erwägen.",
    ),
    "MAL-NEUTROPENIA": (
        "Neutrophile Granulozyten {neutrophils} ×10⁹/l (< {limit}): Leukämie nicht ausgeschlossen; "
        "Blutausstrich erwägen.",
    ),
    "MAL-CYTOPENIA-PLT": (
        "Thrombozyten {platelets} ×10⁹/l (< {limit}): Malignom nicht ausgeschlossen; Blutausstrich erwägen.",
    ),
    "MAL-ANAEMIA": (
        "Hämoglobin {hemoglobin} g/l liegt unter dem WHO-Grenzwert von {cutoff} g/l für Alter und "
        "Geschlecht: Malignom nicht ausgeschlossen; Blutausstrich erwägen.",
    ),
    "MAL-LDH": (
        "LDH {ldh} U/l liegt über dem oberen Normwert des Labors von {uln} U/l: Malignom nicht "
        "ausgeschlossen.",
    ),
    "MAL-BLASTS": (
        "Blasten im Blutausstrich: Leukämie nicht ausgeschlossen; zur hämatologischen Abklärung überweisen.",
    ),
    "MAL-ORGANOMEGALY": (
        "{organs}: Leukämie oder Lymphom nicht ausgeschlossen (OR 154 für ALL vs. JIA); Blutausstrich und "
        "Knochenmarkuntersuchung erwägen.",
    ),
    "MAL-CONSTITUTIONAL": (
        "{symptoms}: Malignom auch bei normalem Blutbild nicht ausgeschlossen; Malignom-Abklärung erwägen.",
    ),
    "MAL-IMAGING": (
        "Bildgebung zeigt {features}: bei CNO nicht zu sehen; Malignom nicht ausgeschlossen; Biopsie "
        "erwägen.",
    ),
    "MAL-VERTEBRAL-COLLAPSE": (
        "Wirbelkörpereinbruch {why}: Malignom oder LCH nicht ausgeschlossen; Biopsie und "
        "Knochenmarkuntersuchung erwägen.",
    ),
    "MAL-BIOPSY": ("Histologie der Knochenbiopsie zeigt {histology}: Dies ist keine CNO.",),
    "MAL-HB-UNDER-6-MONTHS": (
        "Hämoglobin kann unter {months} Monaten nicht an einem WHO-Grenzwert beurteilt werden: mit dem "
        "Säuglings-Referenzbereich des Labors vergleichen (Malignom-Abklärung unvollständig).",
    ),
    "HPP-ALP-LOW": (
        "AP {alp} U/l liegt unter dem unteren Normwert des Labors von {lln} U/l: Hypophosphatasie nicht "
        "ausgeschlossen; Pyridoxal-5'-phosphat und ALPL-Genetik erwägen.",
    ),
    "SCU-VITC-LOW": (
        "Vitamin C erniedrigt: Skorbut nicht ausgeschlossen; er imitiert eine CNO; Vitamin-C-Substitution "
        "erwägen.",
    ),
    "SCU-CLINICAL": (
        "{clues} bei unbekanntem Vitamin C: Skorbut nicht ausgeschlossen; vor der Diagnose einer CNO "
        "Vitamin C im Plasma bestimmen.",
    ),
    "MONO-ONSET-UNDER-3": (
        "Beginn mit {age} Jahren (unter {limit}): monogene autoinflammatorische Knochenerkrankung "
        "(Majeed-Syndrom LPIN2, DIRA IL1RN) nicht ausgeschlossen; genetische Untersuchung erwägen.",
        "Beurteilt mit {age} Jahren, Beginn also unter {limit}: monogene autoinflammatorische "
        "Knochenerkrankung (Majeed-Syndrom LPIN2, DIRA IL1RN) nicht ausgeschlossen; genetische "
        "Untersuchung erwägen.",
    ),
    "MONO-NEONATAL-PUSTULOSIS": ("Neonatale Pustulose: DIRA (IL1RN) erwägen.",),
    "MONO-FAMILY": (
        "Konsanguinität oder betroffenes Geschwister: eine rezessive monogene Form (Majeed, DIRA) ist nicht "
        "ausgeschlossen; genetische Untersuchung erwägen.",
    ),
}

# The words a finding text lists or chooses, English (lower case, as the rules write them) -> German.
WORDS: dict[str, str] = {
    # imaging features (INF-IMAGING, MAL-IMAGING)
    "abscess": "Abszess",
    "sequestrum": "Sequester",
    "sinus tract": "Fistel",
    "cortical destruction": "Kortikalisdestruktion",
    "soft tissue mass": "Weichteilmasse",
    # examination (MAL-ORGANOMEGALY)
    "hepatomegaly": "Hepatomegalie",
    "splenomegaly": "Splenomegalie",
    "lymphadenopathy": "Lymphadenopathie",
    # constitutional symptoms (MAL-CONSTITUTIONAL)
    "weight loss": "Gewichtsverlust",
    "night sweats": "Nachtschweiß",
    # scurvy clues (SCU-CLINICAL)
    "restricted diet": "Eingeschränkte Ernährung",
    "bruising or purpura": "Hämatome oder Purpura",
    "gum bleeding": "Zahnfleischbluten",
    # MAL-VERTEBRAL-COLLAPSE {why}
    "unifocal disease": "bei unifokalem Befall",
    "a cytopenia": "mit Zytopenie",
    # MAL-BIOPSY {label}
    "malignancy": "ein Malignom",
    "langerhans cell histiocytosis": "eine Langerhans-Zell-Histiozytose (LCH)",
}
# How a German list is joined, per English separator.
JOINERS: dict[str, str] = {", ": ", ", " and ": " und "}

# (kind, code) -> (label, short, detail); "" where the English term has none.
TERMS: dict[tuple[str, str], tuple[str, str, str]] = {
    # differentials
    ("differential", "infection"): ("Infektion (bakterielle Osteomyelitis)", "Infektion", ""),
    ("differential", "malignancy"): (
        "Malignom (Leukämie, Lymphom, Knochentumor, LCH)",
        "Malignom",
        "",
    ),
    ("differential", "hypophosphatasia"): ("Hypophosphatasie", "Hypophosphatasie", ""),
    ("differential", "scurvy"): ("Skorbut (Vitamin-C-Mangel)", "Skorbut", ""),
    ("differential", "monogenic"): ("Monogene autoinflammatorische Erkrankung", "Monogen", ""),
    # statuses
    ("status", "concern"): (
        "Verdacht – Abklärung erforderlich",
        "Verdacht",
        "Warnzeichen vorhanden, Abklärung erforderlich",
    ),
    ("status", "excluded"): ("Ausgeschlossen", "Ausgeschlossen", "eindeutiger Befund liegt vor"),
    ("status", "no_red_flags"): ("Keine Warnzeichen", "Keine Warnzeichen", "Daten der Abklärung vollständig"),
    ("status", "incomplete"): (
        "Unvollständig – Daten fehlen",
        "Unvollständig",
        "kein Warnzeichen, aber Daten der Abklärung fehlen",
    ),
    # focality
    ("focality", "none"): ("Keine Läsion", "", "keine Läsion in der Bildgebung"),
    ("focality", "unifocal"): ("Unifokal", "", "ein Knochen betroffen"),
    ("focality", "multifocal"): ("Multifokal", "", "mehr als ein Knochen betroffen"),
    # Bristol
    ("bristol", "not_applicable"): (
        "Nicht anwendbar (keine Läsionen oder weder Knochenschmerz noch Schwellung)",
        "",
        "nicht anwendbar (keine Läsion oder weder Knochenschmerz noch lokale Schwellung)",
    ),
    ("bristol", "insufficient_data"): (
        "Daten unzureichend (CRP unbekannt)",
        "",
        "Daten unzureichend (CRP unbekannt)",
    ),
    ("bristol", "criterion_1_met"): (
        "Kriterium 1 erfüllt: spricht für eine CNO ohne Biopsie",
        "",
        "Kriterium 1 erfüllt (mehr als ein Knochen oder nur die Klavikula, "
        f"CRP < {CRP} mg/l, kein Fieber, typische Bildgebung, weder Infektion noch Malignom ein Verdacht): "
        "spricht für eine CNO ohne Biopsie",
    ),
    ("bristol", "criterion_2_met"): (
        "Kriterium 2 erfüllt: Biopsie spricht für eine CNO",
        "",
        "Kriterium 2 erfüllt (aussagekräftige Biopsie: entzündliche Histologie, kein Keimnachweis, ohne "
        "antibiotische Vorbehandlung)",
    ),
    ("bristol", "not_met"): (
        "Nicht erfüllt: Die Biopsie spricht nicht für eine CNO",
        "",
        "nicht erfüllt (eine Biopsie zeigt eine maligne oder LCH-Histologie, oder eine aussagekräftige "
        "Biopsie zeigt keine entzündliche Histologie ohne Keimnachweis)",
    ),
    ("bristol", "biopsy_required"): (
        "Biopsie zur Erfüllung der Kriterien erforderlich",
        "",
        "Biopsie-Pfad: Kriterium 1 nicht erfüllt, eine aussagekräftige Biopsie ist erforderlich",
    ),
    # biopsy reasons
    ("biopsy_reason", "unifocal_non_clavicular"): (
        "Unifokaler Befall außerhalb der Klavikula: Eine einzelne Knochenläsion erfordert Gewebe, um "
        "Infektion und Tumor auszuschließen",
        "Unifokal, nicht Klavikula",
        "",
    ),
    ("biopsy_reason", "crp_at_least_30"): (f"CRP ab {CRP} mg/l", f"CRP ≥ {CRP} mg/l", ""),
    ("biopsy_reason", "infection_concern"): (
        "Infektion nicht ausgeschlossen (Warnzeichen vorhanden)",
        "Verdacht auf Infektion",
        "",
    ),
    ("biopsy_reason", "malignancy_concern"): (
        "Malignom nicht ausgeschlossen (Warnzeichen vorhanden)",
        "Verdacht auf Malignom",
        "",
    ),
    ("biopsy_reason", "age_under_3"): (
        f"Beginn vor dem Alter von {EARLY} Jahren",
        f"Beginn unter {EARLY} Jahren",
        "",
    ),
    ("biopsy_reason", "ill_appearance"): ("Das Kind wirkt krank", "Kranker Allgemeineindruck", ""),
    # review-queue flag reasons
    ("flag_reason", "malignancy_concern"): ("Verdacht auf Malignom", "", ""),
    ("flag_reason", "infection_concern"): ("Verdacht auf Infektion", "", ""),
    ("flag_reason", "unifocal_non_clavicular"): ("Unifokal, nicht Klavikula", "", ""),
    ("flag_reason", "crp_at_least_30"): (f"CRP ≥ {CRP} mg/l", "", ""),
    ("flag_reason", "age_under_3"): (f"Beginn unter {EARLY} Jahren", "", ""),
    ("flag_reason", "ill_appearance"): ("Kranker Allgemeineindruck", "", ""),
    ("flag_reason", "hypophosphatasia_concern"): ("Verdacht auf Hypophosphatasie", "", ""),
    ("flag_reason", "scurvy_concern"): ("Verdacht auf Skorbut", "", ""),
    ("flag_reason", "monogenic_concern"): ("Verdacht auf monogene (autoinflammatorische) Erkrankung", "", ""),
    # EULAR/ACR 2025
    ("eular_entry", "met"): ("Eingangskriterium erfüllt", "", ""),
    ("eular_entry", "not_met"): ("Eingangskriterium nicht erfüllt", "", ""),
    ("eular_entry", "unknown"): ("Eingangskriterium unbekannt (Daten fehlen)", "", ""),
    ("eular_exclusions", "cleared"): ("Differenzialdiagnosen ausgeräumt", "", ""),
    ("eular_exclusions", "not_cleared"): ("Verdacht auf eine Differenzialdiagnose", "", ""),
    ("eular_exclusions", "unknown"): ("Differenzialdiagnosen noch nicht ausgeräumt (Daten fehlen)", "", ""),
    ("eular_status", "entry_not_met"): (
        "Eingangskriterium nicht erfüllt: Die Klassifikationskriterien gelten nicht",
        "Eingang nicht erfüllt",
        "",
    ),
    ("eular_status", "mimic_not_excluded"): (
        "Eine Differenzialdiagnose ist nicht ausgeschlossen: noch nicht klassifizierbar",
        "Differenzialdiagnose nicht ausgeschlossen",
        "",
    ),
    ("eular_status", "eligible_for_scoring"): (
        "Bewertbar (Itemgewichte noch nicht übertragen: kein Score angegeben)",
        "Bewertbar",
        "",
    ),
    ("eular_status", "incomplete"): (
        "Unvollständig: Eingangskriterium oder Ausschlüsse unbekannt",
        "Unvollständig",
        "",
    ),
}

JANSSON_ITEMS: dict[str, str] = {
    "normal_blood_count": "Normales Blutbild",
    "symmetric_lesions": "Symmetrische Läsionen",
    "marginal_sclerosis": "Randsklerose",
    "normal_body_temperature": "Normale Körpertemperatur",
    "vertebral_clavicular_or_sternal": "Läsion an Wirbelkörper, Klavikula oder Sternum",
    "more_than_one_lesion": "Mehr als eine Läsion",
    "crp_at_least_10": f"CRP ab {T.JANSSON_CRP_MG_L} mg/l",
}

RULE_GROUPS: dict[str, str] = {
    "infection": "Infektion",
    "malignancy": "Malignom",
    "hypophosphatasia": "Hypophosphatasie",
    "scurvy": "Skorbut",
    "monogenic": "Monogene autoinflammatorische Erkrankung",
    "biopsy": "Biopsie-Empfehlung",
    "bristol": "Bristol-Kriterien",
    "jansson": "Jansson-Score",
    "eular_acr_2025": "EULAR/ACR-2025-Klassifikation (Eingangsprüfung)",
    "prompt": "Hinweise zu Wirbelsäule und Behandlung",
}

# Input paths of the contract in words a clinician uses (the English ones are in translations.py).
PATHS: dict[str, str] = {
    "patient.birth_date": "Geburtsdatum",
    "patient.sex": "Geschlecht",
    "episode.assessed_on": "Datum der Beurteilung",
    "episode.onset_on": "Datum des Beginns",
    "episode.age_years": "Alter (ohne Geburtsdatum)",
    "episode.age_at_onset_years": "Alter bei Beginn (ohne Geburtsdatum)",
    "episode.symptoms.fever": "Fieber (ja oder nein)",
    "episode.symptoms.max_temperature_c": "Höchsttemperatur (°C)",
    "episode.labs.crp_mg_l": "CRP (mg/l)",
    "episode.labs.esr_mm_h": "BSG (mm/h)",
    "episode.labs.wbc_10e9_l": "Leukozyten (×10⁹/l)",
    "episode.labs.neutrophils_10e9_l": "Neutrophile Granulozyten (×10⁹/l)",
    "episode.labs.hemoglobin_g_l": "Hämoglobin (g/l)",
    "episode.labs.platelets_10e9_l": "Thrombozyten (×10⁹/l)",
    "episode.labs.ldh_u_l": "LDH (U/l)",
    "episode.labs.ldh_uln_u_l": "Oberer Normwert der LDH (U/l)",
    "episode.labs.alp_u_l": "AP (U/l)",
    "episode.labs.alp_lln_u_l": "Unterer Normwert der AP (U/l)",
    "episode.labs.vitamin_c_low": "Vitamin-C-Spiegel",
    "episode.labs.blood_culture": "Blutkultur",
    "episode.findings.restricted_diet": "Eingeschränkte Ernährung (ja oder nein)",
    "episode.findings.hepatomegaly": "Leber untersucht (Hepatomegalie ja oder nein)",
    "episode.findings.splenomegaly": "Milz untersucht (Splenomegalie ja oder nein)",
    "episode.findings.lymphadenopathy": "Lymphknoten untersucht (Lymphadenopathie ja oder nein)",
    "episode.lesions": "Läsionen in der Bildgebung",
    # Paths the English labels leave to the humanised code: German still gets words.
    "episode.symptoms.bone_pain": "Knochenschmerzen",
    "episode.symptoms.local_swelling": "Lokale Schwellung",
    "episode.symptoms.night_pain": "Nächtliche Schmerzen",
    "episode.symptoms.weight_loss": "Gewichtsverlust",
    "episode.symptoms.night_sweats": "Nachtschweiß",
    "episode.symptoms.ill_appearance": "Kranker Allgemeineindruck",
    "episode.symptoms.back_pain": "Rückenschmerzen",
    "episode.findings.bruising_or_purpura": "Hämatome oder Purpura",
    "episode.findings.gum_bleeding": "Zahnfleischbluten",
    "episode.findings.neonatal_pustulosis": "Neonatale Pustulose",
    "episode.findings.consanguinity_or_affected_sibling": "Konsanguinität oder betroffenes Geschwister",
    "episode.findings.palmoplantar_pustulosis": "Palmoplantare Pustulose",
    "episode.findings.psoriasis": "Psoriasis",
    "episode.findings.severe_acne": "Schwere Akne",
    "episode.findings.inflammatory_bowel_disease": "Chronisch-entzündliche Darmerkrankung",
    "episode.findings.immunocompromised": "Immunsuppression",
    "episode.findings.tb_exposure": "Tuberkulose-Exposition",
    "episode.findings.sustained_response_to_antibiotics_alone": (
        "Anhaltendes Ansprechen allein auf Antibiotika"
    ),
    "episode.labs.blasts_on_smear": "Blasten im Blutausstrich",
    "episode.biopsy.histology": "Histologie der Biopsie",
    "episode.biopsy.culture": "Kultur der Biopsie",
    "episode.biopsy.on_antibiotics": "Biopsie unter Antibiotika",
    "episode.imaging.whole_body_mri": "Ganzkörper-MRT",
}

# The case format's validation messages (validation.py), for the pages that show them (an import's row
# errors): an English message matching a pattern reads as its German template; `{0}`, `{1}`… are the
# pattern's groups. Anything else stays as written (the contract's own words).
VALIDATION: tuple[tuple[str, str], ...] = (
    (r"unknown field \(not part of cno-case/1\)", "unbekanntes Feld (nicht Teil von cno-case/1)"),
    (
        r"(\S+) is outside the plausible range (\S+)–(\S+) years",
        "{0} liegt außerhalb des plausiblen Bereichs {1}–{2} Jahre",
    ),
    (
        r"(\S+) is outside the plausible range (\S+)–(\S+?)( \S+)?",
        "{0} liegt außerhalb des plausiblen Bereichs {1}–{2}{3}",
    ),
    (r"must be true, false or null \(unknown\)", "muss true, false oder null (unbekannt) sein"),
    (
        r"must be true or false \(omit it when not seen\)",
        "muss true oder false sein (weglassen, wenn nicht gesehen)",
    ),
    (r"must be a number or null \(unknown\)(.*)", "muss eine Zahl oder null (unbekannt) sein{0}"),
    (
        r"must be a number of years or null \(unknown\)",
        "muss eine Zahl von Jahren oder null (unbekannt) sein",
    ),
    (r"must be one of (.+) or null", "muss einer der Werte {0} oder null sein"),
    (r"must be one of (.+) \(default midline\)", "muss einer der Werte {0} sein (Vorgabe: midline)"),
    (r"must be one of (.+)", "muss einer der Werte {0} sein"),
    (r"required; one of (.+)", "erforderlich; einer der Werte {0}"),
    (
        r"must be an object \(omit it when nothing is known\)",
        "muss ein Objekt sein (weglassen, wenn nichts bekannt ist)",
    ),
    (r"must be null or an object", "muss null oder ein Objekt sein"),
    (r"must be a date written YYYY-MM-DD", "muss ein Datum der Form JJJJ-MM-TT sein"),
    (r"(\S+) is not a real calendar date", "{0} ist kein gültiges Kalenderdatum"),
    (r"(\S+) is in the future \(today is (\S+)\)", "{0} liegt in der Zukunft (heute ist {1})"),
    (r"required object with at least 'sex'", "erforderliches Objekt mit mindestens 'sex'"),
    (
        r"required object with at least 'assessed_on' and 'lesions'",
        "erforderliches Objekt mit mindestens 'assessed_on' und 'lesions'",
    ),
    (r"required \(date of assessment, YYYY-MM-DD\)", "erforderlich (Datum der Beurteilung, JJJJ-MM-TT)"),
    (
        r"required list \(empty when imaging shows no lesion\)",
        "erforderliche Liste (leer, wenn die Bildgebung keine Läsion zeigt)",
    ),
    (r"must be a list of lesions", "muss eine Liste von Läsionen sein"),
    (
        r"each lesion must be an object with 'site' and 'modality'",
        "jede Läsion muss ein Objekt mit 'site' und 'modality' sein",
    ),
    (
        r"must be a non-empty label of at most (\d+) characters",
        "muss eine nicht leere Bezeichnung mit höchstens {0} Zeichen sein",
    ),
    (r"is before (\S+)", "liegt vor {0}"),
    (r"is after (\S+)", "liegt nach {0}"),
    (r"is greater than (\S+)", "ist größer als {0}"),
    (
        r"(\d+) lesions: at most (\d+) per episode \(list each bone once\)",
        "{0} Läsionen: höchstens {1} pro Episode (jeden Knochen einmal aufführen)",
    ),
)
