#!/usr/bin/env python
"""`readmission ...` with one confidential row of one country changed in the demo set it writes.

    python benchmarks/changed_demo.py CODE YEAR -- report --demo --year 2014 ...

`--demo` writes the seeded demo set to data/restricted/out/demo/<year>/ again on every run, so an
edit to that file would be undone before the run reads it. This runs the same command line in this
process (`readmission.cli.app`, as `python -m readmission` does): first the first row of country CODE
in data/restricted/out/demo/<YEAR>/questionnaire.csv gets its answers moved to the other end of the
scale, so the run's no-change check sees a changed input; and the demo writer is wrapped to make the same change each
time it writes that file again. The run then reads a confidential input that differs from the
seeded one in exactly that row, as if an analyst had corrected one Member State's answer.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

MARK = "[benchmark] changed"


def change_row(path: Path, code: str) -> str:
    """The first row of `code` with answers: every answer moved to the other end of the scale (3 or
    less -> 5, else 1), a Member State's view corrected from poor to good or back (a one-step change
    often leaves the country's level, and so its public page, as it was). Returns what changed."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = next(csv.reader([lines[0]]))
    answers = [i for i, name in enumerate(header) if i > header.index("year") and name != "comment"]
    for number, line in enumerate(lines[1:], start=1):
        row = next(csv.reader([line]))
        given = [i for i in answers if row[i].strip().isdigit()]
        if row[header.index("country")] != code or not given:
            continue
        old = [row[i] for i in given]
        new = "1" if sum(map(int, old)) / len(old) > 3 else "5"
        for i in given:
            row[i] = new
        out = io.StringIO()
        csv.writer(out, lineterminator=line[len(line.rstrip("\r\n")):] or "\n").writerow(row)
        lines[number] = out.getvalue()
        path.write_text("".join(lines), encoding="utf-8")
        return (f"{path.parent.name}/{path.name} row {number + 1} ({row[header.index('reporting_state')]}, "
                f"{code}): answers {'/'.join(old)} -> {'/'.join(row[i] for i in given)}")
    raise SystemExit(f"{MARK}: no row of {code} with an answer in {path}")


def main(argv: list[str]) -> None:
    if len(argv) < 3 or argv[2] != "--":
        raise SystemExit(__doc__)
    code, year, command = argv[0], argv[1], argv[3:]
    from readmission.base.paths import Project
    from readmission.data import demo

    existing = Project.default().demo / year / "questionnaire.csv"
    if not existing.exists():
        raise SystemExit(f"{MARK}: no demo set at {existing}: run the edition with --demo first")
    print(f"{MARK} before the run: {change_row(existing, code)}", flush=True)

    original = demo.write_demo

    def write_changed(inputs, folder, *args, **kwargs):
        result = original(inputs, folder, *args, **kwargs)
        if Path(folder).name == year:
            print(f"{MARK} as the run wrote the demo set: {change_row(Path(folder) / 'questionnaire.csv', code)}",
                  flush=True)
        return result

    demo.write_demo = write_changed
    from readmission.cli import app

    sys.argv = ["readmission", *command]
    app(prog_name="readmission")


if __name__ == "__main__":
    main(sys.argv[1:])
