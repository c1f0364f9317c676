"""Figures of the country pages and the summary: one question each, fixed sizes, no randomness.

Every chart function returns a matplotlib Figure with a source line under it; each has a `*_finding`
companion that states what the chart shows in one sentence, built from the same data (the page
shows it beside the chart). Plain matplotlib: one rasterisation per figure, fixed size and dpi. A
chart with nothing to show (no operations, a single edition) is not drawn: its sentence says so.
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..method.vocabulary import LEVEL_SHORT, level_key
from ..base.levels import LEVELS

FIGSIZE = (7.5, 4.0)
DPI = 96
SMALLEST_FONT_PT = 8  # no chart text is smaller: 8 pt at 96 dpi stays 9 px at 640 px wide (theme.scss)
RATE_CLIP = 150  # per cent: longer bars are cut here and labelled with their value
# Okabe-Ito, ordered from good to bad (blue, orange, vermillion), grey for not enough information
LEVEL_COLOURS = {"well": "#0072B2", "average": "#E69F00", "improve": "#D55E00", "unknown": "#999999"}
SERIES_COLOURS = ("#0072B2", "#D55E00")
SMALL_COLOUR, RATE_COLOUR = "#999999", "#0072B2"
THOUSANDS = FuncFormatter(lambda value, _: f"{value:,.0f}")


def use_house_style() -> None:
    """One deterministic style for every figure (also fixes SVG ids and drops dates from metadata)."""
    matplotlib.rcParams.update({
        "svg.hashsalt": "readmission", "figure.dpi": DPI, "savefig.dpi": DPI, "font.family": "DejaVu Sans",
        "font.size": 9, "axes.grid": True, "grid.color": "#dddddd", "axes.edgecolor": "#888888",
        "axes.spines.top": False, "axes.spines.right": False, "axes.axisbelow": True})


def _title(ax, title: str, label: str = "") -> None:
    ax.set_title(f"{title}\n{label}" if label else title, loc="left", fontsize=10,
                 color="#b00020" if label else "black")


def _source(fig, source: str, note: str = "") -> None:
    """The source line (and any note) under a chart."""
    fig.text(0.01, 0.01, "\n".join(part for part in (note, f"Source: {source}") if part),
             fontsize=SMALLEST_FONT_PT, color="#444444", va="bottom")


def _missing_years(years: pd.Series, values: pd.Series) -> list[int]:
    return [int(y) for y, v in zip(years, values) if pd.isna(v)]


def decisions_and_returns(trend: pd.DataFrame, country_name: str) -> plt.Figure:
    """Return decisions and returns to third countries per year, summed over reporting states."""
    fig, ax = plt.subplots(figsize=FIGSIZE)
    years = trend["year"].astype(int)
    gaps = []
    for column, label, colour in (("return_decisions", "return decisions", SERIES_COLOURS[0]),
                                  ("returns", "returns to third countries", SERIES_COLOURS[1])):
        values = trend[column].astype("Float64").astype(float)  # NaN breaks the line: a gap, not a zero
        ax.plot(years, values, marker="o", color=colour, label=label)
        missing = _missing_years(years, trend[column])
        gaps += [f"{label}: no data for {_year_ranges(missing)}"] if missing else []
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(THOUSANDS)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("persons")
    ax.legend(loc="best", fontsize=8, frameon=False)  # where it covers the fewest points
    _title(ax, f"{country_name}: return decisions and returns, all reporting states")
    fig.subplots_adjust(bottom=0.2 if gaps else 0.14)
    _source(fig, "Eurostat migr_eiord, migr_eirtn", "; ".join(gaps))
    return fig


def _year_ranges(years: list[int]) -> str:
    """[2017, 2018, 2019, 2021] -> '2017-2019, 2021'."""
    runs: list[list[int]] = []
    for year in years:
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def trend_finding(trend: pd.DataFrame, year: int) -> str:
    """The trend chart's finding: the data year's totals and the largest year of each series."""
    row = trend.set_index("year").loc[year] if year in set(trend["year"]) else None
    parts = []
    for column, label in (("return_decisions", "return decisions"), ("returns", "returns")):
        series = trend.set_index("year")[column].dropna()
        if series.empty:
            parts.append(f"no {label} are reported")
            continue
        now = row[column] if row is not None and not pd.isna(row[column]) else None
        peak = int(series.idxmax())
        highest = "the highest year" if peak == year else f"highest {int(series.max()):,} in {peak}"
        parts.append(f"{label}: {'n/a' if now is None else f'{int(now):,}'} in {year}, {highest}")
    return "; ".join(parts).capitalize() + "."


def return_rate_by_state(table: pd.DataFrame, country_name: str, year: int, eu_rate: float | None) -> plt.Figure:
    """Effective return rate per reporting state (states with a defined rate), highest first."""
    rows = table[table["effective_return_rate"].notna()].copy()
    rows["rate"] = rows["effective_return_rate"].astype(float) * 100
    rows = rows.sort_values(["rate", "reporting_state"], ascending=[False, True])
    fig, ax = plt.subplots(figsize=(FIGSIZE[0], max(3.0, 0.24 * len(rows) + 1.6)))
    colours = [SMALL_COLOUR if small else RATE_COLOUR for small in rows["small_numbers"]]
    shown = rows["rate"].clip(upper=RATE_CLIP)
    ax.barh(rows["reporting_state"], shown, color=colours)
    for state, rate in zip(rows["reporting_state"], rows["rate"]):
        if rate > RATE_CLIP:
            ax.annotate(f"{rate:,.0f} % ▸", (RATE_CLIP, state), xytext=(-3, 0), textcoords="offset points",
                        ha="right", va="center", fontsize=SMALLEST_FONT_PT, color="white", fontweight="bold")
    if eu_rate is not None:
        ax.axvline(eu_rate * 100, color="#222222", linewidth=1, linestyle="--")
        ax.annotate(f"EU+ {eu_rate * 100:.1f} %", (eu_rate * 100, 1.0), xycoords=("data", "axes fraction"),
                    xytext=(3, -2), textcoords="offset points", fontsize=8, va="top")
    ax.set_xlim(0, RATE_CLIP)
    ax.invert_yaxis()
    ax.set_xlabel("returns as % of return decisions")
    ax.tick_params(axis="y", labelsize=8)
    _title(ax, f"{country_name}: effective return rate by reporting state, {year}")
    fig.subplots_adjust(bottom=max(0.08, 0.9 / fig.get_figheight()), top=1 - 0.5 / fig.get_figheight())
    _source(fig, "Eurostat migr_eiord, migr_eirtn", f"Bars cut at {RATE_CLIP} % are labelled with their value; "
            "grey: fewer decisions than the small-numbers limit")
    return fig


def rate_finding(table: pd.DataFrame, eu_rate: float | None) -> str:
    """The per-state chart's finding: the spread of rates and the states above 100 %."""
    rates = table.dropna(subset=["effective_return_rate"])
    if rates.empty:
        return "No reporting state has a defined effective return rate."
    above = rates[rates["effective_return_rate"] > 1]["reporting_state"].tolist()
    eu = "n/a" if eu_rate is None else f"{eu_rate * 100:.1f} %"
    return (f"Effective return rates of {len(rates)} states range from "
            f"{rates['effective_return_rate'].min() * 100:.1f} % to {rates['effective_return_rate'].max() * 100:.1f} % "
            f"(EU+ {eu}); above 100 %: {', '.join(above) or 'none'}.")


def return_operations_chart(operations: pd.DataFrame, country_name: str) -> plt.Figure:
    """Persons returned on Frontex-coordinated forced-return operations to the country, per year."""
    if operations.empty:
        raise ValueError("no operations to draw: the page says so in words (operations_finding)")
    fig, ax = plt.subplots(figsize=FIGSIZE)
    years = operations["year"].astype(int)
    ax.bar(years, operations["returnees"], color=RATE_COLOUR, width=0.7)
    for year, ops, people in zip(years, operations["operations"], operations["returnees"]):
        ax.annotate(f"{ops} op.", (year, people), ha="center", va="bottom", fontsize=SMALLEST_FONT_PT,
                    xytext=(0, 2), textcoords="offset points")
    ax.set_xlim(years.min() - 0.6, years.max() + 0.6)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_formatter(THOUSANDS)
    ax.set_ylabel("persons returned")
    _title(ax, f"{country_name}: Frontex-coordinated forced-return operations")
    fig.subplots_adjust(bottom=0.2)
    _source(fig, "Frontex documents released to Statewatch",
            "A year without a bar: no forced-return operation recorded")
    return fig


def operations_finding(operations: pd.DataFrame) -> str:
    """The operations chart's finding: how many operations and persons, and the busiest year."""
    if operations.empty:
        return "No Frontex-coordinated forced-return operation to the country is recorded."
    top = operations.sort_values(["returnees", "year"], ascending=[False, True]).iloc[0]
    return (f"{int(operations['operations'].sum()):,} forced-return operations returned "
            f"{int(operations['returnees'].sum()):,} persons in {len(operations)} years; the most in "
            f"{int(top['year'])} ({int(top['returnees']):,} persons).")


def levels_dot_chart(shares: pd.DataFrame, label: str = "") -> plt.Figure:
    """Summary: how many countries fall in each cooperation level (a dot per level, ordered)."""
    fig, ax = plt.subplots(figsize=(FIGSIZE[0], 2.6))
    keys = list(shares["key"])
    ax.hlines(range(len(keys)), 0, shares["countries"], color="#cccccc", linewidth=2)
    ax.scatter(shares["countries"], range(len(keys)), s=90, zorder=3,
               color=[LEVEL_COLOURS[k] for k in keys])
    for y, (count, share) in enumerate(zip(shares["countries"], shares["share"])):
        ax.annotate(f"{count} ({share:.0%})", (count, y), xytext=(8, 0), textcoords="offset points",
                    va="center", fontsize=9)
    ax.set_yticks(range(len(keys)), [LEVEL_SHORT[k] for k in keys])
    ax.set_xlim(0, max(shares["countries"].max(), 1) * 1.25)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.invert_yaxis()
    ax.set_xlabel("countries")
    _title(ax, "Countries by cooperation level", label)
    fig.subplots_adjust(left=0.22, bottom=0.3, top=0.78 if label else 0.86)
    _source(fig, "this assessment (countries' results files)")
    return fig


def _spaced(points: pd.DataFrame, min_dx: float = 0.09, min_dy: float = 5.0) -> list[int]:
    """Indexes of points to label, largest first, skipping any too close to one already labelled."""
    chosen: list[tuple[float, float]] = []
    keep = []
    for index, x, y in zip(points.index, np.log10(points["return_decisions"].astype(float)), points["rate"]):
        if all(abs(x - cx) > min_dx or abs(y - cy) > min_dy for cx, cy in chosen):
            chosen.append((x, y))
            keep.append(index)
    return keep


def rate_against_decisions(countries: pd.DataFrame, label: str = "") -> plt.Figure:
    """Summary: effective return rate against return decisions, one point per country, by level."""
    fig, ax = plt.subplots(figsize=(FIGSIZE[0], 5.0))
    rows = countries[countries["effective_return_rate"].notna()].copy()
    rows["rate"] = rows["effective_return_rate"].astype(float) * 100
    rows = rows.sort_values(["return_decisions", "country"], ascending=[False, True])
    for key, colour in LEVEL_COLOURS.items():
        part = rows[rows["level_key"] == key]
        if not part.empty:
            ax.scatter(part["return_decisions"], part["rate"].clip(upper=RATE_CLIP), s=36, color=colour,
                       label=LEVEL_SHORT[key], edgecolor="white", linewidth=0.5)
    for index in _spaced(rows):
        row = rows.loc[index]
        ax.annotate(row["country"], (row["return_decisions"], min(row["rate"], RATE_CLIP)), fontsize=SMALLEST_FONT_PT,
                    xytext=(3, 3), textcoords="offset points")
    ax.set_xscale("log")
    ax.xaxis.set_major_formatter(THOUSANDS)
    ax.set_xlabel("return decisions (log scale)")
    ax.set_ylabel("effective return rate, %")
    ax.legend(title="cooperation level", fontsize=8, title_fontsize=8, frameon=False, loc="upper left")
    _title(ax, "Effective return rate against return decisions", label)
    fig.subplots_adjust(bottom=0.17)
    _source(fig, "Eurostat migr_eiord, migr_eirtn; this assessment",
            f"Rates above {RATE_CLIP} % drawn at {RATE_CLIP} %; labels left out where points crowd")
    return fig


def draws_trajectory(table: pd.DataFrame) -> bool:
    """A trajectory is drawn from two editions with a return rate on; one point is said in words."""
    return int(table["eu_return_rate"].notna().sum()) >= 2


def trajectory_chart(table: pd.DataFrame, country_name: str) -> plt.Figure:
    """A country's EU+ effective return rate per edition, each point coloured by the edition's level."""
    fig, ax = plt.subplots(figsize=(7.5, 3.0))
    shown = table.dropna(subset=["eu_return_rate"])
    ax.plot(shown["edition"], shown["eu_return_rate"].astype(float) * 100, color="#555555", linewidth=1, zorder=1)
    for level in LEVELS:
        points = shown[shown["level"] == level]
        if not points.empty:
            ax.scatter(points["edition"], points["eu_return_rate"].astype(float) * 100, s=60, zorder=2,
                       color=LEVEL_COLOURS[level_key(level)], label=LEVEL_SHORT[level_key(level)])
    ax.set_xticks(table["edition"].tolist())
    ax.set_xlim(table["edition"].min() - 0.5, table["edition"].max() + 0.5)
    ax.set_ylim(bottom=0)
    ax.set_ylabel("EU+ effective return rate (%)")
    if not shown.empty:
        ax.legend(fontsize=8, loc="best", frameon=False, title="level", title_fontsize=8)
    _title(ax, f"{country_name}: across editions")
    fig.subplots_adjust(bottom=0.2)
    _source(fig, "this project's published results of each edition (Eurostat migr_eiord, migr_eirtn)")
    return fig


def trajectory_finding(table: pd.DataFrame) -> str:
    """The trajectory in one sentence: the level and return rate in the first and the latest edition."""
    if not draws_trajectory(table):
        return "Only one edition so far: the trajectory starts here."
    rows = table.dropna(subset=["eu_return_rate"])
    first, last = rows.iloc[0], rows.iloc[-1]
    level = (f"the level stayed '{last['level']}'" if first["level"] == last["level"]
             else f"the level went from '{first['level']}' to '{last['level']}'")
    return (f"From edition {first['edition']} to {last['edition']} the EU+ effective return rate went from "
            f"{first['eu_return_rate']:.1%} to {last['eu_return_rate']:.1%}; {level}.")
