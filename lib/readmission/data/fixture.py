"""A small synthetic public-data folder for tests and the notebook's defaults (never real data).

Same layout and formats as the offline snapshot, with every .meta.yml saying `synthetic: true`,
so any page built on it says so. Regenerate with `python -m readmission.data.fixture DIR`.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pycountry
import yaml

from ..base.outputs import write_text_atomic
from ..base.paths import Project
from .snapshot import sha256_file

FIXTURE_LABEL = "SYNTHETIC TEST FIXTURE - invented numbers in Eurostat's and Frontex's layouts"
STATES = ["BE", "DE", "FR", "IT", "LU", "NL", "DK", "IE", "UK", "EL", "ES", "PT", "AT", "FI", "SE",
          "CY", "CZ", "EE", "HU", "LV", "LT", "MT", "PL", "SK", "SI", "BG", "RO", "HR", "IS", "NO",
          "CH", "LI"]
# country -> (scale of return decisions, return propensity); AL is visa-free, GH a near miss
COUNTRIES = {"IQ": (9000, 0.30), "PK": (6000, 0.15), "NG": (4000, 0.08), "MA": (7000, 0.12),
             "GN": (1500, 0.03), "GH": (700, 0.20), "AL": (20000, 0.60)}
# the tests' edition: IQ, MA and PK are the fixture countries above 5,000 decisions in 2015
FIXTURE_EDITION = {"data_year": 2016, "selection_year": 2015, "threshold": 5000,
                   "reference_date": dt.date(2016, 12, 31)}
DECISION_YEARS = range(2012, 2017)
RETURN_YEARS = range(2014, 2017)


def _weights(rng: np.random.Generator) -> np.ndarray:
    """A skewed share of cases per reporting state (big states get most, a few get none)."""
    weights = rng.pareto(1.2, len(STATES)) + 0.05
    weights[rng.random(len(STATES)) < 0.2] = 0
    return weights / weights.sum()


def _round5(values: np.ndarray) -> np.ndarray:
    return (np.round(values / 5) * 5).astype(int)


def eurostat_rows(rng: np.random.Generator, countries: dict) -> tuple[list, list, list]:
    """Rows of migr_eiord, migr_eirtn (THRD) and migr_asyappctza for the fixture countries."""
    eiord, eirtn, asy = [], [], []
    for country, (scale, propensity) in countries.items():
        weights = _weights(rng)
        for year in DECISION_YEARS:
            decisions = _round5(scale * weights * rng.uniform(0.8, 1.2, len(STATES)))
            returns = _round5(decisions * propensity * rng.uniform(0.5, 1.5, len(STATES)))
            for state, d, r in zip(STATES, decisions, returns):
                value = "" if state == "IS" else str(d)  # Iceland never reports, as in the snapshot
                eiord.append([country, "TOTAL", "T", "PER", state, year, value, ""])
                if year in RETURN_YEARS and r > 0 and state not in {"IS", "CH"}:
                    eirtn.append([country, "THRD", "TOTAL", "T", "PER", state, year, r, ""])
                if year in RETURN_YEARS and d > 0:
                    asy.append([country, "M", "PER", "TOTAL", "ASY_APP", state, year, int(d // 2) + 5, ""])
    return eiord, eirtn, asy


def frontex_rows(rng: np.random.Generator, countries: dict) -> tuple[list, list]:
    """Rows of illegal border crossings (monthly) and return operations for the fixture countries."""
    crossings, operations = [], []
    for country in countries:
        record = pycountry.countries.get(alpha_2=country)
        if record is None:  # synthetic benchmark countries have no ISO3 code: no Frontex rows
            continue
        iso3 = record.alpha_3
        for year in (2015, 2016):
            for month in range(1, 13):
                crossings.append(["Central Mediterranean Route", "Sea", iso3, f"{year}-{month:02d}",
                                  int(rng.integers(1, 400))])
    for number, country in enumerate(["NG", "PK", "AL"], start=1):
        for state in ["DE", "IT", "EL"]:
            operations.append([f"RO-2016-{number:03d}", f"2016-0{number + 2}-15", "GR" if state == "EL" else state,
                               country, int(rng.integers(3, 40)), "", ""])
    return crossings, operations


def _csv(header: list[str], rows: list[list]) -> str:
    return pd.DataFrame(rows, columns=header).to_csv(index=False, lineterminator="\n")


def _write(folder: Path, rel: str, text: str, dataset: str) -> None:
    path = folder / rel
    write_text_atomic(path, text)
    meta = {"meta": {"synthetic": True, "origin": {"title": FIXTURE_LABEL, "dataset_code": dataset,
                                                   "producer": "readmission test fixture (synthetic)"}},
            "outs": [{"path": path.name, "sha256": sha256_file(path), "rows": text.count("\n") - 1}]}
    write_text_atomic(path.with_name(path.name + ".meta.yml"), yaml.safe_dump(meta, sort_keys=True))


def write_fixture(folder: Path, seed: int = 2016, countries: dict | None = None) -> None:
    """Write the synthetic public-data folder (deterministic for a given seed and countries).

    `countries` maps a code to (scale of return decisions, return propensity); the default is
    the committed fixture's seven countries.
    """
    rng = np.random.default_rng(seed)
    countries = COUNTRIES if countries is None else countries
    eiord, eirtn, asy = eurostat_rows(rng, countries)
    crossings, operations = frontex_rows(rng, countries)
    dims = {"migr_eiord": ["citizen", "age", "sex", "unit", "geo"],
            "migr_eirtn": ["citizen", "c_dest", "age", "sex", "unit", "geo"],
            "migr_asyappctza": ["citizen", "sex", "unit", "age", "asyl_app", "geo"]}
    for dataset, rows in (("migr_eiord", eiord), ("migr_eirtn", eirtn), ("migr_asyappctza", asy)):
        header = ["DATAFLOW", "LAST UPDATE", "freq"] + dims[dataset] + ["TIME_PERIOD", "OBS_VALUE", "OBS_FLAG"]
        full = [[f"ESTAT:{dataset.upper()}(1.0)", "01/01/17 00:00:00", "A"] + row for row in rows]
        _write(folder, f"eurostat/{dataset}.csv", _csv(header, full), dataset)
    if crossings:  # synthetic Q-codes have no ISO3 code: no file rather than a header-only one
        _write(folder, "frontex/illegal_border_crossings.csv",
               _csv(["route", "border_type", "nationality_iso3", "month", "detections"], crossings),
               "illegal border crossings")
    _write(folder, "frontex/return_operations.csv",
           _csv(["operation_id", "date", "participating_state", "destination", "returnees",
                 "participating_state_label", "destination_label"], operations), "return operations")


def fixture_project(source: Project, root: Path) -> Project:
    """A copy of `source`'s inputs in `root` on its committed fixture, with the fixture edition."""
    project = source.copy_inputs(root)
    shutil.copytree(source.public_fixture, project.public)
    project.write_edition(FIXTURE_EDITION["data_year"], FIXTURE_EDITION)
    return project


if __name__ == "__main__":  # pragma: no cover
    write_fixture(Path(sys.argv[1]))
