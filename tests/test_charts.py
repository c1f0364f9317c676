"""Charts (charts.py): a chart is drawn only when it has something to show; its sentence says the rest."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from readmission.pages import charts  # noqa: E402


def across(rates: list[float | None]) -> pd.DataFrame:
    return pd.DataFrame({"edition": [2014 + i for i in range(len(rates))],
                         "eu_return_rate": pd.array(rates, dtype="Float64"),
                         "level": ["average, improvements needed"] * len(rates)})


def test_a_trajectory_needs_two_editions_with_a_rate():
    assert not charts.draws_trajectory(across([0.4]))
    assert not charts.draws_trajectory(across([0.4, None])), "an edition without a rate is no point"
    assert charts.draws_trajectory(across([0.4, 0.5]))
    assert charts.trajectory_finding(across([0.4])).startswith("Only one edition so far")
    assert "from 40.0% to 50.0%" in charts.trajectory_finding(across([0.4, 0.5]))


def test_no_operations_draw_no_chart_but_a_sentence():
    empty = pd.DataFrame(columns=["year", "operations", "returnees"])
    with pytest.raises(ValueError):
        charts.return_operations_chart(empty, "Iraq")
    assert charts.operations_finding(empty).startswith("No Frontex-coordinated")
    operations = pd.DataFrame({"year": [2016, 2019], "operations": [2, 1], "returnees": [40, 12]})
    fig = charts.return_operations_chart(operations, "Iraq")
    ticks = [int(t) for t in fig.axes[0].get_xticks() if 2016 <= t <= 2019]
    assert ticks == [2016, 2017, 2018, 2019], "years on a continuous axis: a year without operations shows"
    plt.close(fig)


def test_no_operations_show_no_empty_table_either(monkeypatch):
    from readmission.pages import presentation

    shown = []
    monkeypatch.setattr(presentation, "display", lambda obj: shown.append(obj.data))
    empty = pd.DataFrame(columns=["year", "operations", "returnees"])
    presentation.operations(empty, "No operation is recorded.")
    assert shown == ["No operation is recorded."]
    presentation.operations(pd.DataFrame({"year": [2016], "operations": [2], "returnees": [40]}), "Two.")
    assert len(shown) == 3 and 'id="table-operations"' in shown[2]
