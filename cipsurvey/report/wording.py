"""The words of the published tables, in English and Swedish (moves into the language catalog).

``TEXT`` holds headings, notes and sentences with ``{named}`` places for formatted values.
``TESTS`` names each test or measure by the method string a statistic carries, with its
symbol. ``NOTES`` recognises the notes the statistics write (in English, with numbers) and
says them again in the report's language with the numbers formatted for it.
"""

from __future__ import annotations

import re
from typing import Any

from . import numbers as nb

TEXT: dict[str, dict[str, str]] = {
    # column headings
    "n": {"en": "n", "sv": "n"},
    "M": {"en": "M", "sv": "M"},
    "SD": {"en": "SD", "sv": "SD"},
    "Mdn": {"en": "Mdn", "sv": "Md"},
    "SE": {"en": "SE", "sv": "SE"},
    "ci": {"en": "{level}% CI", "sv": "{level} % KI"},
    "lower": {"en": "lower", "sv": "nedre"},
    "upper": {"en": "upper", "sv": "övre"},
    "percent": {"en": "%", "sv": "%"},
    "total": {"en": "Total", "sv": "Totalt"},
    "total_answered": {"en": "Answered", "sv": "Besvarade"},
    "test": {"en": "Test", "sv": "Test"},
    "statistic": {"en": "Test statistic", "sv": "Testvärde"},
    "df": {"en": "df", "sv": "fg"},
    "df1": {"en": "df₁", "sv": "fg₁"},
    "df2": {"en": "df₂", "sv": "fg₂"},
    "p": {"en": "p", "sv": "p"},
    "t": {"en": "t", "sv": "t"},
    "F": {"en": "F", "sv": "F"},
    "H": {"en": "H", "sv": "H"},
    "V": {"en": "V", "sv": "V"},
    "d": {"en": "d", "sv": "d"},
    "B": {"en": "B", "sv": "B"},
    "beta": {"en": "β", "sv": "β"},
    "n1": {"en": "n₁", "sv": "n₁"},
    "n2": {"en": "n₂", "sv": "n₂"},
    "mean_difference": {"en": "M difference", "sv": "Skillnad i M"},
    "source": {"en": "Source", "sv": "Variationskälla"},
    "ss": {"en": "SS", "sv": "KvS"},
    "ms": {"en": "MS", "sv": "MKv"},
    "between_groups": {"en": "Between groups", "sv": "Mellan grupper"},
    "within_groups": {"en": "Within groups", "sv": "Inom grupper"},
    "comparison": {"en": "Comparison", "sv": "Jämförelse"},
    "answer": {"en": "Answer", "sv": "Svar"},
    "options_chosen": {"en": "Chose the option", "sv": "Valde alternativet"},
    "pct_of_respondents": {"en": "% of respondents", "sv": "% av de svarande"},
    "pct_of_responses": {"en": "% of answers", "sv": "% av svaren"},
    "item_rest_r": {"en": "Item–rest r", "sv": "r mot övriga frågor"},
    "alpha_if_deleted": {"en": "α without the item", "sv": "α utan frågan"},
    "intercept": {"en": "Constant", "sv": "Konstant"},
    # titles
    "posthoc_title": {"en": "{title}: {test}, pairs of groups",
                      "sv": "{title}: {test}, parvisa jämförelser"},
    "robust_title": {"en": "{title}: Welch's and Brown–Forsythe's F",
                     "sv": "{title}: Welchs och Brown–Forsythes F"},
    "kruskal_title": {"en": "{title}: Kruskal–Wallis test",
                      "sv": "{title}: Kruskal–Wallis test"},
    "tests_title": {"en": "{title}: tests", "sv": "{title}: test"},
    # notes
    "p_from": {"en": "p from {test}.", "sv": "p-värde från {test}."},
    "note_describe": {"en": "n = those who answered; {level}% CI of the mean.",
                      "sv": "n = antal som besvarade frågan; {level} % KI för medelvärdet."},
    "note_percent_answered": {"en": "Percentages of those who answered the question.",
                              "sv": "Procent av dem som besvarade frågan."},
    "note_ci_percent": {"en": "{level}% CI of the percentage: {method}.",
                        "sv": "{level} % KI för andelen: {method}."},
    "note_row_percent": {"en": "n (%) with row percentages: each row sums to 100%.",
                         "sv": "n (%) med radprocent: varje rad summerar till 100 %."},
    "note_column_percent": {"en": "n (%) with column percentages: each column sums to 100%.",
                            "sv": "n (%) med kolumnprocent: varje kolumn summerar till 100 %."},
    "note_total_percent": {"en": "n (%) with percentages of all respondents in the table.",
                           "sv": "n (%) med procent av alla svarande i tabellen."},
    "note_margins": {"en": "Totals: n (% of all in the table).",
                     "sv": "Totalt: n (% av alla i tabellen)."},
    "note_n": {"en": "N = {n}.", "sv": "N = {n}."},
    "note_cramers_v": {"en": "Cramér's V = {value} ({level}% CI).",
                       "sv": "Cramérs V = {value} ({level} % KI)."},
    "note_difference": {"en": "M difference = {first} minus {second}.",
                        "sv": "Skillnad i M = {first} minus {second}."},
    "note_levene": {"en": "{test}: F({df1}, {df2}) = {F}, {p}.",
                    "sv": "{test}: F({df1}, {df2}) = {F}, {p}."},
    "note_effect_sizes": {"en": "Effect sizes with {level}% CI: {values}.",
                          "sv": "Effektstorlek med {level} % KI: {values}."},
    "note_mann_whitney": {"en": "Mann–Whitney U test: U = {U}, z = {z}, {p}.",
                          "sv": "Mann–Whitneys U-test: U = {U}, z = {z}, {p}."},
    "note_anova": {"en": "η² and ω² with {level}% CI.", "sv": "η² och ω² med {level} % KI."},
    "note_posthoc": {"en": "M difference = first group minus second; d with the pooled SD.",
                     "sv": "Skillnad i M = första gruppen minus den andra; d med poolad SD."},
    "note_kruskal": {"en": "{test}; ε² = effect size.", "sv": "{test}; ε² = effektstorlek."},
    "note_grid_ci": {"en": "Confidence intervals for each percentage are in the workbook.",
                     "sv": "Konfidensintervall för varje andel finns i Excelfilen."},
    "note_mr_respondents": {
        "en": "n (%) of the respondents in each row; a respondent may choose several options.",
        "sv": "n (%) av de svarande på varje rad; en svarande kan välja flera alternativ."},
    "note_mr": {"en": "{n} respondents gave {responses} answers; a respondent may choose "
                      "several options.",
                "sv": "{n} svarande gav {responses} svar; en svarande kan välja flera "
                      "alternativ."},
    "note_model": {"en": "{model}.", "sv": "{model}."},
    "note_reference": {"en": "Reference categories: {references}.",
                       "sv": "Referenskategorier: {references}."},
    "fit_ols": {"en": "N = {n}; R² = {r2}, adjusted R² = {adj}; F({df1}, {df2}) = {F}, {p}.",
                "sv": "N = {n}; R² = {r2}, justerat R² = {adj}; F({df1}, {df2}) = {F}, {p}."},
    "fit_logistic": {"en": "N = {n} ({events} with the outcome); −2LL = {ll}, Nagelkerke "
                           "R² = {r2}; likelihood-ratio χ²({df}) = {chi2}, {p}.",
                     "sv": "N = {n} ({events} med utfallet); −2LL = {ll}, Nagelkerkes "
                           "R² = {r2}; likelihoodkvottest χ²({df}) = {chi2}, {p}."},
    "fit_count": {"en": "N = {n}; AIC = {aic}; dispersion parameter α = {alpha}; Pearson "
                        "χ²/df = {dispersion}.",
                  "sv": "N = {n}; AIC = {aic}; dispersionsparameter α = {alpha}; Pearsons "
                        "χ²/fg = {dispersion}."},
    "note_alpha": {"en": "Cronbach's α = {value} ({level}% CI), from the {n} respondents who "
                         "answered all {k} items.",
                   "sv": "Cronbachs alfa = {value} ({level} % KI), beräknat på de {n} som "
                         "besvarade alla {k} frågorna."},
    "note_score": {"en": "Scale score (mean of the items each respondent answered): n = {n}, "
                         "M (SD) = {msd}.",
                   "sv": "Skalpoäng (medelvärdet av de frågor var och en besvarade): n = {n}, "
                         "M (SD) = {msd}."},
    # the document
    "appendix": {"en": "Appendix: the data", "sv": "Bilaga: underlaget"},
    "contents": {"en": "Contents", "sv": "Innehåll"},
    "summary": {"en": "Key findings", "sv": "Sammanfattning"},
    "methods": {"en": "Methods", "sv": "Metod"},
    "table": {"en": "Table", "sv": "Tabell"},
    "figure": {"en": "Figure", "sv": "Figur"},
    "note_lead": {"en": "Note.", "sv": "Anm."},
    "paper_value": {"en": "paper", "sv": "artikeln"},
    "paper_column": {"en": "{heading} (paper)", "sv": "{heading} (artikeln)"},
    "paper_key": {"en": "Values in grey are those the paper prints.",
                  "sv": "Värden i grått är de som artikeln redovisar."},
    "generated": {"en": "Generated", "sv": "Skapad"},
    "synthetic": {"en": "SYNTHETIC DATA: invented answers calibrated to the figures published "
                        "by Källmén, Hed & Elgán (2017); not the study's data.",
                  "sv": "SYNTETISKA DATA: påhittade svar som återger de siffror Källmén, Hed "
                        "& Elgán (2017) publicerade; inte studiens data."},
    "analysis_failed": {"en": "This analysis could not be run: {error}",
                        "sv": "Analysen kunde inte genomföras: {error}"},
    "quoted": {"en": "“{text}”", "sv": "”{text}”"},
    "tables_one": {"en": "{n} table", "sv": "{n} tabell"},
    "tables_many": {"en": "{n} tables", "sv": "{n} tabeller"},
    "figures_one": {"en": "{n} figure", "sv": "{n} figur"},
    "figures_many": {"en": "{n} figures", "sv": "{n} figurer"},
    "cover_sheet": {"en": "About", "sv": "Om rapporten"},
    "data_source": {"en": "Data source", "sv": "Underlag"},
    "file": {"en": "File", "sv": "Fil"},
    "format": {"en": "Format", "sv": "Format"},
    "rows_read": {"en": "Rows read", "sv": "Lästa rader"},
    "rows_kept": {"en": "Rows kept", "sv": "Behållna rader"},
    "rows_excluded": {"en": "Rows left out", "sv": "Uteslutna rader"},
    "sheets": {"en": "Sheets", "sv": "Flikar"},
    "sheet": {"en": "Sheet", "sv": "Flik"},
    "title": {"en": "Title", "sv": "Rubrik"},
    "paper_key_excel": {"en": "The values the paper prints are in the columns marked (paper).",
                        "sv": "Artikelns värden står i kolumnerna märkta (artikeln)."},
    "figure_empty": {"en": "No data to draw.", "sv": "Inga data att visa."},
    "table_part": {"en": "{title}: {part}", "sv": "{title}: {part}"},
    "addition": {"en": "Reviewer's addition, not in the paper.",
                 "sv": "Granskarens tillägg, finns inte i artikeln."},
    "in_paper": {"en": "In the paper: {where}.", "sv": "I artikeln: {where}."},
    "by_group_title": {"en": "{what} by {group}", "sv": "{what} efter {group}"},
    "M_SD": {"en": "M\u00a0(SD)", "sv": "M\u00a0(SD)"},
    "n_pct_label": {"en": "{label}, n ({direction})", "sv": "{label}, n ({direction})"},
    "row_percent_short": {"en": "row %", "sv": "rad-%"},
    "column_percent_short": {"en": "column %", "sv": "kolumn-%"},
    "total_percent_short": {"en": "% of all", "sv": "% av alla"},
    "note_by_group": {"en": "Numbers: n, M (SD) and median of those who answered. Categories: "
                            "n (%).",
                      "sv": "Antal och mått: n, M (SD) och median bland dem som svarade. "
                            "Kategorier: n (%)."},
    # the key findings
    "finding_share": {"en": "{title}: {answer}, {pct} ({k} of {n}).",
                      "sv": "{title}: {answer}, {pct} ({k} av {n})."},
    "finding_v": {"en": ", Cramér's V = {v}", "sv": ", Cramérs V = {v}"},
    "finding_chi2": {"en": "{title}: {test}, χ²({df}, N = {n}) = {chi2}, {p}{effect}.",
                     "sv": "{title}: {test}, χ²({df}, N = {n}) = {chi2}, {p}{effect}."},
    "finding_t": {"en": "{title}: M = {m1} ({g1}, n = {n1}) and {m2} ({g2}, n = {n2}); "
                        "{test}, t({df}) = {t}, {p}.",
                  "sv": "{title}: M = {m1} ({g1}, n = {n1}) och {m2} ({g2}, n = {n2}); "
                        "{test}, t({df}) = {t}, {p}."},
    "finding_f_part": {"en": "{label}: F({df1}, {df2}) = {F}, {p}",
                       "sv": "{label}: F({df1}, {df2}) = {F}, {p}"},
    "finding_anova": {"en": "{title} ({test}). {parts}.", "sv": "{title} ({test}). {parts}."},
    "finding_grid": {"en": "{title}: “{answer}” ranged from {low_pct} ({low}, n = {low_n}) to "
                           "{top_pct} ({top}, n = {top_n}).",
                     "sv": "{title}: ”{answer}” varierade från {low_pct} ({low}, n = {low_n}) "
                           "till {top_pct} ({top}, n = {top_n})."},
    "finding_mr": {"en": "{title}: most often “{option}”, {pct} of {n} respondents.",
                   "sv": "{title}: oftast ”{option}”, {pct} av {n} svarande."},
    "finding_ols": {"en": "{title}: R² = {r2}, F({df1}, {df2}) = {F}, {p}, n = {n}.",
                    "sv": "{title}: R² = {r2}, F({df1}, {df2}) = {F}, {p}, n = {n}."},
    "finding_alpha": {"en": "{title}: Cronbach's α = {alpha} for {k} items (n = {n}).",
                      "sv": "{title}: Cronbachs alfa = {alpha} för {k} frågor (n = {n})."},
    "summary_lead": {"en": "Each finding gives its number, its test and its n. The survey "
                           "describes one point in time: differences between groups are "
                           "associations, not causes.",
                     "sv": "Varje resultat anges med siffra, test och antal svarande (n). "
                           "Enkäten beskriver en tidpunkt: skillnader mellan grupper är "
                           "samband, inte orsaker."},
    # the methods section
    "format_sav": {"en": "an SPSS file (.sav)", "sv": "en SPSS-fil (.sav)"},
    "format_csv": {"en": "a text file (.csv)", "sv": "en textfil (.csv)"},
    "format_xlsx": {"en": "an Excel file (.xlsx)", "sv": "en Excelfil (.xlsx)"},
    "methods_file": {"en": "{n} from {format}", "sv": "{n} från {format}"},
    "methods_data": {"en": "The analysis covers {n} respondents: {files}.",
                     "sv": "Analysen omfattar {n} svarande: {files}."},
    "methods_rate": {"en": "{invited} were invited, a response rate of {rate}.",
                     "sv": "{invited} personer fick enkäten, en svarsfrekvens på {rate}."},
    "methods_excluded": {"en": "{n} rows were left out, each with its reason in the appendix.",
                         "sv": "{n} rader uteslöts, var och en med sitt skäl i bilagan."},
    "methods_none_excluded": {"en": "No row was left out.", "sv": "Ingen rad uteslöts."},
    "methods_synthetic": {"en": "The answers are synthetic: invented to reproduce the figures "
                                "the paper publishes, not the study's data.",
                          "sv": "Svaren är syntetiska: påhittade för att återge artikelns "
                                "siffror, inte studiens data."},
    "methods_missing": {"en": "Each analysis uses everyone who answered the questions it "
                              "involves (complete cases per analysis), so n differs between "
                              "tables; each table gives its own n.",
                        "sv": "Varje analys bygger på alla som besvarade de frågor den "
                              "omfattar (fullständiga svar per analys), så n skiftar mellan "
                              "tabellerna; varje tabell anger sitt n."},
    "methods_denominator": {"en": "Percentages are of those who answered the question.",
                            "sv": "Procenttalen är andelar av dem som besvarade frågan."},
    "methods_denominator_all": {"en": "Percentages are of those who answered the question, "
                                      "except in {results}, where everyone asked is counted, "
                                      "those who did not answer included.",
                                "sv": "Procenttalen är andelar av dem som besvarade frågan, "
                                      "utom i {results}, där alla som fick frågan räknas, "
                                      "även de som inte svarade."},
    "methods_scale": {"en": "The score of “{title}” is the mean of the items each respondent "
                            "answered ({n_score} respondents); Cronbach's α uses the "
                            "{n_alpha} who answered all {k} items.",
                      "sv": "Poängen för ”{title}” är medelvärdet av de frågor var och en "
                            "besvarade ({n_score} svarande); Cronbachs alfa bygger på de "
                            "{n_alpha} som besvarade alla {k} frågorna."},
    "methods_means": {"en": "Means were compared with {names}.",
                      "sv": "Medelvärden jämfördes med {names}."},
    "methods_posthoc": {"en": "Pairs of groups were compared with {names}.",
                        "sv": "Grupper jämfördes parvis med {names}."},
    "methods_rank": {"en": "Distributions were also compared with rank tests: {names}.",
                     "sv": "Fördelningarna jämfördes också med rangtest: {names}."},
    "methods_categorical": {"en": "Answers to questions with categories were compared with "
                                  "{names}.",
                            "sv": "Svar på frågor med svarsalternativ jämfördes med {names}."},
    "methods_effect": {"en": "Effect sizes: {names}, each with its confidence interval.",
                       "sv": "Effektstorlekar: {names}, var och en med konfidensintervall."},
    "methods_models": {"en": "Regression models: {names}.",
                       "sv": "Regressionsmodeller: {names}."},
    "methods_reliability": {"en": "The internal consistency of a scale: {names}.",
                            "sv": "En skalas inre konsistens: {names}."},
    "methods_intervals": {"en": "Confidence intervals of percentages: {names}.",
                          "sv": "Konfidensintervall för andelar: {names}."},
    "methods_other": {"en": "Also: {names}.", "sv": "Dessutom: {names}."},
    "methods_alpha": {"en": "Tests are two-sided at α = {alpha}; intervals are {level}% "
                            "confidence intervals.",
                      "sv": "Testen är tvåsidiga med signifikansnivån α = {alpha}; "
                            "intervallen är {level} % konfidensintervall."},
    "assume_means": {"en": "The t tests and analyses of variance assume independent "
                           "observations and roughly normal values within each group; "
                           "Welch's tests do not assume equal variances, and Levene's test "
                           "shows whether the variances differ.",
                     "sv": "t-testen och variansanalyserna förutsätter oberoende observationer "
                           "och ungefär normalfördelade värden i varje grupp; Welchs test "
                           "förutsätter inte lika varianser, och Levenes test visar om "
                           "varianserna skiljer sig åt."},
    "assume_rank": {"en": "The rank tests do not assume normal distributions.",
                    "sv": "Rangtesten förutsätter inte normalfördelning."},
    "assume_categorical": {"en": "The χ² tests assume independent observations and an "
                                 "expected count of at least 5 in most cells; a note says where "
                                 "a table falls short.",
                           "sv": "χ²-testen förutsätter oberoende observationer och ett "
                                 "förväntat antal på minst 5 i de flesta celler; en anmärkning "
                                 "säger var en tabell inte uppfyller det."},
    "assume_models": {"en": "The regression models assume independent observations; the "
                            "linear model also assumes a straight-line relation and an even "
                            "spread of the residuals.",
                      "sv": "Regressionsmodellerna förutsätter oberoende observationer; den "
                            "linjära modellen förutsätter också ett rätlinjigt samband och "
                            "jämn spridning av residualerna."},
    "assume_reliability": {"en": "Cronbach's α assumes that the items measure one and the same "
                                 "thing.",
                           "sv": "Cronbachs alfa förutsätter att frågorna mäter en och samma "
                                 "sak."},
    "methods_ids": {"en": "Respondent ids appear nowhere in the report.",
                    "sv": "De svarandes id-nummer finns inte i rapporten."},
    "methods_free_text": {"en": "Free-text answers are included with pseudonymised ids.",
                          "sv": "Fritextsvar ingår med pseudonymiserade id-nummer."},
    "methods_no_free_text": {"en": "Free-text answers are left out.",
                             "sv": "Fritextsvar ingår inte."},
    "methods_min_cell": {"en": "Cells with fewer than {k} respondents are hidden.",
                         "sv": "Celler med färre än {k} svarande visas inte."},
    "methods_software": {"en": "Software: {software}.", "sv": "Programvara: {software}."},
}

# method string (as the statistics write it) → English name, Swedish name, symbol
TESTS: dict[str, tuple[str, str, str]] = {
    "Student's t, pooled variance": ("Student's t test", "Students t-test", "t"),
    "Welch's t, Satterthwaite df": ("Welch's t test", "Welchs t-test", "t"),
    "Welch's t": ("Welch's t test", "Welchs t-test", "t"),
    "paired t": ("paired t test", "t-test för parade observationer", "t"),
    "Levene's test centred on the mean": ("Levene's test (mean-centred)",
                                          "Levenes test (kring medelvärdet)", "F"),
    "pooled SD; CI by noncentral t inversion": ("Cohen's d", "Cohens d", "d"),
    "pooled SD; CI by noncentral t inversion; exact J correction": ("Hedges' g", "Hedges g",
                                                                    "g"),
    "Mann-Whitney U, normal approximation with tie correction": (
        "Mann–Whitney U test", "Mann–Whitneys U-test", "z"),
    "Pearson chi-square, no continuity correction": ("Pearson's χ² test", "Pearsons χ²-test",
                                                     "χ²"),
    "Pearson chi-square": ("Pearson's χ² test", "Pearsons χ²-test", "χ²"),
    "likelihood-ratio chi-square (G2)": ("likelihood-ratio test", "likelihoodkvottest", "χ²"),
    "Mantel-Haenszel linear-by-linear, codes as scores": (
        "linear-by-linear association", "linjärt samband (linear-by-linear)", "χ²"),
    "Yates's continuity correction (2x2 only)": ("χ² test with Yates's correction",
                                                 "χ²-test med Yates korrektion", "χ²"),
    "Fisher's exact test, two-sided": ("Fisher's exact test", "Fishers exakta test", ""),
    "Cramer's V; CI by noncentral chi-square inversion": ("Cramér's V", "Cramérs V", "V"),
    "phi coefficient (signed)": ("phi coefficient", "phi-koefficient", "φ"),
    "one-way ANOVA": ("one-way ANOVA", "envägs variansanalys (ANOVA)", "F"),
    "Welch's ANOVA": ("Welch's ANOVA", "Welchs ANOVA", "F"),
    "Brown-Forsythe F* test": ("Brown–Forsythe test", "Brown–Forsythes test", "F*"),
    "Kruskal-Wallis H, tie-corrected, chi-square approximation": (
        "Kruskal–Wallis test", "Kruskal–Wallis test", "H"),
    "eta squared": ("eta squared", "eta-kvadrat", "η²"),
    "omega squared": ("omega squared", "omega-kvadrat", "ω²"),
    "epsilon squared": ("epsilon squared", "epsilon-kvadrat", "ε²"),
    "CI by noncentral F inversion": ("", "", ""),  # how η²'s CI is found: not a method
    "Cohen's d": ("Cohen's d", "Cohens d", "d"),
    "Hedges' g": ("Hedges' g", "Hedges g", "g"),
    "Cramer's V": ("Cramér's V", "Cramérs V", "V"),
    "Cronbach's alpha": ("Cronbach's α", "Cronbachs alfa", "α"),
    "Scheffé": ("Scheffé's test", "Scheffés test", ""),
    "Tukey": ("Tukey's test", "Tukeys test", ""),
    "Bonferroni": ("Bonferroni correction", "Bonferronikorrektion", ""),
    "Games-Howell": ("Games–Howell test", "Games–Howells test", ""),
    "Wilson score interval": ("Wilson's score interval", "Wilsons intervall", ""),
    "OLS": ("linear regression (OLS)", "linjär regression (OLS)", "t"),
    "logistic regression (Wald)": ("logistic regression", "logistisk regression", "Wald χ²"),
    "logistic regression (Wald) exp": ("", "", "OR"),
    "logistic regression": ("logistic regression", "logistisk regression", ""),
    "negative binomial (NB2), maximum likelihood": (
        "negative binomial regression", "negativ binomialregression", "z"),
    "negative binomial (NB2), maximum likelihood exp": ("", "", "IRR"),
    "negative binomial (NB2)": ("negative binomial regression", "negativ binomialregression",
                                "z"),
    "negative binomial (NB2) exp": ("", "", "IRR"),
    "Poisson GLM": ("Poisson regression", "Poissonregression", "z"),
    "Poisson GLM exp": ("", "", "IRR"),
    "Cronbach's alpha; Feldt CI": ("Cronbach's α", "Cronbachs alfa", "α"),
}


def text(key: str, lang: str, **values: Any) -> str:
    """A catalog string in ``lang`` with its places filled."""
    entry = TEXT[key]
    return entry[lang].format(**values) if values else entry[lang]


def test(method: str, lang: str) -> tuple[str, str]:
    """The name of a test (or measure) in ``lang`` and its symbol; unknown methods keep
    their own words (and a test of the catalog lists them)."""
    found = TESTS.get(method)
    if found is None:
        return method, ""
    return (found[0] if lang == "en" else found[1]), found[2]


# notes the statistics write, with the numbers they carry: (pattern, key)
_NOTE_PATTERNS: list[tuple[re.Pattern[str], dict[str, str]]] = [
    (re.compile(r"(?P<k>\d+) cells \((?P<pct>[\d.]+)%\) have expected count less than 5\. "
                r"The minimum expected count is (?P<min>[\d.]+)\."),
     {"en": "{k} cells ({pct}%) have an expected count below 5; the smallest is {min}.",
      "sv": "{k} celler ({pct} %) har ett förväntat antal under 5; det minsta är {min}."}),
    (re.compile(r"meaningful for ordered categories only"),
     {"en": "The linear-by-linear association is meaningful for ordered categories only.",
      "sv": "Linjärt samband (linear-by-linear) är meningsfullt bara för ordnade kategorier."}),
    (re.compile(r"percent of everyone in the subset, unanswered included"),
     {"en": "Percentages of everyone asked, those who did not answer included.",
      "sv": "Procent av alla som fick frågan, även de som inte svarade."}),
    (re.compile(r"a single category: no test"),
     {"en": "Only one category: no test.", "sv": "Bara en kategori: inget test."}),
    (re.compile(r"no values"), {"en": "No values.", "sv": "Inga värden."}),
    (re.compile(r"one value: no SD"), {"en": "One value: no SD.", "sv": "Ett värde: ingen SD."}),
    (re.compile(r"no answers"), {"en": "No answers.", "sv": "Inga svar."}),
]
_NOTE_KINDS = {"k": "count", "pct": "percent", "min": "descriptive"}


def note(raw: str, lang: str) -> str:
    """A note written by the statistics, in ``lang`` with its numbers formatted."""
    for pattern, says in _NOTE_PATTERNS:
        found = pattern.fullmatch(raw.strip())
        if found:
            values = {k: nb.fmt(float(v), _NOTE_KINDS.get(k, "descriptive"), lang)
                      for k, v in found.groupdict().items()}
            return says[lang].format(**values)
    return raw


# columns of result tables shown as they are (the comparison's and any new kind's):
# name → English heading, Swedish heading, kind of number (None: text)
COLUMNS: dict[str, tuple[str, str, str | None]] = {
    "variable_label": ("Variable", "Variabel", None),
    "group_label": ("Group", "Grupp", None),
    "group": ("Group", "Grupp", None),
    "label": ("Answer", "Svar", None),
    "item_label": ("Question", "Fråga", None),
    "term_label": ("Term", "Term", None),
    "indicator_label": ("Indicator", "Indikator", None),
    "indicator": ("Indicator", "Indikator", None),
    "test": ("Test", "Test", None),
    "measure": ("Measure", "Mått", None),
    "source": ("Source", "Variationskälla", None),
    "wave": ("Wave", "Mättillfälle", None),
    "level": ("Level", "Nivå", None),
    "trait": ("Baseline characteristic", "Egenskap vid baslinjemätningen", None),
    "kind": ("Measure", "Mått", None),
    "unit": ("Unit", "Enhet", None),
    "option": ("Option", "Alternativ", None),
    "unlinked_test": ("Test (all)", "Test (alla)", None),
    "linked_test": ("Test (linked)", "Test (länkade)", None),
    "n": ("n", "n", "count"),
    "count": ("n", "n", "count"),
    "observed": ("n", "n", "count"),
    "missing": ("Missing", "Saknas", "count"),
    "responded": ("Responded", "Svarade", "count"),
    "invited": ("Invited", "Fick enkäten", "count"),
    "n_0": ("n baseline", "n baslinje", "count"),
    "n_1": ("n follow-up", "n uppföljning", "count"),
    "linked_n": ("n in both", "n i båda", "count"),
    "n1": ("n₁", "n₁", "count"),
    "n2": ("n₂", "n₂", "count"),
    "events": ("Events", "Händelser", "count"),
    "k": ("Items", "Frågor", "count"),
    "n_respondents": ("Respondents", "Svarande", "count"),
    "n_responses": ("Answers", "Svar", "count"),
    "percent": ("%", "%", "percent"),
    "row_percent": ("Row %", "Rad-%", "percent"),
    "col_percent": ("Column %", "Kolumn-%", "percent"),
    "total_percent": ("% of all", "% av alla", "percent"),
    "pct_of_respondents": ("% of respondents", "% av de svarande", "percent"),
    "pct_of_responses": ("% of answers", "% av svaren", "percent"),
    "followed": ("% followed up", "% med uppföljning", "percent"),
    "lost": ("% lost", "% bortfall", "percent"),
    "mean": ("M", "M", "descriptive"),
    "sd": ("SD", "SD", "descriptive"),
    "median": ("Mdn", "Md", "descriptive"),
    "q1": ("Q1", "K1", "descriptive"),
    "q3": ("Q3", "K3", "descriptive"),
    "min": ("Min", "Min", "descriptive"),
    "max": ("Max", "Max", "descriptive"),
    "expected": ("Expected n", "Förväntat antal", "descriptive"),
    "adj_residual": ("Adjusted residual", "Justerad residual", "statistic"),
    "std_residual": ("Standardised residual", "Standardiserad residual", "statistic"),
    "ss": ("SS", "KvS", "descriptive"),
    "ms": ("MS", "MKv", "descriptive"),
    "value_0": ("Baseline", "Baslinje", "descriptive"),
    "value_1": ("Follow-up", "Uppföljning", "descriptive"),
    "statistic": ("Test statistic", "Testvärde", "statistic"),
    "unlinked_statistic": ("Test statistic (all)", "Testvärde (alla)", "statistic"),
    "linked_statistic": ("Test statistic (linked)", "Testvärde (länkade)", "statistic"),
    "lr_chi2": ("LR χ²", "LR χ²", "statistic"),
    "df": ("df", "fg", "df"),
    "df1": ("df₁", "fg₁", "df"),
    "df2": ("df₂", "fg₂", "df"),
    "df_resid": ("Residual df", "Residual-fg", "df"),
    "p": ("p", "p", "p"),
    "p_anova": ("p (ANOVA)", "p (ANOVA)", "p"),
    "linked_p": ("p (linked)", "p (länkade)", "p"),
    "linked_p_t": ("p (paired t)", "p (parat t-test)", "p"),
    "linked_p_bowker": ("p (Bowker)", "p (Bowker)", "p"),
    "unlinked_p": ("p (all)", "p (alla)", "p"),
    "unlinked_p_mw": ("p (Mann–Whitney)", "p (Mann–Whitney)", "p"),
    "p_alpha": ("p (α = 0)", "p (α = 0)", "p"),
    "estimate": ("Estimate", "Skattning", "estimate"),
    "change": ("Change", "Förändring", "estimate"),
    "linked_change": ("Change (linked)", "Förändring (länkade)", "estimate"),
    "se": ("SE", "SE", "estimate"),
    "conf_low": ("CI lower", "KI nedre", "estimate"),
    "conf_high": ("CI upper", "KI övre", "estimate"),
    "linked_conf_low": ("CI lower (linked)", "KI nedre (länkade)", "estimate"),
    "linked_conf_high": ("CI upper (linked)", "KI övre (länkade)", "estimate"),
    "smd": ("SMD", "SMD", "effect"),
    "d_z": ("dz", "dz", "effect"),
    "cramers_v": ("V", "V", "bounded"),
    "epsilon_squared": ("ε²", "ε²", "bounded"),
    "r_squared": ("R²", "R²", "bounded"),
    "adj_r_squared": ("Adjusted R²", "Justerat R²", "bounded"),
    "nagelkerke_r2": ("Nagelkerke R²", "Nagelkerkes R²", "bounded"),
    "cox_snell_r2": ("Cox–Snell R²", "Cox–Snells R²", "bounded"),
    "item_rest_r": ("Item–rest r", "r mot övriga frågor", "bounded"),
    "alpha_if_deleted": ("α without the item", "α utan frågan", "bounded"),
    "beta": ("β", "β", "estimate"),
    "minus2ll": ("−2LL", "−2LL", "descriptive"),
    "log_likelihood": ("Log likelihood", "Log-likelihood", "descriptive"),
    "aic": ("AIC", "AIC", "descriptive"),
    "deviance": ("Deviance", "Devians", "descriptive"),
    "pearson_chi2": ("Pearson χ²", "Pearsons χ²", "statistic"),
    "dispersion": ("Dispersion", "Dispersion", "descriptive"),
    "alpha": ("α", "α", "estimate"),
    "sigma": ("σ", "σ", "descriptive"),
    "whisker_low": ("Lower whisker", "Nedre morrhår", "descriptive"),
    "whisker_high": ("Upper whisker", "Övre morrhår", "descriptive"),
}
