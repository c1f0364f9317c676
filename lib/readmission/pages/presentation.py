"""What a reader sees of a notebook page: every line is Markdown, every table from `tables`.

No page prints: a `print` line becomes a monospace block that runs past the column. Sentences here
are built from the data, so the page and its numbers cannot disagree. In a notebook, what a cell
shows goes out as one Markdown output when the cell ends, or before a chart (`chart`) or a
placeholder: one output a section rather than one a call, each a message the kernel sends and the
runner records and checks.
"""

from __future__ import annotations

import html
import re

import matplotlib.pyplot as plt
import pandas as pd
from IPython import get_ipython
from IPython.display import Markdown, display

from ..base.codes import DESIGNATION_FOOTNOTES, designations_md
from ..method.disclosure import SUPPRESSED
from ..method.indicators import STATE, AggregateRate
from .tables import percent, raw_block, table_html
from ..method.vocabulary import ITEMS_SHORT, instrument, setting_label, setting_value, term
from ..method.selection import outside_reason, select_countries
from ..method import history
from ..method.results import public_results

METHODOLOGY = "../../../methodology.qmd"  # from a country page (notebooks/countries/<year>/)
_waiting: list[str] = []  # the Markdown a cell has shown since its last output


def text(markdown: str) -> None:
    """Show Markdown (an empty string shows nothing): at the cell's end in a notebook, at once elsewhere."""
    if markdown:
        _waiting.append(markdown)
        if not _flushed_at_cell_end():
            flush()


def flush(*_) -> None:
    """Show the Markdown waiting since the cell's last output, as one output."""
    if _waiting:
        shown = "\n\n".join(_waiting)
        _waiting.clear()
        display(Markdown(shown))


def _flushed_at_cell_end() -> bool:
    """In IPython, make sure `flush` runs as each cell ends (IPython's post_run_cell event, whose
    outputs still belong to the cell); False outside IPython."""
    shell = get_ipython()
    if shell is None:
        return False
    if flush not in shell.events.callbacks["post_run_cell"]:
        shell.events.register("post_run_cell", flush)
    return True


def chart() -> None:
    """Show the chart just drawn, after what the cell showed before it (`plt.show()`: the inline
    backend's PNG output)."""
    flush()
    plt.show()


def table(frame: pd.DataFrame, table_id: str, caption: str, columns: list[str] | None = None,
          notes: tuple[str, ...] = ()) -> None:
    """Show a finished table (see tables.table_html) as a raw HTML block of a Markdown output."""
    text(raw_block(table_html(frame, table_id, caption, columns, notes)))


def figure_caption(sentence: str) -> None:
    """The finding a chart shows, in words, under it (the chart's alt text says what is drawn)."""
    text(f"*{sentence}*")


def banner(label: str) -> None:
    """A prominent warning that what follows is built on synthetic, illustrative inputs."""
    if label:
        text(f"> **⚠ {label}.** Figures marked as such are illustrative only and "
             "must not be read as real Member State data.")


def outside_selection(inputs, country: str) -> str:
    """A banner for a page run with --outside-selection: the country is not in the edition, and why
    (returned, so that the results file and the listing carry the mark too)."""
    selection = select_countries(inputs.edition, inputs.public.decisions.observations, inputs.reference,
                                 inputs.method.near_miss_share)
    why = outside_reason(selection, country)
    if why:
        text(f"> **⚠ Outside the selection.** {why}. This page was run on request; it is not part of "
             "the edition's assessment.")
    return why or ""


def formula_text(name: str, aggregate: AggregateRate, numerator: str, denominator: str) -> str:
    """An EU+ rate spelled out: numerator / denominator = rate, over which states."""
    if aggregate.suppressed:
        return f"**{name}** (EU+): {SUPPRESSED}: {aggregate.suppressed}."
    if aggregate.rate is None:
        return (f"**{name}** (EU+): not computed: {len(aggregate.states_included)} states report "
                "both parts, fewer than the method requires, or the denominator is 0.")
    left_out = f" (left out: {', '.join(aggregate.states_excluded)})" if aggregate.states_excluded else ""
    return (f"**{name}** (EU+) = {numerator} / {denominator} = {aggregate.numerator:,} / "
            f"{aggregate.denominator:,} = **{percent(aggregate.rate)}**, over the "
            f"{len(aggregate.states_included)} states reporting both{left_out}.")


def formula(name: str, aggregate: AggregateRate, numerator: str, denominator: str) -> None:
    text(formula_text(name, aggregate, numerator, denominator))


def reconciliation(trend: pd.DataFrame, rates: pd.DataFrame, year: int) -> str:
    """Why the trend's totals for `year` differ from the EU+ rate's parts: states reporting one series only."""
    row = trend[trend["year"] == year]
    if row.empty:
        return ""
    parts = []
    for column, other, what, lacking in (("returns", "return_decisions", "returns", "return decisions"),
                                         ("return_decisions", "returns", "return decisions", "returns")):
        only = rates[rates[column].notna() & rates[other].isna()]
        both = rates[rates[column].notna() & rates[other].notna()]
        if only.empty or not only[column].sum():
            continue
        states = ", ".join(f"{s} {int(v):,}" for s, v in zip(only[STATE], only[column]) if v)
        parts.append(f"the trend's {int(row[column].iloc[0]):,} {what} include {int(only[column].sum()):,} from "
                     f"states that report no {lacking} ({states}); the rate uses the other "
                     f"{int(both[column].sum()):,}")
    if not parts:
        return ""
    return f"**Reconciliation with the trend table ({year}):** " + "; ".join(parts) + "."


def sources(inputs, *datasets: str) -> None:
    """The files behind a section: name, checksum and Eurostat LAST UPDATE, for traceability."""
    text("<small>" + "<br>".join(html.escape(source_line(inputs, d)) for d in datasets) + "</small>")


def source_line(inputs, dataset: str) -> str:
    """One line naming a dataset's file, checksum and Eurostat LAST UPDATE."""
    for entry in inputs.public.manifest:
        if entry["file"].endswith(f"{dataset}.csv"):
            return (f"Source: {entry['file']} (SHA-256 {entry['sha256'][:12]}…, Eurostat LAST UPDATE "
                    f"{entry['last_update'] or 'unknown'}, {entry['origin']})")
    return f"Source: {dataset} not in the inputs"


def withheld(what: str) -> None:
    """A public page's note where per-state confidential figures are left out, and why."""
    text(f"*Per-Member-State {what} are confidential: public pages show only the EU-level figures that "
         f"pass the [disclosure rules]({METHODOLOGY}#disclosure); the per-state table is in the restricted "
         "report only.*")


def escape_markdown(value: str) -> str:
    """Text shown as itself on a page: HTML escaped, Markdown and shortcode characters backslashed."""
    value = html.escape(" ".join(value.split()), quote=False)
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|$~])", r"\\\1", value)


def placeholder():
    """An empty output at the top of a page, filled by `overview` once the level is known."""
    flush()
    return display(Markdown(""), display_id=True)


def overview(a, into) -> None:
    """The page's first lines, written into the `placeholder` at its top: whether a reviewer signed the
    level off, the level, the counts behind it, and any note or footnote."""
    final = (a.judgement or {}).get("assessed_level") or a.level.level
    method = "" if final == a.level.level else f" (the rating method proposed: {a.level.level})"
    lines = [review_note(a), f"**{a.name} ({a.country}), data year {a.year}: {final}.**{method}",
             level_counts(a.level)]
    if a.note:
        lines.append(f"Note: {escape_markdown(a.note)}")
    if a.country in DESIGNATION_FOOTNOTES:  # the asterisk shown, not read as emphasis
        lines.append("\\" + DESIGNATION_FOOTNOTES[a.country])
    if a.caveats:
        lines.append("Data caveats (see Methodology), applied to every table below: "
                     + "; ".join(escape_markdown(c) for c in a.caveats) + ".")
    into.update(Markdown("\n\n".join(filter(None, lines))))


def level_counts(level) -> str:
    """The counts behind a country's level, in one sentence."""
    counts = (f"good {level.states_good}, average {level.states_average}, poor {level.states_poor}"
              if level.states_good is not None else
              "how many in each class is withheld: all or all but one are in one class (Methodology, disclosure)")
    return (f"States rated: {level.states_rated} ({counts}); \"most\" means more than {level.most_share:.0%} "
            f"of the rated states. Level proposed by the rating method: **{level.level}**.")


def operations(table_frame: pd.DataFrame, note: str) -> None:
    """(d)(iv) public evidence: forced-return operations per year, voluntary ones apart, said so
    (no table without a row: the note and the chart's sentence say there were none)."""
    text(note)
    if not table_frame.empty:
        table(table_frame, "operations", "Frontex-coordinated return operations to the country, per year")


def context(tables, inputs) -> None:
    """The context tables of a country page (sections.Context): arrivals, asylum, instruments, RCMS, measures."""
    method, on, year = inputs.method, inputs.edition.reference_date, inputs.edition.data_year
    first, last = year - method.context_before, year + method.context_after
    for frame, table_id, caption in ((tables.crossings, "crossings", "Irregular border crossings (Frontex detections)"),
                                     (tables.asylum, "asylum", "Asylum applications in the reporting states "
                                                          "(Eurostat migr_asyappctza)")):
        if frame is None:
            text(f"{caption}: not available in the inputs.")
        else:
            shown = frame[frame["year"].between(first, last)]
            absent = [str(y) for y in range(first, last + 1) if y not in set(shown["year"].astype(int))]
            table(shown, table_id, f"{caption}, {first}-{last}"
                  + (f" ({year + 1}-{last}: after the data year, shown as context)" if last > year else ""),
                  notes=(f"No data in the inputs for {', '.join(absent)}.",) if absent else ())
    text(f"**EU readmission instruments in force on {on}** (strongest: {instrument(tables.strongest_instrument)})"
         + ("" if not tables.instruments.empty else ": none."))
    if not tables.instruments.empty:
        table(tables.instruments, "instruments", f"EU readmission instruments in force on {on}")
    for frame, table_id, caption in ((tables.rcms, "rcms", f"RCMS in place by {on}"),
                                     (tables.measures, "measures", f"Article 25a visa measures proposed by {on}")):
        if frame.empty:
            text(f"**{caption}:** none.")
        else:
            table(frame, table_id, caption)


def method(settings) -> None:
    """The rating settings in force (not confidential), a table a reviewer can redo the rating with."""
    rows = [{"setting": f"Component {term(name).label.lower()}: weight, score 0 at, score 1 at",
             "value": f"{c.weight:g}; {c.poor:g}; {c.good:g}"} for name, c in settings.components.items()]
    rows += [{"setting": setting_label(key), "value": setting_value(key, getattr(settings, key))} for key in (
        "min_decisions_concerned", "min_components", "good_from", "poor_below", "most_share",
        "min_rated_states", "min_states_for_aggregate", "dominance_share")]
    table(pd.DataFrame(rows), "method", "Rating settings in force")


def rating_rules(settings) -> None:
    """How a state is rated and a level given, in plain words with the values in force."""
    text(f"Each concerned state (one that issued at least {settings.min_decisions_concerned} return decisions "
         "to the country's nationals) is scored from its indicators: each component scores 0 at its *poor* "
         "value and 1 at its *good* value, linear in between, and the components are averaged with their "
         "weights; missing components are left out. A score of at least "
         f"{setting_value('good_from', settings.good_from)} rates cooperation with that state good, below "
         f"{setting_value('poor_below', settings.poor_below)} poor, otherwise average. The country's level "
         f"counts the rated states: \"most\" means more than {setting_value('most_share', settings.most_share)} "
         "of them. Every setting in force is in the table below.")


def downloads(country: str) -> None:
    """Links to the country's results files, which sit next to its page."""
    text(f"**Downloads:** [{country}.json]({country}.json) (all results, with provenance) · "
         f"[{country}.csv]({country}.csv) (indicators, one row per state and indicator)")


def edition(run: dict, assessed: int) -> None:
    """The Findings page's edition line, and the countries whose run failed."""
    e = run["edition"]
    failed = [c for c in run["countries"] if not c["ok"]]
    lines = [f"Edition: data year {e['data_year']}, countries selected on {e['selection_year']} return "
             f"decisions (more than {e['threshold']:,}), visa status and reporting states on "
             f"{e['reference_date']}. Countries assessed: {assessed} of {len(run['countries'])} selected."]
    if failed:
        lines.append("Not assessed (run failed): " + ", ".join(
            f"{c['country']} ({escape_markdown(c['error'])})" for c in failed) + ".")
    text("\n\n".join(lines))


def bullets(lines: list[str]) -> None:
    """Sentences as a Markdown list (the summary's headline findings)."""
    text("\n".join(f"- {line}" for line in lines))


def earlier_editions(name: str, country: str, years: list[int]) -> str:
    """Links to the country's pages in earlier editions, on the public site; the restricted site
    (one edition, `restricted` in its metadata) names them without links (Quarto's conditional
    content, so one executed page serves both sites)."""
    links = " · ".join(f"[{y}](../{y}/{country}.ipynb)" for y in years)
    plain = " · ".join(str(y) for y in years)
    return (f'::: {{.content-hidden when-meta="restricted"}}\n{name} in earlier editions: {links}.\n:::\n\n'
            f'::: {{.content-visible when-meta="restricted"}}\n{name} in earlier editions: {plain} '
            "(their pages are in the public report).\n:::")


def designations() -> None:
    """The Kosovo* and Palestine* designation footnotes (pages that name them)."""
    text(designations_md())


def trajectory(project, a, inputs):
    """The country's row in every edition so far (this one included): a table, returned for its chart.

    Earlier editions are read from the public results (aggregates only), so the section is the
    same on public and restricted pages."""
    selected = select_countries(inputs.edition, inputs.public.decisions.observations, inputs.reference,
                                inputs.method.near_miss_share)
    past = history.load_history(project, a.year - 1)
    records = history.with_current(past, a.year, inputs.edition.as_dict(), a.country,
                                   public_results(a), selected.candidates)
    table_ = history.country_trajectory(records, a.country)
    years = [r.year for r in past if a.country in r.results]
    if years:
        text(earlier_editions(a.name, a.country, years))
    if len(table_) == 1:
        text(f"This is the first edition run for {a.name} in this project: later editions add a row each.")
    withheld = any(table_[c].fillna("").astype(bool).any() for c in table_.columns if c.endswith("_suppressed"))
    items = [ITEMS_SHORT[i] for i in sorted(history.common_items(records, a.country), key=list(ITEMS_SHORT).index)]
    notes = (f"Mean answer: over the items published in every edition shown ({', '.join(items) or 'none'}).",) \
        if len(table_) > 1 else ()
    notes += (f"{SUPPRESSED}: an EU-level figure withheld under the disclosure rules (Methodology); "
              "n/a: not available.",) if withheld else ()
    table(table_, "trajectory", f"{a.name} in every edition so far", notes=notes)
    return table_


def change_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Before, now and change written out: rates in % and points, decisions in persons and %."""
    shown = frame.astype(object).copy()
    for i, row in frame.iterrows():
        rate = row["indicator"] == "eu_return_rate"
        shown.at[i, "before"] = percent(row["before"]) if rate else f"{int(row['before']):,}"
        shown.at[i, "now"] = percent(row["now"]) if rate else f"{int(row['now']):,}"
        shown.at[i, "change"] = f"{row['change'] * 100:+.1f} points" if rate else f"{row['change']:+.0%}"
        shown.at[i, "indicator"] = "EU+ effective return rate" if rate else "return decisions"
    return shown


def editions_findings(project, run: dict, results: dict[str, dict]) -> None:
    """Across editions: level shares per edition, transitions between levels, and what changed
    since the previous edition (selection, levels with the components that moved them, the largest
    changes in public indicators, revisions of the data). Public results only."""
    current = history.current_record(project, run, results)
    records = history.load_history(project, current.year - 1) + [current]
    text(" ".join(filter(None, [f"Editions compared: {', '.join(str(r.year) for r in records)}.",
                                history.synthetic_note(records)])))
    shares = history.level_shares_by_edition(records)
    wide = shares.pivot(index="level", columns="edition", values="countries").reindex(
        list(dict.fromkeys(shares["level"]))).reset_index()  # levels in the method's order
    wide.columns = [str(c) for c in wide.columns]
    table(wide, "editions-levels", "Countries per level in each edition")
    if len(records) == 1:
        text("This is the first edition run in this project: there is nothing to compare yet.")
        return
    table(history.level_transitions(records), "editions-transitions",
          "Countries moving between levels from one edition to the next")
    previous = records[-2]
    sections = [("Countries entering or leaving the selection", history.selection_changes(previous, current)),
                ("Countries whose level changed, and the components that moved it where the edition released "
                 "them (mean component score over the rated states, 0 = at the component's poor value, 1 = at "
                 "its good value; public pages no longer release them: Methodology, disclosure)",
                 history.level_changes(previous, current)),
                ("Largest changes in public indicators", change_text(history.largest_changes(previous, current))),
                ("Revisions: the same statistic for the same year in the two editions' data vintages",
                 history.revisions(previous, current))]
    text(f"### What changed since edition {previous.year}")
    for index, (title, frame) in enumerate(sections):
        text(f"*{title}*" + (": none." if frame.empty else ""))
        if not frame.empty:
            table(frame, f"changes-{index}", title.split(" (")[0])


def review_note(a) -> str:
    """A page whose level no reviewer has signed off says so at the top."""
    if (a.judgement or {}).get("status") == "reviewed":
        return ""
    return ("> **Draft, not reviewed.** No reviewer has signed off this country's "
            "assessment for this edition yet.")


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
    text("\n\n".join(lines))
