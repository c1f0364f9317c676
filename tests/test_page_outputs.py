"""What a page's cells show reaches the notebook in order, one Markdown output per stretch of a cell:
the `presentation` functions hold a cell's Markdown until the cell ends, a chart or a placeholder,
on papermill's own engine and on the warm kernel alike."""

from __future__ import annotations

import nbformat
import papermill as pm
import pytest

from readmission.run.kernels import KERNEL, KERNEL_ARGUMENTS, shutdown_warm_kernel
from test_engine_semantics import same_as_papermill
from test_warm_kernel import edge_notebook


@pytest.fixture(autouse=True)
def no_warm_kernel_left():
    yield
    shutdown_warm_kernel()


SHOW = "from readmission.pages import presentation as show\n"
CELLS = [
    SHOW + "show.text('a')\nshow.table(__import__('pandas').DataFrame({'x': [1]}), 't', 'T')\nshow.text('')\nshow.text('b')",
    "%matplotlib inline\nimport matplotlib.pyplot as plt\n" + SHOW
    + "show.text('before')\nfig = plt.figure()\nplt.plot([1, 2])\nshow.chart()\nshow.text('after')",
    SHOW + "from IPython.display import Markdown\nshow.text('top')\nslot = show.placeholder()\nshow.text('below')\n"
    "slot.update(Markdown('filled'))",
    SHOW + "show.text('next cell')",
]


def shown(cell) -> list[str]:
    """Each output of a cell: its Markdown, 'PNG' for an image, or the error's name."""
    out = []
    for o in cell.outputs:
        data = o.get("data", {})
        out.append(data["text/markdown"] if "text/markdown" in data else "PNG" if "image/png" in data
                   else o.get("ename", o["output_type"]))
    return out


def test_a_cells_markdown_is_one_output_in_the_order_it_was_shown(tmp_path):
    _, warm = same_as_papermill(tmp_path, "outputs", CELLS)
    first, chart, placeholder, following = (shown(c) for c in warm.cells)
    assert len(first) == 1 and first[0].startswith("a\n\n```{=html}") and first[0].endswith("```\n\nb")
    assert chart == ["before", "PNG", "after"]
    assert placeholder == ["top", "filled", "below"]
    assert following == ["next cell"]


@pytest.mark.parametrize("engine", [None, "warm"])
def test_what_a_failing_cell_showed_stays_in_that_cell(tmp_path, engine):
    """After the error's output (the log and the failure page name the cell), never lost or moved."""
    path = edge_notebook(tmp_path / "fails.ipynb", [SHOW + "show.text('said before the error')\n1 / 0"])
    with pytest.raises(pm.PapermillExecutionError):
        pm.execute_notebook(str(path), str(tmp_path / "out.ipynb"), cwd=str(tmp_path), kernel_name=KERNEL,
                            progress_bar=False, extra_arguments=KERNEL_ARGUMENTS, engine_name=engine)
    written = nbformat.read(tmp_path / "out.ipynb", as_version=4)  # papermill adds a Markdown cell on top
    assert shown(next(c for c in written.cells if c.cell_type == "code")) == [
        "ZeroDivisionError", "said before the error"]


def test_outside_a_notebook_each_call_shows_at_once(monkeypatch):
    from readmission.pages import presentation

    seen = []
    monkeypatch.setattr(presentation, "display", lambda obj, **_: seen.append(obj.data))
    presentation.text("one")
    assert seen == ["one"]
    presentation.text("two")
    assert seen == ["one", "two"]
