"""What the charts cost, and what cheaper versions would cost, on real countries (run in a project
whose cold run wrote the demo set, like floor.py).

Usage: chart_variants.py YEAR [COUNTRIES]; prints a table and `CHARTS {json}`: CPU ms per figure of
each chart function (build, PNG at the house 96 dpi) against plain-matplotlib versions of the two
seaborn charts, without the seaborn theme, at 72 dpi, and as SVG, with the bytes each writes.
The plain versions here are measuring sticks for charts.py's owner, not the project's charts.
"""

from __future__ import annotations

import io
import json
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def plain_decisions_and_returns(trend, country_name):
    """decisions_and_returns with ax.plot per series instead of melt + sns.lineplot."""
    from readmission import charts

    fig, ax = plt.subplots(figsize=charts.FIGSIZE)
    for column, label in (("return_decisions", "return decisions (migr_eiord)"),
                          ("returns", "returns to third countries (migr_eirtn)")):
        rows = trend[["year", column]].dropna()
        ax.plot(rows["year"], rows[column].astype(float), marker="o", label=label)
    ax.set_xticks(sorted(trend["year"].unique()))
    ax.set_ylabel("persons")
    ax.legend(loc="best", fontsize=9)
    charts._title(ax, f"{country_name}: return decisions and returns, EU+ reporting states")
    fig.tight_layout()
    return fig


def plain_cooperation_heatmap(answer_table, country_name, label):
    """cooperation_heatmap with ax.imshow + one text per cell instead of sns.heatmap."""
    from readmission import charts
    from readmission.cooperation import ITEM_COLUMNS

    rows = answer_table[answer_table[ITEM_COLUMNS].notna().any(axis=1)]
    grid = rows.set_index("reporting_state")[ITEM_COLUMNS].astype("Float64").astype(float)
    height = max(3.0, 0.28 * len(grid) + 2.0)
    fig, ax = plt.subplots(figsize=(charts.FIGSIZE[0], height))
    image = ax.imshow(np.ma.masked_invalid(grid.to_numpy()), vmin=1, vmax=5, cmap="RdYlGn", aspect="auto")
    for (i, j), value in np.ndenumerate(grid.to_numpy()):
        if not np.isnan(value):
            ax.text(j, i, f"{value:.0f}", ha="center", va="center", fontsize=9)
    ax.set_xticks(range(len(ITEM_COLUMNS)), [charts.ITEM_LABELS[c] for c in ITEM_COLUMNS], rotation=20)
    ax.set_yticks(range(len(grid)), grid.index)
    fig.colorbar(image, ax=ax, label="answer (1 very poor - 5 very good)")
    ax.grid(False)
    ax.set_ylabel("reporting state")
    charts._title(ax, f"{country_name}: practical cooperation, Article 25a(2)(d)", label)
    fig.tight_layout()
    return fig


def cost(make, fmt="png", dpi=96, repeat=1) -> dict:
    """CPU ms to build, to render, and bytes written (mean over `repeat`)."""
    build = render = size = 0.0
    for _ in range(repeat):
        t = time.process_time()
        fig = make()
        build += time.process_time() - t
        t = time.process_time()
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, dpi=dpi, bbox_inches=None)
        render += time.process_time() - t
        size += len(buffer.getvalue())
        plt.close(fig)
    return {"build_ms": round(1000 * build / repeat), "render_ms": round(1000 * render / repeat),
            "kib": round(size / repeat / 1024, 1)}


def main() -> None:
    from readmission import charts, presentation as show
    from readmission.assessment import assess_country
    from readmission.inputs import demo_folder, load_inputs
    from readmission.params import load_edition, load_method
    from readmission.project import Project
    from readmission import editions

    year = int(sys.argv[1])
    project = Project.default()
    edition, method = load_edition(year, project), load_method(project)
    codes = editions.compute_selection(project, edition).codes[: int(sys.argv[2]) if len(sys.argv) > 2 else 10]
    inputs = load_inputs(project, edition, method, codes, restricted_dir=demo_folder(project, edition))
    show.display = lambda *a, **k: None
    pages = []
    for code in codes:
        a = assess_country(inputs, code)
        pages.append((a, show.trajectory(project, a, inputs)))
    functions = {
        "decisions_and_returns": lambda a, t: charts.decisions_and_returns(a.decisions_trend, a.name),
        "decisions_and_returns (plain plot)": lambda a, t: plain_decisions_and_returns(a.decisions_trend, a.name),
        "return_rate_by_state": lambda a, t: charts.return_rate_by_state(a.return_rates, a.name, a.year),
        "cooperation_heatmap": lambda a, t: charts.cooperation_heatmap(a.answers, a.name, a.synthetic_label),
        "cooperation_heatmap (plain imshow)": lambda a, t: plain_cooperation_heatmap(a.answers, a.name,
                                                                                      a.synthetic_label),
        "return_operations_chart": lambda a, t: charts.return_operations_chart(a.operations, a.name),
        "trajectory_chart": lambda a, t: charts.trajectory_chart(t, a.name),
    }
    variants = {"house style, PNG 96 dpi": ("png", 96, True), "house style, PNG 72 dpi": ("png", 72, True),
                "house style, SVG": ("svg", 96, True), "no seaborn theme, PNG 96 dpi": ("png", 96, False)}
    result: dict = {}
    for variant, (fmt, dpi, themed) in variants.items():
        matplotlib.rcdefaults()
        if themed:
            charts.use_house_style()
        else:
            matplotlib.rcParams.update({"svg.hashsalt": "readmission", "figure.dpi": 96, "savefig.dpi": 96})
        for name, make in functions.items():
            if "plain" in name and variant != "house style, PNG 96 dpi":
                continue
            parts = [cost(lambda: make(a, t), fmt, dpi) for a, t in pages]
            result.setdefault(name, {})[variant] = {k: round(sum(p[k] for p in parts) / len(parts), 1)
                                                    for k in parts[0]}
    print(f"{'chart':<36} {'variant':<30} {'build ms':>9} {'render ms':>9} {'KiB':>7}")
    for name, by_variant in result.items():
        for variant, c in by_variant.items():
            print(f"{name:<36} {variant:<30} {c['build_ms']:>9} {c['render_ms']:>9} {c['kib']:>7}")
    print("CHARTS " + json.dumps({"countries": codes, "per_figure": result}))


if __name__ == "__main__":
    main()
