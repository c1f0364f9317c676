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

from readmission.pages import charts, presentation as show
from readmission.method import cooperation
from readmission.method import indicators as ind
from readmission.method.assessment import (REQUEST_COUNTS, assess_country, assess_public, forced_returns,
                                    rating_indicators, trend_table)
from readmission.method.disclosure import aggregate_states, confidential_rate, left_out_text, states_without_decisions
from readmission.inputs.loading import load_inputs, load_public_inputs
from readmission.method.release import read_country
from readmission.settings.judgement import load_country_params
from readmission.settings.params import load_edition, load_method
from readmission.base.paths import Project
from readmission.method.rating import country_level, rate_states
from readmission.method.results import write_results

charts.use_house_style()

# %% tags=["parameters"]
#| include: false
# Parameters (papermill). The defaults run on the committed SYNTHETIC fixture.
country = "IQ"                          # Eurostat code of the third country
year = 2016                             # data year of the edition
public_dir = "../data/fixture/public"   # public statistics; the default is a synthetic fixture
restricted_dir = "../data/fixture/confidential/2016"  # confidential inputs (restricted pages); SYNTHETIC default
release = ""                            # public pages: the edition's release; then no confidential input is read
results_dir = ""                        # where to write <CODE>.json and <CODE>.csv; empty: do not write
outside_selection = False               # True: a country the edition did not select, run on request

# %%
#| include: false
project = Project.default()
edition = load_edition(year, project)
method = load_method(project)
country_params = load_country_params(project, country)
settings = dict(note=country_params["note"], entry=country_params["assessment"].get(year))
if release:  # a public page: public data and the disclosure-checked release, nothing else
    inputs = load_public_inputs(project, edition, method, public_dir=Path(public_dir))
    a = assess_public(inputs, country, read_country(Path(release), country), **settings)  # the results file
else:
    inputs = load_inputs(project, edition, method, [country], public_dir=Path(public_dir),
                         restricted_dir=Path(restricted_dir) if restricted_dir else None)
    a = assess_country(inputs, country, **settings)  # the results file
states, public, confidential = inputs.states, inputs.public, inputs.confidential

# %%
#| echo: false
if a.public_synthetic:
    show.banner("SYNTHETIC TEST FIXTURE: the public statistics on this page are invented")
show.banner(a.synthetic_label)
outside = show.outside_selection(inputs, country) if outside_selection else ""
show.review_banner(a)
show.overview(a)

# %% [markdown]
# ## (a) Return decisions
#
# Article 25a(2)(a): the number of return decisions issued to nationals of the country, illegally
# staying in the Member States. Source: Eurostat `migr_eiord` (third-country nationals ordered to
# leave), per reporting state; *n/a* = not available (never read as 0). Flags are shown as marks
# after a value and explained under each table.

# %%
#| echo: true
#| code-fold: true
#| code-summary: "How this was computed"
decisions = ind.return_decisions(public.decisions.observations, country, year, states)
trend = trend_table(inputs, country)  # every year of either series, summed over the per-state tables
show.table(trend, "trend", "Return decisions and returns per year, summed over the reporting states")
show.sources(inputs, "migr_eiord", "migr_eirtn")

# %%
#| echo: false
#| fig-alt: "Line chart of return decisions and returns to third countries per year, summed over the reporting states; years without data are gaps."
fig = charts.decisions_and_returns(trend, a.name)
plt.show()
show.figure_caption(charts.trend_finding(trend, year))

# %% [markdown]
# ## (b) Returns carried out as a share of return decisions
#
# The **effective return rate** = returns to a third country (Eurostat `migr_eirtn`, `c_dest` = THRD)
# / return decisions (`migr_eiord`), same year and reporting state. A rate with no decisions is
# undefined (n/a); returns above decisions (returns of earlier years' decisions) are kept and
# flagged, never capped; states with few decisions are flagged as small numbers. The offline
# `migr_eirtn` copy dropped its zero rows: the returns basis says when an absent row was read as 0
# (the state reported returns that year) or as not reported. The EU+ rate uses only the states that
# report both series.

# %%
#| echo: true
#| code-fold: true
#| code-summary: "How this was computed"
returns = ind.returns_carried_out(public.returns.observations, country, year, states, method.absent_returns)
rates = ind.effective_return_rate(decisions, returns, method.small_numbers)
eu = ind.aggregate_rate(rates, "returns", "return_decisions")
assert eu == a.eu_return_rate  # the figure of the results file
show.formula("Effective return rate", eu, "returns", "return decisions")
show.text(show.reconciliation(trend, rates, year))
show.table(rates, "return-rates", f"Effective return rate by reporting state, {year}",
           columns=["reporting_state", "return_decisions", "returns", "returns_basis", "effective_return_rate",
                    "returns_exceed_decisions", "small_numbers"])

# %%
#| echo: false
#| fig-alt: "Horizontal bar chart of the effective return rate per reporting state, with the EU+ rate as a dashed line; bars above 150 % are cut and labelled with their value."
fig = charts.return_rate_by_state(rates, a.name, year, eu.rate)
plt.show()
show.figure_caption(charts.rate_finding(rates, eu.rate))

# %% [markdown]
# ## (c) Readmission requests accepted
#
# Article 25a(2)(c): readmission requests accepted as a share of those submitted
# (**acceptance rate**), and travel documents issued per request submitted (**issuance rate**).
# Source: Member States' confidential readmission statistics. Both rates are taken over one common
# set of states: those reporting every count that have return decisions for the data year. A public
# page shows them as the edition's release gives them, after the disclosure rules (Methodology).

# %%
#| echo: true
#| code-fold: true
#| code-summary: "How this was computed"
if a.released:  # public page: the release's figures (readmission.method.release, from the restricted phase)
    acceptance, issuance = a.eu_acceptance, a.eu_issuance
else:
    requests = ind.readmission_requests(confidential.statistics, country, year, states)
    submitted, accepted, issued = REQUEST_COUNTS
    shared = aggregate_states(requests, REQUEST_COUNTS, rates)  # one set of states for both rates
    rules = (method.min_states_for_aggregate, method.dominance_share)
    acceptance = confidential_rate(requests, accepted, submitted, shared, *rules)
    issuance = confidential_rate(requests, issued, submitted, shared, *rules)
    assert (acceptance, issuance) == (a.eu_acceptance, a.eu_issuance)
show.formula("Acceptance rate", acceptance, "requests accepted", "requests submitted")
show.formula("Issuance rate", issuance, "travel documents issued", "requests submitted")
show.text(left_out_text(rates, year))
show.withheld("readmission statistics")

# %% tags=["restricted"]
#| echo: false
show.banner(a.synthetic_label)
show.table(requests, "requests", f"Readmission requests by reporting state, {year} (RESTRICTED)")

# %% [markdown]
# ## (d) Practical cooperation
#
# Article 25a(2)(d): (i) identification and timely issuance of travel documents, (ii) acceptance of the
# EU laissez-passer, (iii) acceptance of readmission, (iv) acceptance of return flights and
# operations. Member States answer each on a scale of 1 (very poor) to 5 (very good); blank = no
# answer. EU-level figures need a minimum number of answering states.

# %%
#| echo: true
#| code-fold: true
#| code-summary: "How this was computed"
if a.released:  # public page: the release's item summary (means to one decimal, class rule applied)
    items = a.items
else:
    answers = cooperation.answers(confidential.questionnaire, country, year, states)
    answered = cooperation.without_states(answers, states_without_decisions(rates))  # as for (c)
    items = cooperation.item_summary(answered, method.min_states_for_aggregate, method.poor_answer)
show.table(items, "items", f"Practical cooperation by item, EU level, {year}",
           notes=(f"An answer at or below {method.poor_answer} counts as poor.",))
show.withheld("questionnaire answers")

# %% tags=["restricted"]
#| echo: false
show.banner(a.synthetic_label)
show.table(cooperation.answered(answers), "answers", f"Practical cooperation: each state's answers, {year} (RESTRICTED)",
           columns=["reporting_state", *cooperation.ITEM_COLUMNS, "practical_cooperation"],
           notes=("Answers from 1 (very poor) to 5 (very good), coloured on that scale; n/a: no answer.",))

# %% [markdown]
# Public evidence for (iv): return operations to the country coordinated by Frontex (charter
# flights mostly), from Frontex documents released to Statewatch: a subset of all returns.

# %%
#| echo: true
#| code-fold: true
#| code-summary: "How this was computed"
operations = a.operations if public.operations is None else cooperation.return_operations(public.operations, country, until=year)
show.operations(operations, cooperation.voluntary_note(operations))

# %%
#| echo: false
#| fig-alt: "Bar chart of persons returned on Frontex-coordinated forced-return operations to the country, per year, on a continuous year axis."
if not operations.empty:
    fig = charts.return_operations_chart(operations, a.name)
    plt.show()
show.figure_caption(charts.operations_finding(operations))

# %% [markdown]
# ## Context
#
# Irregular border crossings (Frontex detections, not persons), asylum applications (Eurostat
# `migr_asyappctza`), EU readmission instruments in force on the reference date, readmission case
# management systems (RCMS) and Article 25a visa measures. Context does not enter the rating.

# %%
#| echo: false
show.context(a, inputs)

# %% [markdown]
# ## Rating
#
# Each state concerned by the country is rated from its indicators; the country's level counts the
# rated states.

# %%
#| echo: false
show.rating_rules(method)

# %%
#| echo: true
#| code-fold: true
#| code-summary: "How this was computed"
if a.released:  # public page: the level and the class counts the release gives
    level = a.level
else:
    forced = forced_returns(confidential.statistics, country, year)  # confidential; else the public rate
    indicators = rating_indicators(rates, forced, requests, answers)
    ratings = rate_states(indicators, method)
    level = country_level(ratings, method)
    assert level == a.level
show.text(show.level_counts(level))
show.method(method)
show.withheld("ratings")

# %% tags=["restricted"]
#| echo: false
show.table(ratings, "state-ratings", f"Rating by reporting state, {year} (RESTRICTED)")

# %% [markdown]
# ## Assessment
#
# The rating method proposes a level; the Commission's analysts weigh it with what Member States
# and EU delegations report, and may assess another level, with a justification, which a reviewer
# signs off; the [Audit](../../../audit.qmd) page lists every entry.

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
if charts.draws_trajectory(across):
    fig = charts.trajectory_chart(across, a.name)
    plt.show()
show.figure_caption(charts.trajectory_finding(across))

# %%
#| echo: false
if results_dir:
    write_results(a, inputs, Path(results_dir), outside_selection=outside)
show.downloads(a.country)
