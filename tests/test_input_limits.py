"""Real-world inputs through `data check` (issue 15): stray quotes, Excel surprises, wrong years,
size limits, separators and other messages. Each names file and row (or sheet and cell) and field,
exits 2 without a traceback, and changes nothing already written (helpers of test_bad_inputs)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from test_bad_inputs import (EDITION, QUESTIONNAIRE, RESTRICTED, STATISTICS, all_names, changed,
                             confidential, invoke, output_bytes, assert_untouched, root, template,
                             write_csv_rows)

CHECK = ["data", "check", "--year", "2016"]
STATES = ["DE", "FR", "IT", "ES", "NL", "BE", "AT", "SE", "PL", "CZ"]
QUEST = f"{RESTRICTED}/questionnaire"


def check(root: Path, expect: list[str], absent: tuple[str, ...] = (), code: int = 2,
          args: list[str] = CHECK) -> str:
    """Run `data check`: every fragment in the message, none of `absent`, the exit code, no change."""
    before, names = output_bytes(root), all_names(root)
    exit_code, output = invoke(root, args, through_subprocess=False)
    message = " ".join(output.split())
    for fragment in expect:
        assert " ".join(fragment.format(root=root).split()) in message, f"{fragment!r} not in:\n{output}"
    for fragment in absent:
        assert fragment not in output, f"{fragment!r} in:\n{output}"
    assert exit_code == code, output
    assert_untouched(root, before, names)
    return output


def long_questionnaire() -> list[list[str]]:
    """30 rows (10 states x 3 countries), some with comments."""
    rows = [QUESTIONNAIRE[0]]
    for state in STATES:
        for country in ("IQ", "MA", "PK"):
            rows.append([state, country, "2016", "3", "4", "", "2", "ok" if state == "FR" else ""])
    return rows


def quest_lines(root: Path) -> list[str]:
    return (root / f"{QUEST}.csv").read_text(encoding="utf-8").split("\n")


def write_quest_lines(root: Path, lines: list[str]) -> None:
    (root / f"{QUEST}.csv").write_text("\n".join(lines), encoding="utf-8")


# ---------------------------------------------------------------- 2. a stray quote


def quote_comment(line: str) -> str:
    """The line with '"' inserted at the start of its last field (the comment)."""
    head, comment = line.rsplit(",", 1)
    return f'{head},"{comment}'


def test_stray_quote_at_the_end_names_the_line_it_opened(root):
    confidential(root, long_questionnaire())
    lines = quest_lines(root)
    lines[5] = quote_comment(lines[5])
    write_quest_lines(root, lines)
    check(root, [f"{{root}}/{QUEST}.csv, row 6", "stray or unbalanced '\"' on line 6"])


def test_stray_quote_that_swallows_rows_names_the_line_it_opened(root):
    confidential(root, long_questionnaire())
    lines = quest_lines(root)
    lines[5] = quote_comment(lines[5])  # opens on line 6; a quoted comment 23 lines later closes it
    lines[28] = lines[28].rsplit(",", 1)[0] + ',"late, sorry"'
    write_quest_lines(root, lines)
    check(root, [f"{{root}}/{QUEST}.csv, row 6", "line 6", "at most 20 lines"])


# ---------------------------------------------------------------- 3. Excel


def workbook(sheets: dict[str, list[list]], hidden: tuple[str, ...] = ()) -> Workbook:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append([int(v) if isinstance(v, str) and v.isdigit() else (v or None) for v in row])
        if title in hidden:
            sheet.sheet_state = "hidden"
    return book


def save_quest(root: Path, book: Workbook) -> None:
    (root / f"{QUEST}.csv").unlink()
    book.save(root / f"{QUEST}.xlsx")


def test_xlsx_hidden_first_sheet_is_not_read(root):
    confidential(root)
    book = workbook({"old draft": QUESTIONNAIRE,
                     "answers": changed(QUESTIONNAIRE, 3, "identification", "7")}, hidden=("old draft",))
    save_quest(root, book)
    check(root, [f"{{root}}/{QUEST}.xlsx, row 3, field 'identification'", "'7' is not an answer"])


def test_xlsx_formula_without_a_cached_value_names_its_cell(root):
    confidential(root)
    book = workbook({"questionnaire": QUESTIONNAIRE})
    book["questionnaire"]["D3"] = "=1+1"
    save_quest(root, book)
    check(root, [f"{{root}}/{QUEST}.xlsx, sheet questionnaire, cell D3", "formula '=1+1' has no saved value"])


def test_xlsx_merged_cells_name_their_cells(root):
    confidential(root)
    book = workbook({"questionnaire": QUESTIONNAIRE})
    book["questionnaire"].merge_cells("F2:F3")
    save_quest(root, book)
    check(root, [f"{{root}}/{QUEST}.xlsx, sheet questionnaire, cell F2", "cells F2:F3 are merged"])


# ---------------------------------------------------------------- 5. wrong year


def test_rows_of_another_year_are_an_error(root):
    confidential(root, [r if i == 0 else [*r[:2], "2015", *r[3:]] for i, r in enumerate(QUESTIONNAIRE)])
    check(root, [f"{{root}}/{QUEST}.csv, row 2, field 'year'",
                 "3 of 3 rows are for year 2015, not the edition's data year 2016"])


# ---------------------------------------------------------------- 6. size limits


def lower_limit(root: Path, text: str) -> None:
    (root / "params" / "limits.yml").write_text(text, encoding="utf-8")


def test_xlsx_zip_bomb_over_the_limit_is_refused_before_parsing(root):
    confidential(root)
    lower_limit(root, "max_unzipped_mb: 1\n")
    book = workbook({"questionnaire": QUESTIONNAIRE})
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.xml", b"<a>" + b" " * 3_000_000 + b"</a>")
    (root / f"{QUEST}.csv").unlink()
    (root / f"{QUEST}.xlsx").write_bytes(buffer.getvalue())
    assert len(buffer.getvalue()) < 100_000
    check(root, [f"{{root}}/{QUEST}.xlsx", "unzipped, the workbook is 3,", "over the limit of "
                 "1,000,000 bytes", "max_unzipped_mb in {root}/params/limits.yml"])


def test_csv_over_the_file_size_limit_is_refused_before_parsing(root):
    confidential(root, long_questionnaire())
    lower_limit(root, "max_file_mb: 0.0005\n")
    check(root, [f"{{root}}/{QUEST}.csv", "over the limit of 500 bytes",
                 "max_file_mb in {root}/params/limits.yml"])


def test_csv_over_the_row_limit_is_refused(root):
    confidential(root, long_questionnaire())
    lower_limit(root, "max_rows: 10\n")
    check(root, [f"{{root}}/{QUEST}.csv", "the file is 31 lines, over the limit of 10 lines",
                 "max_rows in {root}/params/limits.yml"])


def test_bad_limits_file_is_named(root):
    confidential(root)
    lower_limit(root, "max_rows: many\n")
    check(root, ["{root}/params/limits.yml, field 'max_rows'", "expected int, got 'many'"])


# ---------------------------------------------------------------- 7. YAML alias bombs


def test_edition_alias_bomb_is_refused_at_once(root):
    bomb = "".join(f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 9))
    (root / EDITION).write_text("l0: &l0 [lol]\n" + bomb + "data_year: *l8\n", encoding="utf-8")
    check(root, [f"{{root}}/{EDITION}, row 1", "anchors and aliases"])


# ---------------------------------------------------------------- 10. messages


@pytest.mark.parametrize("separator, name", [(";", "a semicolon ';'"), ("\t", "a tab")])
def test_semicolon_or_tab_separated_csv_is_named(root, separator, name):
    confidential(root)
    text = "\n".join(separator.join(row) for row in QUESTIONNAIRE)
    (root / f"{QUEST}.csv").write_text(text, encoding="utf-8")
    check(root, [f"{{root}}/{QUEST}.csv, row 1", f"the separator looks like {name}",
                 "CSV UTF-8 (Comma delimited)"])


def test_duplicate_header_name_is_named(root):
    confidential(root, [[*QUESTIONNAIRE[0][:-1], "identification"], *QUESTIONNAIRE[1:]])
    check(root, [f"{{root}}/{QUEST}.csv, row 1", "'identification' appear more than once"])


def test_upper_case_extension_is_found(root):
    confidential(root, changed(QUESTIONNAIRE, 2, "return_operations", "9"))
    (root / f"{QUEST}.csv").rename(root / f"{QUEST}.CSV")
    check(root, [f"{{root}}/{QUEST}.CSV, row 2, field 'return_operations'", "'9' is not an answer"])


def test_encrypted_or_old_xls_workbook_is_named(root):
    confidential(root)
    (root / f"{QUEST}.csv").unlink()
    (root / f"{QUEST}.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    check(root, [f"{{root}}/{QUEST}.xlsx", "is encrypted (password-protected) or an old Excel "
                 "97-2003 .xls"], absent=("not a zip file",))


def test_symlink_target_content_is_never_echoed(root, tmp_path):
    confidential(root)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-line-one,second\n", encoding="utf-8")
    (root / f"{QUEST}.csv").unlink()
    (root / f"{QUEST}.csv").symlink_to(secret)
    check(root, [f"{{root}}/{QUEST}.csv", "is a symbolic link"], absent=("TOPSECRET",))


def test_values_are_printed_as_typed_not_as_emoji_or_markup(root):
    confidential(root, changed(QUESTIONNAIRE, 3, "reporting_state", ":x:[bold]"))
    check(root, [f"{{root}}/{QUEST}.csv, row 3, field 'reporting_state'",
                 "':x:[bold]' is not a reporting state"], absent=("\u274c",))


def test_implausible_data_year_is_a_message(root):
    (root / EDITION).write_text("data_year: 10000\n", encoding="utf-8")
    check(root, [f"{{root}}/{EDITION}, field 'data_year'", "10000 is not a plausible year"])


def test_label_must_be_text(root):
    with open(root / EDITION, "a", encoding="utf-8") as handle:
        handle.write("label: [a, list]\n")
    check(root, [f"{{root}}/{EDITION}, field 'label'", "expected text, got ['a', 'list']"])


@pytest.mark.parametrize("column, value, fragment", [
    ("year", "\uff12\uff10\uff11\uff16", "is not a year"),                  # full-width 2016
    ("forced_returns", "\uff11\uff12\uff13", "is not a whole number"),      # full-width 123
    ("readmission_requests_submitted", "\u0664\u0665", "is not a whole number"),  # Arabic-Indic 45
])
def test_non_ascii_digits_are_not_numbers(root, column, value, fragment):
    confidential(root, statistics=changed(STATISTICS, 3, column, value))
    check(root, [f"{{root}}/{RESTRICTED}/readmission_statistics.csv, row 3, field '{column}'",
                 f"'{value}' {fragment}"])


def test_a_valid_folder_still_passes(root):
    confidential(root)
    check(root, ["valid: every row passed the checks"], code=0)
