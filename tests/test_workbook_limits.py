"""Issue 26, item 13: one rule for an input file and its per-country slices (a field spans at most
max_lines_in_field lines, in a CSV file or an Excel cell), and an Excel sheet's rows, columns and
cells counted, stopping at a limit, before the sheet is loaded."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from readmission.data.confidential import load_confidential
from readmission.data.inputfile import read_rows
from readmission.data.workbook import column_letter, declared_size, extent_problem, row_widths
from readmission.base.errors import InputError
from readmission.inputs.slices import write_slice
from readmission.settings.limits import Limits
from test_bad_inputs import QUESTIONNAIRE, STATISTICS, write_csv_rows, write_xlsx_rows

STATES = {"DE", "FR"}
LIMITS = Limits(source="params/limits.yml")


def inputs(folder: Path, comment: str, fmt: str) -> Path:
    """Both confidential files, the questionnaire's row 2 with `comment`."""
    questionnaire = [list(r) for r in QUESTIONNAIRE]
    questionnaire[1][-1] = comment
    for kind, rows in (("questionnaire", questionnaire), ("readmission_statistics", STATISTICS)):
        (write_xlsx_rows if fmt == "xlsx" else write_csv_rows)(folder / f"{kind}.{fmt}", rows)
    return folder


def problems(call) -> list[str]:
    with pytest.raises(InputError) as caught:
        call()
    return [str(p) for p in caught.value.problems]


def lines(count: int, newline: str = "\n") -> str:
    return newline.join(f"step {i} of the procedure" for i in range(1, count + 1))


def test_an_excel_comment_over_the_line_limit_is_refused_at_validation_naming_file_cell_and_field(tmp_path):
    folder = inputs(tmp_path, lines(21), "xlsx")
    assert problems(lambda: load_confidential(folder, STATES, limits=LIMITS)) == [
        f"{folder}/questionnaire.xlsx, sheet Sheet, cell H2, field 'comment': holds 21 lines, more than "
        "the 20 lines a field may span (max_lines_in_field in params/limits.yml): shorten it"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("comment", [lines(20), lines(20, "\r\n"), lines(21), lines(21, "\r\n"), lines(1)])
def test_a_file_that_passes_validation_has_slices_that_read_back(tmp_path, fmt, comment):
    """The run validates the file, writes IQ's slice, the kernel reads it with the same rules: a
    comment is refused at the file, or comes back from the slice unchanged; never refused in between."""
    folder = inputs(tmp_path / "inputs", comment, fmt)
    try:
        confidential = load_confidential(folder, STATES, limits=LIMITS)
    except InputError as error:
        assert comment.count("\n") >= LIMITS.max_lines_in_field, error
        [problem] = error.problems
        assert problem.file.endswith(f"questionnaire.{fmt}") and "20 lines" in problem.message
        return
    assert comment.count("\n") < LIMITS.max_lines_in_field
    sliced = load_confidential(write_slice(tmp_path / "slice", confidential, "IQ", None), STATES, limits=LIMITS)
    assert list(sliced.questionnaire["comment"]) == list(confidential.questionnaire.query("country == 'IQ'")["comment"])
    assert [c.count("\n") for c in sliced.questionnaire["comment"]] == [comment.count("\n"), 0]


def wide_workbook(path: Path, columns: int, rows: int, declared: str | None = None) -> Path:
    """The questionnaire with `columns` columns (filled past the template's) and `rows` rows. With
    `declared`, the sheet's `dimension` says that range instead, and its XML is cut after row 5: a
    reader going past the first rows fails with a parse error."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(QUESTIONNAIRE[0] + [f"extra {i}" for i in range(len(QUESTIONNAIRE[0]), columns)])
    for _ in range(rows - 1):
        sheet.append(["DE", "IQ", 2016, 3, 4, 2, 5, ""] + [1] * (columns - len(QUESTIONNAIRE[0])))
    buffer = io.BytesIO()
    book.save(buffer)
    if declared:
        source = zipfile.ZipFile(buffer)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for member in source.infolist():
                data = source.read(member)
                if member.filename == "xl/worksheets/sheet1.xml":
                    data, count = re.subn(rb'<dimension ref="[^"]+"', f'<dimension ref="{declared}"'.encode(), data)
                    cut = [m.end() for m in re.finditer(rb"</row>", data)][4]
                    assert count == 1 and len(data) - cut > 100_000
                    data = data[:cut] + b'<row r="6"><c r="A6" t="broken'
                target.writestr(member, data)
        buffer = out
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def loads(monkeypatch) -> list[bool]:
    """Every openpyxl.load_workbook call's read_only flag: a full load is read_only=False."""
    calls, real = [], openpyxl.load_workbook

    def recording(*args, **kwargs):
        calls.append(kwargs.get("read_only", False))
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", recording)
    return calls


@pytest.mark.parametrize("declared", [None, "A1:B2"])
def test_a_wide_workbook_is_refused_before_the_sheet_is_loaded(tmp_path, loads, declared):
    """400 columns: refused from the size the sheet declares or, when that is false, from its first
    row, parsed as a stream (the rest of that sheet is unreadable: it was never parsed)."""
    folder = inputs(tmp_path, "", "csv")
    (folder / "questionnaire.csv").unlink()
    wide_workbook(folder / "questionnaire.xlsx", 400, 40, declared)
    [message] = problems(lambda: load_confidential(folder, STATES, limits=LIMITS))
    assert message == (f"{folder}/questionnaire.xlsx: sheet 'Sheet' has cells in 400 columns, over the limit "
                       "of 50 (max_columns in params/limits.yml): " + (
                           "it reaches column OJ" if declared is None else "row 1 reaches column OJ") +
                       "; delete the columns right of the table, or raise the limit there if the file is genuine")
    assert loads == [], "the workbook was loaded before its size was checked"


def test_a_sheet_cut_after_its_first_rows_is_unreadable_when_within_the_limits(tmp_path):
    """The counterpart of the test above: the same cut sheet, 8 columns wide, is read on and fails."""
    path = wide_workbook(tmp_path / "q.xlsx", 8, 2_000, "A1:H2")
    with pytest.raises(InputError, match="not readable as an Excel workbook"):
        read_rows(path, "questionnaire", LIMITS)


def test_too_many_cells_or_rows_are_refused_from_the_declared_size(tmp_path, loads):
    path = wide_workbook(tmp_path / "q.xlsx", 12, 40)
    with pytest.raises(InputError, match=r"has 480 cells, over the limit of 479 \(max_cells .*40 rows by 12"):
        read_rows(path, "questionnaire", Limits(max_cells=479))
    with pytest.raises(InputError, match=r"has 40 rows, over the limit of 39 \(max_rows"):
        read_rows(path, "questionnaire", Limits(max_rows=39))
    assert loads == []
    rows, _, _ = read_rows(path, "questionnaire", Limits(max_cells=480, max_rows=40, max_columns=12))
    assert len(rows) == 40 and loads == [False, False]


def counted(rows):
    """`rows`, counting in `pulled` how many were read."""
    for row in rows:
        counted.pulled += 1
        yield row


@pytest.mark.parametrize(("limits", "third_row", "stops_at", "fragment"), [
    (Limits(max_columns=10), 400, 3, "has cells in 400 columns, over the limit of 10 (max_columns"),
    (Limits(max_cells=100), 8, 13, "has more than 100 cells, over the limit of 100 (max_cells"),
    (Limits(max_rows=50), 8, 51, "has more than 50 rows, over the limit of 50 (max_rows"),
])
def test_streamed_rows_are_read_only_until_a_limit_is_passed(limits, third_row, stops_at, fragment):
    rows = [(1, 8), (2, 8), (3, third_row)] + [(n, 8) for n in range(4, 10_000)]
    counted.pulled = 0
    problem = extent_problem("answers", counted(rows), limits)
    assert fragment in problem and problem.startswith("sheet 'answers'") and counted.pulled == stops_at
    counted.pulled = 0
    assert extent_problem("answers", counted(rows[3:8]), limits) is None and counted.pulled == 5


def test_row_widths_and_declared_size_read_a_worksheets_xml():
    xml = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
           b'<dimension ref="B2:OJ300"/><sheetData>'
           b'<row r="2"><c r="B2"><v>1</v></c><c r="D2"/></row>'
           b'<row><c><v>1</v></c><c><v>2</v></c></row>'
           b'<row r="9"></row></sheetData></worksheet>')
    assert list(row_widths(io.BytesIO(xml))) == [(2, 4), (3, 2), (9, 0)]
    assert declared_size(io.BytesIO(xml)) == (300, 400)
    assert declared_size(io.BytesIO(xml.replace(b'<dimension ref="B2:OJ300"/>', b""))) is None


def test_column_letters_are_excels():
    assert [column_letter(n) for n in (1, 26, 27, 52, 400, 16384)] == ["A", "Z", "AA", "AZ", "OJ", "XFD"]
