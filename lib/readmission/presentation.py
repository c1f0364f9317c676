"""Small display helpers for the notebooks: readable tables and formulas, deterministic HTML."""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown, display

from .data.codes import DESIGNATION_FOOTNOTES
from .disclosure import SUPPRESSED
from .indicators import AggregateRate


def percent(value) -> str:
    """0.2534 -> '25.3 %'; missing -> 'n/a' (never 0)."""
    return "n/a" if value is None or pd.isna(value) else f"{float(value) * 100:.1f} %"


def table(frame: pd.DataFrame, percent_columns: tuple[str, ...] = (), max_rows: int = 60) -> None:
    """Show a frame with rates as percentages and NA as 'n/a' (plain HTML, no random ids)."""
    shown = frame.copy()
    for column in percent_columns:
        if column in shown:
            shown[column] = shown[column].map(percent)
    withheld = shown["suppressed"].fillna("").astype(str) != "" if "suppressed" in shown else None
    shown = shown.astype(object).where(shown.notna(), "n/a")
    if withheld is not None:  # disclosure control: a withheld figure is not "not available"
        shown = shown.mask(withheld.to_numpy()[:, None] & (shown == "n/a"), SUPPRESSED)
    with pd.option_context("display.max_rows", max_rows, "display.max_columns", 30, "display.width", 200):
        display(shown)


def banner(label: str) -> None:
    """A prominent warning that what follows is built on synthetic, illustrative inputs."""
    if label:
        display(Markdown(f"> **⚠ {label}.** Figures marked as such are illustrative only and "
                         "must not be read as real Member State data."))


def outside_selection(inputs, country: str) -> None:
    """A banner for a page run with --outside-selection: the country is not in the edition, and why."""
    from .selection import outside_reason, select_countries

    selection = select_countries(inputs.edition, inputs.public.decisions.observations, inputs.reference,
                                 inputs.method.near_miss_share)
    why = outside_reason(selection, country)
    if why:
        display(Markdown(f"> **⚠ Outside the selection.** {why}. This page was run on request "
                         "(`--outside-selection`); it is not part of the edition's assessment."))


def formula(name: str, aggregate: AggregateRate, numerator: str, denominator: str) -> None:
    """Spell out an EU+ rate: numerator / denominator = rate, over which states."""
    if aggregate.suppressed:
        text = f"**{name}** (EU+): {SUPPRESSED}: {aggregate.suppressed}."
    elif aggregate.rate is None:
        text = (f"**{name}** (EU+): not computed: {len(aggregate.states_included)} states report "
                "both parts, fewer than the method requires, or the denominator is 0.")
    else:
        text = (f"**{name}** (EU+) = {numerator} / {denominator} = {aggregate.numerator:,} / "
                f"{aggregate.denominator:,} = **{percent(aggregate.rate)}**, over the "
                f"{len(aggregate.states_included)} states reporting both")
        if aggregate.states_excluded:
            text += f" (left out: {', '.join(aggregate.states_excluded)})"
        text += "."
    display(Markdown(text))


def source_line(inputs, dataset: str) -> str:
    """One line naming a dataset's file, checksum and Eurostat LAST UPDATE, for traceability."""
    for entry in inputs.public.manifest:
        if entry["file"].endswith(f"{dataset}.csv"):
            return (f"Source: {entry['file']} (sha256 {entry['sha256'][:12]}..., Eurostat LAST UPDATE "
                    f"{entry['last_update'] or 'unknown'}, {entry['origin']})")
    return f"Source: {dataset} not in the inputs"


def operations(a) -> None:
    """(d)(iv) public evidence: forced-return operations per year, voluntary ones apart, said so."""
    from .cooperation import voluntary_note

    display(Markdown(voluntary_note(a.operations)))
    table(a.operations)


def context(a, inputs) -> None:
    """The context tables of a country page: arrivals, asylum, instruments, RCMS, measures."""
    method = inputs.method
    first, last = a.year - method.context_before, a.year + method.context_after
    if a.crossings is not None:
        display(Markdown(f"**Irregular border crossings** (Frontex detections, by year, {first}-{last})"))
        table(a.crossings[a.crossings["year"].between(first, last)])
    else:
        display(Markdown("Irregular border crossings: not available in the inputs."))
    if a.asylum is not None:
        display(Markdown(f"**Asylum applications** in the reporting states (Eurostat migr_asyappctza, "
                         f"{first}-{last})"))
        table(a.asylum[a.asylum["year"].between(first, last)])
    on = inputs.edition.reference_date
    display(Markdown(f"**EU readmission instruments in force on {on}** (strongest: "
                     f"{a.strongest_instrument.replace('_', ' ')})"))
    table(a.instruments) if not a.instruments.empty else display(Markdown("None."))
    display(Markdown(f"**RCMS in place by {on}:** " + ("none." if a.rcms.empty else "")))
    if not a.rcms.empty:
        table(a.rcms)
    display(Markdown(f"**Article 25a visa measures proposed by {on}:** " + ("none." if a.measures.empty else "")))
    if not a.measures.empty:
        table(a.measures)


def method(settings) -> None:
    """The rating settings in force, as a small table a reviewer can redo the rating with."""
    rows = [{"setting": f"component {name}", "value": f"weight {c.weight:g}, poor {c.poor:g}, good {c.good:g}"}
            for name, c in settings.components.items()]
    rows += [{"setting": key, "value": str(value)} for key, value in [
        ("min_decisions_concerned", settings.min_decisions_concerned),
        ("min_components", settings.min_components), ("good_from", settings.good_from),
        ("poor_below", settings.poor_below), ("most_share", settings.most_share),
        ("min_rated_states", settings.min_rated_states)]]
    table(pd.DataFrame(rows))


def escape_markdown(text: str) -> str:
    """Text shown as itself on a page: HTML escaped, Markdown and shortcode characters backslashed."""
    import html
    import re

    text = html.escape(" ".join(text.split()), quote=False)
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|$~])", r"\\\1", text)


def overview(a) -> None:
    """The page's first lines: the level, the counts behind it, and any note or footnote."""
    lines = [f"**{a.name} ({a.country}), data year {a.year}: {a.level.level}.**",
             f"States rated: {a.level.states_rated} (good {a.level.states_good}, average "
             f"{a.level.states_average}, poor {a.level.states_poor}); \"most\" means more than "
             f"{a.level.most_share:.0%} of the rated states."]
    if a.note:
        lines.append(f"Note: {escape_markdown(a.note)}")
    if a.country in DESIGNATION_FOOTNOTES:  # the asterisk shown, not read as emphasis
        lines.append("\\" + DESIGNATION_FOOTNOTES[a.country])
    if a.caveats:
        lines.append("Data caveats (data/reference/caveats.yml), applied to every table below: "
                     + "; ".join(escape_markdown(c) for c in a.caveats) + ".")
    display(Markdown("\n\n".join(lines)))


def downloads(country: str) -> None:
    """Links to the country's results files, which sit next to its page."""
    display(Markdown(f"**Downloads:** [{country}.json]({country}.json) (all results, with provenance) · "
                     f"[{country}.csv]({country}.csv) (indicators, one row per state and indicator)"))


def bullets(lines: list[str]) -> None:
    """Sentences as a markdown list (the summary's headline findings)."""
    display(Markdown("\n".join(f"- {line}" for line in lines)))


def trajectory(project, a, inputs):
    """The country's row in every edition so far (this one included): a table, returned for its chart.

    Earlier editions are read from the public results (aggregates only), so the section is the
    same on public and restricted pages."""
    from . import history
    from .results import public_results
    from .selection import select_countries

    selected = select_countries(inputs.edition, inputs.public.decisions.observations, inputs.reference,
                                inputs.method.near_miss_share)
    past = history.load_history(project, a.year - 1)
    records = history.with_current(past, a.year, inputs.edition.as_dict(), a.country,
                                   public_results(a), selected.candidates)
    table_ = history.country_trajectory(records, a.country)
    pages = [f"[{r.year}](../{r.year}/{a.country}.ipynb)" for r in past if a.country in r.results]
    if pages:
        display(Markdown(f"{a.name} in earlier editions: {' · '.join(pages)}."))
    if len(table_) == 1:
        display(Markdown(f"This is the first edition run for {a.name} in this project: later editions "
                         "add a row each."))
    table(table_, percent_columns=("eu_return_rate", "acceptance_rate", "issuance_rate"))
    return table_


def editions_findings(project, run: dict, results: dict[str, dict]) -> None:
    """Across editions: level shares per edition, transitions between levels, and what changed
    since the previous edition (selection, levels with the components that moved them, the largest
    changes in public indicators, revisions of the data). Public results only."""
    from . import history

    current = history.current_record(project, run, results)
    records = history.load_history(project, current.year - 1) + [current]
    display(Markdown(f"Editions compared: {', '.join(str(r.year) for r in records)}."))
    shares = history.level_shares_by_edition(records)
    table(shares.pivot(index="level", columns="edition", values="countries").reset_index())
    if len(records) == 1:
        display(Markdown("This is the first edition run in this project: there is nothing to compare yet."))
        return
    table(history.level_transitions(records))
    previous = records[-2]
    sections = [("Countries entering or leaving the selection", history.selection_changes(previous, current)),
                ("Countries whose level changed, and the components that moved it (mean component score "
                 "over the rated states, 0 = at the `poor` value, 1 = at `good`)",
                 history.level_changes(previous, current)),
                ("Largest changes in public indicators", history.largest_changes(previous, current)),
                ("Revisions: the same statistic for the same year in the two editions' data vintages",
                 history.revisions(previous, current))]
    display(Markdown(f"**What changed since edition {previous.year}**"))
    for title, frame in sections:
        display(Markdown(f"*{title}*" + (": none." if frame.empty else "")))
        if not frame.empty:
            table(frame)


def review_banner(a) -> None:
    """A page whose level no reviewer has signed off says so at the top."""
    if (a.judgement or {}).get("status") != "reviewed":
        display(Markdown("> **Draft, not reviewed.** No reviewer has signed off this country's "
                         "assessment for this edition yet (`reviewed_by`, `reviewed_on`)."))


def judgement(a) -> None:
    """The method's level, the assessed level and the analyst's justification, marked as judgement."""
    j = a.judgement or {}
    lines = [f"**Level proposed by the rating method:** {j.get('method_level', a.level.level)}.",
             f"**Assessed level (analyst judgement):** {j.get('assessed_level', a.level.level)}."]
    if j.get("analyst_entry"):
        lines.append(f"*Justification (analyst judgement):* {escape_markdown(j['justification'])}")
        lines.append(f"Assessed by {escape_markdown(j['assessed_by'])} on {j['assessed_on']}; " + (
            f"reviewed by {escape_markdown(j['reviewed_by'])} on {j['reviewed_on']}."
            if j.get("status") == "reviewed" else "not reviewed yet."))
    else:
        lines.append("No analyst entry for this edition: the assessed level is the method's level, "
                     "not reviewed.")
    display(Markdown("\n\n".join(lines)))
