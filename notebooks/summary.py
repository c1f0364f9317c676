# %% [raw]
# ---
# title: "Findings"
# ---

# %%
#| include: false
# %matplotlib inline
# %config InlineBackend.print_figure_kwargs = {"bbox_inches": None}
from pathlib import Path

import matplotlib.pyplot as plt

from readmission import charts, findings, presentation as show
from readmission.data.reference import load_reference
from readmission.params import load_method
from readmission.project import Project

charts.use_house_style()

# %% tags=["parameters"]
#| include: false
# Parameters (papermill): where the countries' results files are (published view), and the
# restricted store of full results (per-state values; only counts derived from them are shown).
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
failed = [c for c in run["countries"] if not c["ok"]]

# %%
#| echo: false
show.banner(label)
edition = run["edition"]
print(f"Edition: data year {edition['data_year']}, countries selected on {edition['selection_year']} "
      f"return decisions (more than {edition['threshold']:,}), visa status and reporting states on "
      f"{edition['reference_date']}. Countries assessed: {len(results)} of {len(run['countries'])} selected.")
if failed:
    print("Not assessed (run failed): " + ", ".join(f"{c['country']} ({c['error']})" for c in failed))

# %%
#| echo: false
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
#| echo: false
shares = findings.level_shares(countries)
show.table(shares, percent_columns=("share",))

# %% [markdown]
# ## All countries
#
# Public indicators per country (EU+ totals), the level, and context. The effective return rate is
# returns to third countries over return decisions (Eurostat); acceptance and issuance rates are
# EU-level aggregates of confidential statistics.

# %%
#| echo: false
show.table(countries.drop(columns=["level_short"]), max_rows=200,
           percent_columns=("effective_return_rate", "acceptance_rate", "issuance_rate"))

# %%
#| echo: false
#| fig-alt: "Scatter plot of each country's effective return rate against its number of return decisions, coloured by cooperation level."
fig = charts.rate_against_decisions(countries, label)
plt.show()

# %% [markdown]
# ## Do instruments help?
#
# Levels of the countries by the strongest EU readmission instrument in force on the reference date
# (agreement > arrangement > readmission clause > none).

# %%
#| echo: false
show.table(findings.levels_by(countries, "instrument").reset_index())

# %% [markdown]
# ## Main obstacles
#
# For each practical-cooperation item of Article 25a(2)(d): in how many countries it has the lowest
# EU-level mean answer.

# %%
#| echo: false
show.banner(label)
show.table(findings.worst_items(results))

# %% [markdown]
# ## Readmission case management systems (RCMS)
#
# Levels of countries with an RCMS in place by the reference date (launched by then, or launched on
# a date not known: "in place, date unknown"), against those without ("none").

# %%
#| echo: false
show.table(findings.levels_by(countries, "rcms").reset_index())

# %% [markdown]
# ## Irregular arrivals
#
# Context: detections of illegal border crossings (Frontex) in the data year, largest first.

# %%
#| echo: false
show.table(countries.sort_values("irregular_crossings", ascending=False, na_position="last")
           [["country", "name", "irregular_crossings", "level"]].head(15))

# %% [markdown]
# ## Article 25a visa measures
#
# Measures proposed and adopted under Article 25a(5) and (6) (all years in the reference table; the
# first were proposed in July 2021).

# %%
#| echo: false
measures = load_reference(project.reference).visa_measures
show.table(measures[["iso2", "name", "article", "proposal_date", "decision_date", "applies_from",
                     "repealed_date"]])

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
# Each setting of `params/method.yml` named under `robustness` is moved across its range, the others
# kept, and the countries whose level changes are counted.

# %%
#| echo: false
full = findings.read_results(Path(restricted_dir), list(results)) if restricted_dir else results
show.table(findings.robustness(full, method))
