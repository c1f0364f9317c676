"""Eurostat return and asylum statistics (SDMX-CSV) as tidy frames, countries apart from aggregates.

Flags are kept, ':' and empty values become NA (never 0), and every malformed row is reported
with the file, line and field, so a bad download is fixed at its source rather than analysed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .caveats import CAVEATS_FILE, Caveats, applicable, load_caveats as read_caveats, mark_not_available
from ..base.codes import AGGREGATE_CODES, known_country_codes
from .schemas import (
    FLAG_LETTERS,
    NEGATIVE_NUMBER,
    RowProblems,
    check_header,
    eurostat_schema,
    fullmatch_mask,
    map_unique,
    read_csv_strings,
    report_code_problems,
)

DATASET_FILES: dict[str, str] = {
    "migr_eiord": "eurostat/migr_eiord.csv",
    "migr_eirtn": "eurostat/migr_eirtn.csv",
    "migr_asyappctza": "eurostat/migr_asyappctza.csv",
}

# Dimensions of each dataflow (any column order is accepted; output follows this order).
DATASET_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "migr_eiord": ("freq", "citizen", "age", "sex", "unit", "geo"),
    "migr_eirtn": ("freq", "citizen", "c_dest", "age", "sex", "unit", "geo"),
    "migr_asyappctza": ("freq", "citizen", "sex", "unit", "age", "asyl_app", "geo"),
}

OPTIONAL_COLUMNS = ("CONF_STATUS",)  # added by Eurostat's API since 2024; not used
RETURNS_TO_THIRD_COUNTRIES = "THRD"

# A value cell: digits or ':' (not available), optionally followed by flag letters (TSV style).
_VALUE_CELL = re.compile(r"\s*(?:(?P<number>[0-9]+)|(?P<na>:))\s*(?P<flags>[A-Za-z]*)\s*")
_NEGATIVE = re.compile(NEGATIVE_NUMBER + r"[A-Za-z ]*")
_DATAFLOW = re.compile(r"^(?:[A-Za-z0-9_.]+:)?(?P<id>[A-Za-z0-9_]+)(?:\([^)]*\))?$")


@dataclass(frozen=True)
class EurostatTable:
    """One Eurostat dataset: country-by-country observations and, apart, the aggregate rows."""

    dataset: str
    observations: pd.DataFrame  # citizen and geo both countries
    aggregates: pd.DataFrame  # citizen or geo an aggregate (TOTAL, EU28, ASI, STLS...)
    last_update: str | None
    source: Path
    caveats: tuple[str, ...] = ()  # what data/reference/caveats.yml changed (or could not apply)


def dataflow_id(cell: str) -> str:
    """Dataset id in a DATAFLOW cell, lower case: 'ESTAT:MIGR_EIORD(1.0)' -> 'migr_eiord'."""
    match = _DATAFLOW.match(cell.strip())
    return match.group("id").lower() if match else ""


def normalise_flags(letters: str) -> str:
    """Flag letters sorted and without repeats: 'pe' -> 'ep'."""
    return "".join(sorted(set(letters)))


def latest_stamp(stamps: pd.Series) -> str | None:
    """The most recent LAST UPDATE stamp ('dd/mm/yy HH:MM:SS'), None if all empty."""
    distinct = [s for s in stamps.unique() if s.strip()]
    if not distinct:
        return None
    parsed = pd.to_datetime(pd.Series(distinct), format="%d/%m/%y %H:%M:%S", errors="coerce")
    if parsed.isna().any():
        return max(distinct)
    return distinct[int(parsed.argmax())]


def _code_accepted(values: pd.Series) -> pd.Series:
    return values.isin(known_country_codes() | AGGREGATE_CODES.keys())


def _check_dimensions(frame: pd.DataFrame, dims: tuple[str, ...], problems: RowProblems) -> None:
    """Citizen and geo must be known codes, other dimensions non-empty codes, freq annual."""
    for dim in dims:
        values = frame[dim]
        if dim in ("citizen", "geo"):
            report_code_problems(problems, values, dim, _code_accepted,
                                 "a known country or aggregate")
            continue
        problems.add_bad_values(~fullmatch_mask(values, r"[A-Za-z0-9_]+"), values, dim,
                                "expected a code (letters, digits, '_')")
    freq = frame["freq"]
    problems.add_bad_values((freq != "A") & (freq != ""), freq, "freq",
                            "expected annual data (freq 'A')")


def _check_dataflow(frame: pd.DataFrame, dataset: str, problems: RowProblems) -> None:
    cells = frame["DATAFLOW"]
    ids = cells.map({c: dataflow_id(c) for c in cells.unique()})
    problems.add_bad_values(ids != dataset, cells, "DATAFLOW",
                            f"DATAFLOW does not match dataset {dataset}")


def parse_value_cell(cell: str) -> tuple[int | None, str, str | None]:
    """(value, flag letters, error) for one OBS_VALUE cell: '123', '123 p', ':', ': c' or ''."""
    match = _VALUE_CELL.fullmatch(cell)
    if match:
        number = match.group("number")
        return (int(number) if number else None), match.group("flags"), None
    if not cell.strip():
        return None, "", None
    if _NEGATIVE.fullmatch(cell):
        return None, "", "negative count (expected 0 or more)"
    return None, "", "expected a whole number, ':' or empty (not available)"


def _parse_values(frame: pd.DataFrame, problems: RowProblems) -> tuple[pd.Series, pd.Series]:
    """OBS_VALUE as nullable integers and the flag letters written in the value cell."""
    cells = frame["OBS_VALUE"]
    parsed = map_unique(cells, parse_value_cell, "object")
    errors = parsed.map(lambda t: t[2])
    for error in errors.dropna().unique():
        problems.add_bad_values(errors == error, cells, "OBS_VALUE", error)
    value = pd.array(parsed.map(lambda t: t[0]).tolist(), dtype="Int64")
    return pd.Series(value, index=cells.index), parsed.map(lambda t: t[1]).astype("str")


def _check_flag_letters(letters: pd.Series, cells: pd.Series, field_name: str,
                        problems: RowProblems) -> None:
    unknown = fullmatch_mask(letters, f".*[^{FLAG_LETTERS}].*")
    problems.add_bad_values(unknown, cells, field_name,
                            f"unknown flag (known: {', '.join(FLAG_LETTERS)})")


def _check_years(frame: pd.DataFrame, problems: RowProblems) -> pd.Series:
    years = frame["TIME_PERIOD"]
    ok = fullmatch_mask(years, r"(19|20)[0-9]{2}")
    problems.add_bad_values(~ok, years, "TIME_PERIOD", "expected a year YYYY")
    return pd.to_numeric(years.where(ok, "0")).astype("int64")


def _check_duplicates(frame: pd.DataFrame, key: list[str], problems: RowProblems) -> None:
    """Every repeat of a series key and year names the row it repeats."""
    repeated = frame.duplicated(key, keep="first")
    if not repeated.any():
        return
    group = frame.groupby(key, sort=False).ngroup()
    first_line = pd.Series(problems.lines).groupby(group.to_numpy()).transform("min").to_numpy()
    keys = frame[key].to_numpy()

    def message(pos: int) -> str:
        described = ", ".join(f"{k}={v}" for k, v in zip(key, keys[pos]))
        return f"duplicate key ({described}): same series and year as row {first_line[pos]}"

    problems.add(repeated, "TIME_PERIOD", message)


def _tidy(frame: pd.DataFrame, dims: tuple[str, ...], year: pd.Series, value: pd.Series,
          flags: pd.Series) -> pd.DataFrame:
    others = [d for d in dims if d not in ("citizen", "geo")]
    tidy = frame[["citizen", "geo", *others]].copy()
    tidy["year"] = year.to_numpy()
    tidy["value"] = value.array
    tidy["flags"] = flags.to_numpy()
    return tidy.reset_index(drop=True)


def read_sdmx_csv(path: Path, dataset: str) -> EurostatTable:
    """Read one Eurostat SDMX-CSV file; InputError listing every malformed row (row, field)."""
    if dataset not in DATASET_DIMENSIONS:
        raise ValueError(f"unknown dataset {dataset!r}; known: {', '.join(DATASET_DIMENSIONS)}")
    dims = DATASET_DIMENSIONS[dataset]
    path = Path(path)
    raw = read_csv_strings(path)
    check_header(path, raw.header,
                 ["DATAFLOW", "LAST UPDATE", *dims, "TIME_PERIOD", "OBS_VALUE", "OBS_FLAG"],
                 OPTIONAL_COLUMNS)
    frame, problems = raw.frame, RowProblems(path, raw.lines)
    _check_dataflow(frame, dataset, problems)
    _check_dimensions(frame, dims, problems)
    year = _check_years(frame, problems)
    value, value_flags = _parse_values(frame, problems)
    column_flags = map_unique(frame["OBS_FLAG"], str.strip, "str")
    _check_flag_letters(value_flags, frame["OBS_VALUE"], "OBS_VALUE", problems)
    _check_flag_letters(column_flags, frame["OBS_FLAG"], "OBS_FLAG", problems)
    _check_duplicates(frame, [*dims, "TIME_PERIOD"], problems)
    problems.raise_if_any(raw.problems)

    combined = column_flags + value_flags
    flags = combined.map({c: normalise_flags(c) for c in combined.unique()}).astype("str")
    tidy = _tidy(frame, dims, year, value, flags)
    countries = known_country_codes()
    is_obs = (tidy["citizen"].isin(countries) & tidy["geo"].isin(countries)).to_numpy()
    schema = eurostat_schema(dims)
    return EurostatTable(
        dataset=dataset,
        observations=schema.validate(tidy[is_obs].reset_index(drop=True)),
        aggregates=schema.validate(tidy[~is_obs].reset_index(drop=True)),
        last_update=latest_stamp(frame["LAST UPDATE"]),
        source=path,
    )


def _load(public_dir: Path, dataset: str, caveats: Caveats | None) -> EurostatTable:
    """Read a dataset and apply the caveats written for this very file (its sha256)."""
    table = read_sdmx_csv(Path(public_dir) / DATASET_FILES[dataset], dataset)
    cells, notes = applicable(caveats, dataset, table.source)
    return EurostatTable(dataset, mark_not_available(table.observations, cells),
                         mark_not_available(table.aggregates, cells), table.last_update, table.source,
                         tuple(notes))


def load_return_decisions(public_dir: Path, caveats: Caveats | None = None) -> EurostatTable:
    """Third-country nationals ordered to leave (migr_eiord), by citizenship and reporting state."""
    return _load(public_dir, "migr_eiord", caveats)


def load_returns(public_dir: Path, caveats: Caveats | None = None) -> EurostatTable:
    """Third-country nationals returned to a third country (migr_eirtn, c_dest THRD only)."""
    table = _load(public_dir, "migr_eirtn", caveats)

    def third(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["c_dest"] == RETURNS_TO_THIRD_COUNTRIES].reset_index(drop=True)

    return EurostatTable(table.dataset, third(table.observations), third(table.aggregates),
                         table.last_update, table.source, table.caveats)


def load_asylum_applications(public_dir: Path, caveats: Caveats | None = None) -> EurostatTable:
    """Asylum applicants by citizenship, sex and reporting country (migr_asyappctza): context."""
    return _load(public_dir, "migr_asyappctza", caveats)


def load_caveats(reference_dir: Path) -> Caveats | None:
    """The project's caveats for the Eurostat datasets (data/reference/caveats.yml), if any."""
    path = Path(reference_dir) / CAVEATS_FILE
    return read_caveats(path, DATASET_FILES) if path.exists() else None
