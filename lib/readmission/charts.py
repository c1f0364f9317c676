"""Figures of the country pages and the summary: fixed sizes, fixed styles, no randomness.

Every function returns a matplotlib Figure; the caller shows or saves it. Figures built on synthetic
inputs carry the synthetic label in their title, so they cannot be mistaken for real data.
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from .cooperation import ITEM_COLUMNS

FIGSIZE = (7.5, 4.0)
ITEM_LABELS = {"identification": "(i) identification, travel documents",
               "laissez_passer": "(ii) EU laissez-passer",
               "readmission_acceptance": "(iii) acceptance of readmission",
               "return_operations": "(iv) return flights, operations"}


def use_house_style() -> None:
    """One deterministic style for every figure (also fixes SVG ids and drops dates from metadata)."""
    sns.set_theme(style="whitegrid", context="notebook")
    matplotlib.rcParams.update({"svg.hashsalt": "readmission", "figure.dpi": 96,
                                "savefig.dpi": 96, "font.family": "DejaVu Sans"})


def _title(ax, title: str, label: str = "") -> None:
    ax.set_title(f"{title}\n{label}" if label else title, loc="left", fontsize=11,
                 color="#b00020" if label else "black")


def decisions_and_returns(trend: pd.DataFrame, country_name: str) -> plt.Figure:
    """Return decisions and returns to third countries per year, summed over reporting states."""
    fig, ax = plt.subplots(figsize=FIGSIZE)
    long = trend.melt(id_vars="year", value_vars=["return_decisions", "returns"],
                      var_name="series", value_name="persons").dropna()
    long["series"] = long["series"].map({"return_decisions": "return decisions (migr_eiord)",
                                         "returns": "returns to third countries (migr_eirtn)"})
    sns.lineplot(data=long.astype({"persons": float}), x="year", y="persons", hue="series",
                 marker="o", ax=ax)
    ax.set_xticks(sorted(long["year"].unique()))
    ax.set_ylabel("persons")
    ax.legend(title=None, loc="best", fontsize=9)
    _title(ax, f"{country_name}: return decisions and returns, EU+ reporting states")
    fig.tight_layout()
    return fig


def return_rate_by_state(table: pd.DataFrame, country_name: str, year: int) -> plt.Figure:
    """Effective return rate per reporting state (states with a defined rate), highest first."""
    rows = table[table["effective_return_rate"].notna()].copy()
    rows["rate"] = rows["effective_return_rate"].astype(float) * 100
    rows = rows.sort_values(["rate", "reporting_state"], ascending=[False, True])
    height = max(3.0, 0.28 * len(rows) + 1.2)
    fig, ax = plt.subplots(figsize=(FIGSIZE[0], height))
    colors = ["#999999" if small else "#1f77b4" for small in rows["small_numbers"]]
    ax.barh(rows["reporting_state"], rows["rate"], color=colors)
    ax.invert_yaxis()
    ax.axvline(100, color="#444444", linewidth=0.8, linestyle="--")
    ax.set_xlabel("returns as % of return decisions (grey: fewer decisions than the small-numbers limit)")
    _title(ax, f"{country_name}: effective return rate by reporting state, {year}")
    fig.tight_layout()
    return fig


def cooperation_heatmap(answer_table: pd.DataFrame, country_name: str, label: str) -> plt.Figure:
    """Reporting state x (d) item answers on the 1..5 scale; blank = no answer."""
    rows = answer_table[answer_table[ITEM_COLUMNS].notna().any(axis=1)]
    grid = rows.set_index("reporting_state")[ITEM_COLUMNS].astype("Float64").astype(float)
    grid.columns = [ITEM_LABELS[c] for c in grid.columns]
    height = max(3.0, 0.28 * len(grid) + 2.0)
    fig, ax = plt.subplots(figsize=(FIGSIZE[0], height))
    sns.heatmap(grid, vmin=1, vmax=5, cmap="RdYlGn", annot=True, fmt=".0f", cbar_kws={"label": "answer (1 very poor - 5 very good)"},
                linewidths=0.5, ax=ax)
    ax.grid(False)
    ax.set_ylabel("reporting state")
    ax.set_xlabel("")
    ax.tick_params(axis="x", labelrotation=20)
    _title(ax, f"{country_name}: practical cooperation, Article 25a(2)(d)", label)
    fig.tight_layout()
    return fig


def return_operations_chart(operations: pd.DataFrame, country_name: str) -> plt.Figure:
    """Frontex-coordinated return operations to the country and persons returned, per year."""
    fig, ax = plt.subplots(figsize=FIGSIZE)
    if operations.empty:
        ax.text(0.5, 0.5, "no Frontex-coordinated return operations recorded", ha="center", va="center")
        ax.set_axis_off()
    else:
        ax.bar(operations["year"].astype(str), operations["returnees"], color="#4c72b0")
        for x, (ops, people) in enumerate(zip(operations["operations"], operations["returnees"])):
            ax.annotate(f"{ops} op.", (x, people), ha="center", va="bottom", fontsize=8)
        ax.set_ylabel("persons returned")
        ax.tick_params(axis="x", labelrotation=45)
    _title(ax, f"{country_name}: Frontex-coordinated return operations (public documents)")
    fig.tight_layout()
    return fig


def rate_against_decisions(countries: pd.DataFrame, label: str = "") -> plt.Figure:
    """Summary: effective return rate against return decisions, one point per country, by level."""
    fig, ax = plt.subplots(figsize=(FIGSIZE[0], 5.0))
    rows = countries[countries["effective_return_rate"].notna()].copy()
    rows["rate"] = rows["effective_return_rate"].astype(float) * 100
    sns.scatterplot(data=rows, x="return_decisions", y="rate", hue="level_short",
                    hue_order=["well", "average", "improve", "unknown"], ax=ax, s=50)
    for row in rows.itertuples():
        ax.annotate(row.country, (row.return_decisions, row.rate), fontsize=7,
                    xytext=(3, 3), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_xlabel("return decisions (log scale)")
    ax.set_ylabel("effective return rate, %")
    ax.legend(title="level", fontsize=8)
    _title(ax, "Return rate against return decisions", label)
    fig.tight_layout()
    return fig


TRAJECTORY_COLOURS = {"well": "#0072B2", "average": "#E69F00", "improve": "#D55E00", "unknown": "#999999"}


def trajectory_chart(table: pd.DataFrame, country_name: str) -> plt.Figure:
    """A country's EU+ effective return rate per edition, each point coloured by the edition's level."""
    from .rating import LEVELS, short_level

    fig, ax = plt.subplots(figsize=(7.5, 2.8))
    shown = table.dropna(subset=["eu_return_rate"])
    ax.plot(shown["edition"], shown["eu_return_rate"] * 100, color="#555555", linewidth=1, zorder=1)
    for level in LEVELS:
        points = shown[shown["level"] == level]
        ax.scatter(points["edition"], points["eu_return_rate"] * 100, s=60, zorder=2,
                   color=TRAJECTORY_COLOURS[short_level(level)], label=level)
    ax.set_xticks(table["edition"].tolist())
    ax.set_xlim(table["edition"].min() - 0.5, table["edition"].max() + 0.5)
    ax.set_ylabel("EU+ effective return rate (%)")
    ax.set_xlabel("edition (data year)")
    if not shown.empty:
        ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    _title(ax, f"{country_name}: across editions")
    fig.tight_layout()
    return fig
