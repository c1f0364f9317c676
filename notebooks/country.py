# %% [raw]
# ---
# title: "Country assessment (template)"
# ---

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
# %matplotlib inline
# %config InlineBackend.print_figure_kwargs = {"bbox_inches": None}
from pathlib import Path

from readmission.base.paths import Project
from readmission.inputs.loading import load_inputs, load_public_inputs
from readmission.method import cooperation
from readmission.method.assessment import assemble, synthetic_label
from readmission.method.disclosure import left_out_text
from readmission.method.release import read_country
from readmission.method.results import write_results
from readmission.method.sections import (context_tables, practical_cooperation, rating, readmission_rates,
                                         return_operations, return_rates, trend_table)
from readmission.method.vocabulary import country_name
from readmission.pages import charts, presentation as show
from readmission.settings.judgement import load_country_params
from readmission.settings.params import load_edition, load_method

charts.use_house_style()

project = Project.default()
edition = load_edition(year, project)
method = load_method(project)
country_params = load_country_params(project, country)
if release:  # a public page: public data and the disclosure-checked release, nothing else
    inputs = load_public_inputs(project, edition, method, public_dir=Path(public_dir))
    released = read_country(Path(release), country)
else:
    inputs = load_inputs(project, edition, method, [country], public_dir=Path(public_dir),
                         restricted_dir=Path(restricted_dir) if restricted_dir else None)
    released = None
requests = answers = rated = None  # per-state confidential tables: computed on restricted pages only
name, label = country_name(country), synthetic_label(inputs, released)

# %%
#| echo: false
if inputs.public.synthetic:
    show.banner("SYNTHETIC TEST FIXTURE: the public statistics on this page are invented")
show.banner(label)
outside = show.outside_selection(inputs, country) if outside_selection else ""
overview = show.placeholder()  # the level and the review status, filled in once Assessment has them

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
#| fig-alt: "Line chart of return decisions and returns to third countries per year, summed over the reporting states; years without data are gaps."
trend = trend_table(inputs, country)  # every year of either series, summed over the per-state tables
show.table(trend, "trend", "Return decisions and returns per year, summed over the reporting states")
show.sources(inputs, "migr_eiord", "migr_eirtn")
fig = charts.decisions_and_returns(trend, name)
show.chart()
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
#| fig-alt: "Horizontal bar chart of the effective return rate per reporting state, with the EU+ rate as a dashed line; bars above 150 % are cut and labelled with their value."
rates, eu = return_rates(inputs, country)  # per reporting state, and EU+ over states reporting both
show.formula("Effective return rate", eu, "returns", "return decisions")
show.text(show.reconciliation(trend, rates, year))
show.table(rates, "return-rates", f"Effective return rate by reporting state, {year}",
           columns=["reporting_state", "return_decisions", "returns", "returns_basis", "effective_return_rate",
                    "returns_exceed_decisions", "small_numbers"])
fig = charts.return_rate_by_state(rates, name, year, eu.rate)
show.chart()
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
if released:  # public page: the release's figures (readmission.method.release, from the restricted phase)
    acceptance, issuance = released.acceptance, released.issuance
else:  # one common set of states for both rates
    requests, acceptance, issuance = readmission_rates(inputs, country, rates)
show.formula("Acceptance rate", acceptance, "requests accepted", "requests submitted")
show.formula("Issuance rate", issuance, "travel documents issued", "requests submitted")
show.text(left_out_text(rates, year))
show.withheld("readmission statistics")

# %% tags=["restricted"]
#| echo: false
show.banner(label)
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
if released:  # public page: the release's item summary (means to one decimal, class rule applied)
    items = released.items
else:  # the EU-level items over the states with return decisions, as for (c)
    answers, items = practical_cooperation(inputs, country, rates)
show.table(items, "items", f"Practical cooperation by item, EU level, {year}",
           notes=(f"An answer at or below {method.poor_answer} counts as poor.",))
show.withheld("questionnaire answers")

# %% tags=["restricted"]
#| echo: false
show.banner(label)
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
#| fig-alt: "Bar chart of persons returned on Frontex-coordinated forced-return operations to the country, per year, on a continuous year axis."
operations = return_operations(inputs, country)
show.operations(operations, cooperation.voluntary_note(operations))
if not operations.empty:
    fig = charts.return_operations_chart(operations, name)
    show.chart()
show.figure_caption(charts.operations_finding(operations))

# %% [markdown]
# ## Context
#
# Irregular border crossings (Frontex detections, not persons), asylum applications (Eurostat
# `migr_asyappctza`), EU readmission instruments in force on the reference date, readmission case
# management systems (RCMS) and Article 25a visa measures. Context does not enter the rating.

# %%
#| echo: false
context = context_tables(inputs, country)
show.context(context, inputs)

# %% [markdown]
# ## Rating
#
# Each state concerned by the country is rated from its indicators; the country's level counts the
# rated states.

# %%
#| echo: true
#| code-fold: true
#| code-summary: "How this was computed"
show.rating_rules(method)
if released:  # public page: the level and the class counts the release gives
    level = released.level
else:  # the return rate from forced returns where a state gave them (confidential), else the public rate
    rated = rating(inputs, country, rates, requests, answers)
    level = rated.level
show.text(show.level_counts(level))
show.method(method)
show.withheld("ratings")

# %% tags=["restricted"]
#| echo: false
show.table(rated.state_ratings, "state-ratings", f"Rating by reporting state, {year} (RESTRICTED)")

# %% [markdown]
# ## Assessment
#
# The rating method proposes a level; the Commission's analysts weigh it with what Member States
# and EU delegations report, and may assess another level, with a justification, which a reviewer
# signs off; the [Audit](../../../audit.qmd) page lists every entry.

# %%
#| echo: false
a = assemble(inputs, country, trend=trend, rates=rates, eu=eu, acceptance=acceptance, issuance=issuance, items=items,
             operations=operations, context=context, level=level, requests=requests, answers=answers, rated=rated,
             released=released, note=country_params["note"], entry=country_params["assessment"].get(year))
show.judgement(a)
show.overview(a, into=overview)

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
    fig = charts.trajectory_chart(across, name)
    show.chart()
show.figure_caption(charts.trajectory_finding(across))
if results_dir:
    write_results(a, inputs, Path(results_dir), outside_selection=outside)
show.downloads(a.country)
