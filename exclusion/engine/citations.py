"""The publications behind the rules (the project's clinical reference), each written out once.

A rule's ``source`` is one of these, or several joined with "; ". Never edit one without checking the
reference: the strings are part of the public rule catalogue and of every stored finding.
"""

from __future__ import annotations

RODERICK_2016 = (
    "Roderick MR, Shah R, Rogers V, Finn A, Ramanan AV. Chronic recurrent multifocal osteomyelitis (CRMO) – "
    "advancing the diagnosis. Pediatr Rheumatol Online J 2016;14(1):47. doi:10.1186/s12969-016-0109-1. "
    "PMID 27576444"
)
JANSSON_2009 = (
    "Jansson AF, Müller TH, Gliera L, et al. Clinical score for nonbacterial "
    "osteitis in children and adults. "
    "Arthritis Rheum 2009;60(4):1152–1159. doi:10.1002/art.24402. PMID 19333943"
)
JONES_2006 = (
    "Jones OY, Spencer CH, Bowyer SL, Dent PB, Gottlieb BS, Rabinovich CE. A "
    "multicenter case-control study on "
    "predictive factors distinguishing childhood leukemia from juvenile rheumatoid arthritis. Pediatrics "
    "2006;117(5):e840–e844. PMID 16651289"
)
LOUVIGNE_2020 = (
    "Louvigné M, et al. Persistent osteoarticular pain in children: early clinical and laboratory findings "
    "suggestive of acute lymphoblastic leukemia (ALL vs JIA). Pediatr Rheumatol 2020. "
    "doi:10.1186/s12969-019-0376-8"
)
EULAR_ACR_2025 = (
    "Zhao Y, Oliver MS, Schnabel A, et al. EULAR/American College of Rheumatology "
    "Classification Criteria for "
    "Pediatric Chronic Nonbacterial Osteomyelitis. Arthritis Rheumatol 2025. doi:10.1002/art.43137. "
    "PMID 40342207"
)
EULAR_ACR_2022_LABS = (
    EULAR_ACR_2025 + " (provisional 2022 laboratory exclusions: platelets < 100 ×10⁹/L, abnormal LDH — "
    "secondary report)"
)
ZHAO_2017 = (
    "Zhao Y, Laxer RM, Ferguson PJ. Treatment advances in chronic non-bacterial osteomyelitis and other "
    "autoinflammatory bone conditions. Curr Treat Options Rheumatol 2017;3:17–32 (no DOI/PMID in reference)"
)
KOSTIK_2023 = (
    "Kostik MM, et al. NBO diagnostic score (NBO vs bacterial osteomyelitis). Front Pediatr 2023. "
    "doi:10.3389/fped.2023.1067206"
)
SCHNABEL_2016 = (
    "Schnabel A, et al. Unexpectedly high incidences of chronic non-bacterial as compared to bacterial "
    "osteomyelitis in children. Rheumatol Int 2016. doi:10.1007/s00296-016-3572-6"
)
GROTE_2017 = (
    "Grote V, Silier CCG, Voit AM, Jansson AF. Bacterial osteomyelitis or nonbacterial osteitis in children. "
    "Pediatr Infect Dis J 2017;36(5):451–456. doi:10.1097/INF.0000000000001469. PMID 28403046"
)
KOSTIK_TB = (
    "Kostik MM, Kopchak OL, Maletin AS, Zorin VI, Mushkin AY. CNO vs tuberculous osteomyelitis "
    "(journal not captured; no DOI/PMID in reference)"
)
CONTRACT = (
    "Project contract cno-case/1 (docs/case-format.md); no publication for this item in the project's "
    "clinical reference"
)
AGODI_2013 = "Agodi A, et al. BMC Pediatr 2013;13:15 (no DOI/PMID in reference)"
CLINICS_2011 = (
    "ALL vs systemic JIA. Clinics (São Paulo) 2011 (SciELO S1807-59322011001000001; no DOI/PMID in reference)"
)
WHO_2011 = (
    "World Health Organization. Haemoglobin concentrations for the diagnosis of anaemia and assessment of "
    "severity. WHO/NMH/NHD/MNM/11.1, 2011; WHO 2024 guideline (6–23 months: 105 g/L)"
)
LEUK_RES_2012 = (
    "Differential diagnosis of paediatric bone pain: acute lymphoblastic leukemia. "
    "Leuk Res 2012;36(4):521–523. "
    "doi:10.1016/j.leukres.2012.01.001"
)
ZHAO_ACR_2020 = (
    "Zhao Y, et al. Comparison of clinicopathologic and imaging features between CNO and its mimickers. "
    "ACR Convergence 2020, abstract 1162 (imaging red flags as reported secondarily; "
    "no DOI/PMID in reference)"
)
BAKY_2020 = (
    "Baky F, et al. Clin Orthop Relat Res 2020;478(10):2367–2374; McMahon A, Pilkington C. Pediatr Rheumatol "
    "2008;6(Suppl 1):P190 (no DOI/PMID in reference)"
)
WHYTE_2009 = (
    "Whyte MP, et al. J Bone Miner Res 2009;24(8):1493–1505; Girschick HJ, Mornet E, Beer M, Warmuth-Metz M, "
    "Schneider P. BMC Pediatr 2007;7:3. PMID 17241478"
)
SCURVY = EULAR_ACR_2025 + "; scurvy mimicking CNO: Pediatrics 2019;144(3):e20182824"
MONOGENIC = (
    "Insights Imaging 2022 review, doi:10.1186/s13244-022-01288-3; Ferguson PJ, et "
    "al. J Med Genet 2005;42:551 "
    "(Majeed, LPIN2); DIRA (IL1RN): Sakran W, et al. Pediatr Infect Dis J 2013;32(1):94"
)

# --- Spine and treatment prompts (reference §6, §7 and rules J1–J4; only what the reference gives) --------
DANGELO_2021 = "d'Angelo P, et al. Pediatr Radiol 2021;51:282–288. PMID 33033917"
GUARIENTO_2023 = (
    "Guariento A, et al. MRI features of spinal CRMO/CNO in children. Pediatr Radiol 2023;53:2092–2103. "
    "PMID 37204463"
)
BECK_2010 = (
    "Beck C, Morbach H, Beer M, et al. Chronic nonbacterial osteomyelitis in childhood: prospective "
    "follow-up during the first year of anti-inflammatory treatment. Arthritis Res Ther 2010;12(2):R74. "
    "doi:10.1186/ar2992"
)
ARNOLDI_2017 = (
    "Arnoldi AP, Schlett CL, Douis H, et al. Whole-body MRI in patients with non-bacterial osteitis: "
    "radiological findings and correlation with clinical data. Eur Radiol 2017;27(6):2391–2399 "
    "(no DOI/PMID in reference)"
)
ZHAO_2018_CTP = (
    "Zhao Y, et al. CARRA consensus treatment plans for CNO. Arthritis Care Res 2018;70(8):1228–1237. "
    "doi:10.1002/acr.23462. PMID 29112802"
)
BHAT_2019 = "Bhat CS, et al. Pamidronate in CNO. Pediatr Rheumatol 2019. doi:10.1186/s12969-019-0340-7"
MAJEED_IL1 = (
    "Majeed syndrome: response to IL-1 blockade, not to TNF blockade (PMC3660147; no DOI/PMID in "
    "reference); Garg M, et al. JCI Insight 2017;2(16):e94838 (no DOI/PMID in reference)"
)
