"""The temporary projects a benchmark runs in: copies of the source's inputs, real or synthetic countries."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml

from readmission.base.paths import PUBLIC, OutputTree
from readmission.base.paths import Project

from .measure import Abort


def make_project(source: Path, root: Path, threshold: int | None = None) -> Path:
    """A copy of the project's inputs (`Project.copy_inputs`, as the tests' projects), no data, no outputs."""
    Project(source).copy_inputs(root)
    if threshold is not None:
        set_threshold(root, threshold)
    return root


def edition_file(root: Path, year: int) -> Path:
    return Project(root).edition_params(year)


def set_threshold(root: Path, threshold: int, year: int = 2016) -> None:
    """The edition's selection threshold changed, and its label saying so."""
    content = yaml.safe_load(edition_file(root, year).read_text(encoding="utf-8"))
    content["threshold"] = threshold
    content["label"] = f"benchmark: more than {threshold} return decisions"
    Project(root).write_edition(year, content)


def selected_codes(root: Path, year: int) -> list[str]:
    """The countries the tool's run selected (notebooks/selection/<year>/selection.json, else the public run record)."""
    selection = Project(root).edition_results(year) / "selection.json"
    if selection.exists():
        return json.loads(selection.read_text(encoding="utf-8"))["selected"]
    run = OutputTree(Project(root), year, PUBLIC).run_file
    if run.exists():
        return [c["country"] for c in json.loads(run.read_text(encoding="utf-8"))["countries"]]
    raise Abort(f"no selection.json nor {run} under {root}: cannot tell which countries were selected")


def synthetic_countries(n: int) -> dict[str, tuple[int, float]]:
    """n synthetic countries Q000.., each well above the threshold, with varied sizes and propensities."""
    return {f"Q{i:03d}": (2000 + (i * 7919) % 18000, round(0.05 + 0.05 * (i % 10), 2)) for i in range(n)}


def iso_countries(source: Path, n: int) -> dict[str, tuple[int, float]]:
    """n real two-letter codes (not reporting states) carrying synthetic numbers: the fallback when
    the tool rejects the synthetic Q codes."""
    import pycountry

    states = {line.split(",")[0] for line in
              (source / "data" / "reference" / "reporting_states.csv").read_text(encoding="utf-8").splitlines()[1:]}
    codes = sorted({c.alpha_2 for c in pycountry.countries} - {"GR", "GB"} - states)
    if n > len(codes):
        raise Abort(f"only {len(codes)} two-letter codes available, {n} asked")
    return {code: values for code, values in zip(codes, synthetic_countries(n).values())}


# Synthetic codes have no ISO3 code, so write_fixture gives them no Frontex border-crossing rows; a
# header-only file is rejected by the loader. One real country, visa-free in the benchmark's visa list
# (so never selected), keeps that file non-empty.
FRONTEX_FILLER = {"AL": (20000, 0.60)}


def write_visa_list(root: Path, codes: list[str]) -> None:
    """The benchmark's visa list: exactly these countries are visa-required."""
    path = root / "data" / "reference" / "visa_required.csv"
    header = path.read_text(encoding="utf-8").splitlines()[0]
    rows = [f"{c},,{c},Synthetic country {c},2012-01-01,,benchmark,synthetic numbers,benchmarks/run.py,inferred"
            for c in codes]
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


def scaling_project(frozen: Path, tmp: Path, n: int, scheme: str) -> tuple[Path, dict, list[str], Path]:
    """A project whose public data are the synthetic fixture for n countries, all visa-required."""
    root = tmp / f"{scheme}-{n}"
    shutil.rmtree(root, ignore_errors=True)
    make_project(frozen, root, threshold=1000)
    countries = synthetic_countries(n) if scheme == "synthetic" else iso_countries(frozen, n)
    spec = tmp / f"{scheme}-{n}.json"
    spec.write_text(json.dumps({**countries, **(FRONTEX_FILLER if scheme == "synthetic" else {})}),
                    encoding="utf-8")
    env = {"READMISSION_ROOT": str(root), "READMISSION_SYNTHETIC_COUNTRIES": "1"}
    return root, env, list(countries), spec
