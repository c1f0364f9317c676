# %% [raw]
# ---
# title: "Findings"
# ---

# %%
#| include: false
# %matplotlib inline
# %config InlineBackend.print_figure_kwargs = {"bbox_inches": None}
from pathlib import Path

from readmission.pages import charts, presentation as show
from readmission.method import findings
from readmission.data.reference import load_reference
from readmission.settings.params import load_method
from readmission.base.paths import Project

charts.use_house_style()

# %% tags=["parameters"]
#| include: false
# Parameters (papermill): where the countries' results files are (published view), and, for the
# restricted findings only, the store of full results (a public summary reads released figures only).
countries_dir = "countries"
restricted_dir = ""

# %%
#| include: false
project = Project.default()
method = load_method(project)
run = findings.read_run(Path(countries_dir))
results = findings.read_results(Path(countries_dir), [c["country"] for c in run["countries"]])
countries = findings.country_table(results)
label = findings.synthetic_label(results)

# %%
#| echo: false
show.banner(label)
show.edition(run, len(results))
show.bullets(findings.headlines(countries, findings.worst_items(results))
             + findings.assessment_findings(countries))

# %% [markdown]
# ## Overall level of cooperation
#
# How many countries fall in each level. For comparison, the first real assessment (data year
# 2019) found roughly a third of the countries in each level: Commission Communication COM(2021) 56
# of 10 February 2021, "Enhancing cooperation on return and readmission as part of a fair, effective
# and comprehensive EU migration policy"
# ([EUR-Lex 52021DC0056](https://eur-lex.europa.eu/legal-content/EN/ALL/?uri=CELEX%3A52021DC0056)).

# %%
#| echo: true
#| code-fold: true
#| code-summary: "How this was computed"
shares = findings.level_shares(countries)  # countries per level, over the countries assessed
show.table(shares, "levels", "Countries by cooperation level", columns=["level", "countries", "share"])

# %%
#| echo: false
#| fig-alt: "Dot chart of the number of countries in each cooperation level, from works well to needs improvement."
fig = charts.levels_dot_chart(shares, label)
show.chart()

# %% [markdown]
# ## All countries
#
# Public indicators per country (EU+ totals), the level, and context. The effective return rate is
# returns to third countries over return decisions (Eurostat); acceptance and issuance rates are
# EU-level aggregates of confidential statistics.

# %%
#| echo: false
show.table(countries, "countries", "All countries assessed: level and indicators",
           columns=["name", "level", "return_decisions", "effective_return_rate", "acceptance_rate",
                    "issuance_rate", "states_rated"],
           notes=("suppressed (confidentiality): an EU-level figure withheld under the disclosure rules "
                  "(Methodology, confidentiality and disclosure control); n/a: not available.",))
show.table(countries, "countries-context", "All countries assessed: context",
           columns=["name", "level", "instrument", "rcms", "irregular_crossings", "visa_measures"])

# %%
#| echo: false
#| fig-alt: "Scatter plot of each country's effective return rate against its number of return decisions, coloured by cooperation level."
fig = charts.rate_against_decisions(countries, label)
show.chart()

# %% [markdown]
# ## Do instruments help?
#
# Levels of the countries by the strongest EU readmission instrument in force on the reference date
# (agreement > arrangement > readmission clause > none).

# %%
#| echo: true
#| code-fold: true
#| code-summary: "How this was computed"
by_instrument = findings.levels_by(countries, "instrument").reset_index()
show.table(by_instrument, "instruments", "Countries by strongest EU instrument and cooperation level")

# %% [markdown]
# ## Main obstacles
#
# For each practical-cooperation item of Article 25a(2)(d): in how many countries it has the lowest
# EU-level mean answer.

# %%
#| echo: true
#| code-fold: true
#| code-summary: "How this was computed"
obstacles = findings.worst_items(results)  # from each country's EU-level item means, as published
show.banner(label)
show.table(obstacles, "obstacles", "Practical-cooperation items rated worst")

# %% [markdown]
# ## Readmission case management systems (RCMS)
#
# Levels of countries with an RCMS in place by the reference date (launched by then, or launched on
# a date not known: "in place, date unknown"), against those without ("none").

# %%
#| echo: true
#| code-fold: true
#| code-summary: "How this was computed"
by_rcms = findings.levels_by(countries, "rcms").reset_index()
show.table(by_rcms, "rcms", "Countries by RCMS and cooperation level")

# %% [markdown]
# ## Irregular arrivals
#
# Context: detections of illegal border crossings (Frontex) in the data year, largest first.

# %%
#| echo: true
#| code-fold: true
#| code-summary: "How this was computed"
largest = countries.sort_values("irregular_crossings", ascending=False, na_position="last").head(15)
show.table(largest, "arrivals", "Irregular border crossings in the data year, 15 largest",
           columns=["name", "irregular_crossings", "level"])

# %% [markdown]
# ## Article 25a visa measures
#
# Measures proposed and adopted under Article 25a(5) and (6) (all years in the reference table; the
# first were proposed in July 2021).

# %%
#| echo: false
show.table(findings.visa_measures(load_reference(project.reference).visa_measures), "measures",
           "Article 25a visa measures")

# %% [markdown]
# ## Across editions
#
# How many countries fell in each level in every edition run so far, how many moved from one level
# to another between consecutive editions (a country outside an edition's selection counts as "not
# selected"), and what changed since the previous edition. Only published figures are compared:
# components and counts of states, never a Member State's value or rating.

# %%
#| echo: false
show.editions_findings(project, run, results)

# %% [markdown]
# ## Robustness
#
# Each rating setting below is moved across a range of values, the others kept, and the countries
# whose level changes are counted.

# %%
#| echo: true
#| code-fold: true
#| code-summary: "How this was computed"
if restricted_dir:  # restricted findings: recomputed from every state's indicators
    moves = findings.robustness(findings.read_results(Path(restricted_dir), list(results)), method)
else:  # public findings: the levels the release gives under each setting (some withheld)
    moves = findings.released_robustness(results)
show.table(moves, "robustness", "Countries changing level when one setting moves",
           notes=("countries withheld: the level under that setting is not released, because fewer than "
                  f"{method.min_states_for_aggregate} states' ratings differ (Methodology, disclosure).",))

# %% [markdown]
# ## Designations

# %%
#| echo: false
show.designations()
