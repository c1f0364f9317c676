# %% [raw]
# ---
# title: "Country assessment (template)"
# ---

# %%
#| include: false
# %matplotlib inline
# %config InlineBackend.print_figure_kwargs = {"bbox_inches": None}
from pathlib import Path

import matplotlib.pyplot as plt

from readmission import charts, presentation as show
from readmission.assessment import assess_country
from readmission.inputs import load_inputs
from readmission.params import load_country_params, load_edition, load_method
from readmission.project import Project
from readmission.results import write_results

charts.use_house_style()

# %% tags=["parameters"]
#| include: false
# Parameters (papermill). The defaults run on the committed SYNTHETIC fixture.
country = "IQ"                          # Eurostat code of the third country
year = 2016                             # data year of the edition
public_dir = "../data/fixture/public"   # public statistics; the default is a synthetic fixture
restricted_dir = "../data/fixture/confidential/2016"  # confidential inputs; the default is SYNTHETIC
results_dir = ""                        # where to write <CODE>.json and <CODE>.csv; empty: do not write
outside_selection = False               # True: a country the edition did not select, run on request

# %%
#| include: false
project = Project.default()
edition = load_edition(year, project)
method = load_method(project)
inputs = load_inputs(project, edition, method, [country], public_dir=Path(public_dir),
                     restricted_dir=Path(restricted_dir) if restricted_dir else None)
country_params = load_country_params(project, country)
a = assess_country(inputs, country, note=country_params["note"], entry=country_params["assessment"].get(year))

# %%
#| echo: false
if a.public_synthetic:
    show.banner("SYNTHETIC TEST FIXTURE: the public statistics on this page are invented")
show.banner(a.synthetic_label)
if outside_selection:
    show.outside_selection(inputs, country)
show.review_banner(a)
show.overview(a)

# %% [markdown]
# ## (a) Return decisions
#
# Article 25a(2)(a): the number of return decisions issued to nationals of the country, illegally
# staying in the Member States. Source: Eurostat `migr_eiord` (third-country nationals ordered to
# leave), per reporting state; `n/a` = not available (never read as 0). Flags: `p` provisional,
# `e` estimated, `b` break in series, `c` confidential, `d` definition differs, `u` low reliability.

# %%
#| echo: false
show.table(a.decisions_trend)

# %%
#| echo: false
#| fig-alt: "Line chart of return decisions and returns to third countries per year, summed over the reporting states."
fig = charts.decisions_and_returns(a.decisions_trend, a.name)
plt.show()

# %% [markdown]
# ## (b) Returns carried out as a share of return decisions
#
# The **effective return rate** = returns to a third country (Eurostat `migr_eirtn`, `c_dest` = THRD)
# / return decisions (`migr_eiord`), same year and reporting state. A rate with no decisions is
# undefined (n/a); returns above decisions (returns of earlier years' decisions) are kept and
# flagged, never capped; states with few decisions are flagged as small numbers. The offline
# `migr_eirtn` copy dropped its zero rows: `returns_basis` says when an absent row was read as 0
# (the state reported returns that year) or as not reported. The EU+ rate uses only the states that
# report both series.

# %%
#| echo: false
show.formula("Effective return rate", a.eu_return_rate, "returns", "return decisions")
show.table(a.return_rates[["reporting_state", "return_decisions", "return_decisions_flags", "returns",
                           "returns_basis", "effective_return_rate", "returns_exceed_decisions",
                           "small_numbers"]], percent_columns=("effective_return_rate",))
print(show.source_line(inputs, "migr_eiord"))
print(show.source_line(inputs, "migr_eirtn"))

# %%
#| echo: false
#| fig-alt: "Horizontal bar chart of the effective return rate per reporting state."
fig = charts.return_rate_by_state(a.return_rates, a.name, a.year)
plt.show()

# %% [markdown] tags=["restricted"]
# ## (c) Readmission requests accepted
#
# Article 25a(2)(c): readmission requests accepted as a share of those submitted
# (**acceptance rate**), and travel documents issued per request submitted (**issuance rate**).
# Source: Member States' confidential readmission statistics.

# %% tags=["restricted"]
#| echo: false
show.banner(a.synthetic_label)
show.table(a.requests, percent_columns=("acceptance_rate", "issuance_rate"))

# %%
#| echo: false
show.formula("Acceptance rate", a.eu_acceptance, "requests accepted", "requests submitted")
show.formula("Issuance rate", a.eu_issuance, "travel documents issued", "requests submitted")

# %% [markdown]
# ## (d) Practical cooperation
#
# Article 25a(2)(d): (i) identification and timely issuance of travel documents, (ii) acceptance of the
# EU laissez-passer, (iii) acceptance of readmission, (iv) acceptance of return flights and
# operations. Member States answer each on a scale of 1 (very poor) to 5 (very good); blank = no
# answer. EU-level figures need a minimum number of answering states.

# %% tags=["restricted"]
#| echo: false
#| fig-alt: "Heatmap of each reporting state's answers on the four practical-cooperation items, on a scale of 1 to 5."
show.banner(a.synthetic_label)
fig = charts.cooperation_heatmap(a.answers, a.name, a.synthetic_label)
plt.show()

# %%
#| echo: false
show.table(a.items)

# %% [markdown]
# Public evidence for (iv): return operations to the country coordinated by Frontex (charter
# flights mostly), from Frontex documents released to Statewatch: a subset of all returns.

# %%
#| echo: false
#| fig-alt: "Bar chart of persons returned on Frontex-coordinated return operations to the country, per year."
show.operations(a)
fig = charts.return_operations_chart(a.operations, a.name)
plt.show()

# %% [markdown]
# ## Context
#
# Irregular border crossings (Frontex detections, not persons), asylum applications (Eurostat
# `migr_asyappctza`), EU readmission instruments in force on the reference date, readmission case
# management systems (RCMS) and Article 25a visa measures.

# %%
#| echo: false
show.context(a, inputs)

# %% [markdown]
# ## Rating
#
# Each concerned state (at least `min_decisions_concerned` return decisions) is scored from its
# indicators, each component 0 at `poor` and 1 at `good`, linear between, weighted; missing components
# are left out. Score at least `good_from`: good; below `poor_below`: poor; else average. The
# country's level counts the rated states (settings: `params/method.yml`).

# %% tags=["restricted"]
#| echo: false
show.method(method)
show.table(a.state_ratings)

# %%
#| echo: false
print(f"Rated states: {a.level.states_rated}; good {a.level.states_good}, average "
      f"{a.level.states_average}, poor {a.level.states_poor}. Level: {a.level.level}.")

# %% [markdown]
# ## Assessment
#
# The rating method proposes a level; the Commission's analysts weigh it with what Member States
# and EU delegations report, and may assess another level, with a justification, which a reviewer
# signs off (`params/countries/<CODE>.yml`, `assessment:`).

# %%
#| echo: false
show.judgement(a)

# %% [markdown]
# ## Across editions
#
# The country in every edition run so far, this one included: whether it was selected and why
# (return decisions in the selection year against the threshold, visa status), its level, and the
# EU-level indicators (confidential ones only as published aggregates). Article 25a(5) and (8) ask
# the Commission to weigh the steps a country has taken since the last assessment.

# %%
#| echo: false
#| fig-alt: "Line chart of the country's EU+ effective return rate in each edition, each point coloured by that edition's cooperation level."
across = show.trajectory(project, a, inputs)
fig = charts.trajectory_chart(across, a.name)
plt.show()

# %%
#| echo: false
if results_dir:
    write_results(a, inputs, Path(results_dir))
show.downloads(a.country)
