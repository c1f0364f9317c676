"""Download Eurostat's return and asylum datasets from its SDMX 2.1 API into data/public.

All-or-nothing: every dataset is downloaded and checked in a temporary folder first, and only
when all succeeded are they moved into public_dir, each with a .meta.yml like the snapshot's.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import re
import shutil
import socket
import urllib.error
import urllib.request
from datetime import datetime, timezone
from hashlib import sha256
from pathlib import Path

import yaml

from .. import __version__
from . import snapshot

EUROSTAT_API = "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/data"
DEFAULT_DATASETS = ("migr_eiord", "migr_eirtn", "migr_asyappctza")
OFFLINE_HINT = "if offline, import the snapshot instead: readmission data import DIR"
EXTRA_COLUMNS = ("OBS_FLAG", "CONF_STATUS")  # attributes Eurostat adds after OBS_VALUE

# Dimension order. An SDMX 2.1 key path is positional: one slot per dimension, in the order of the
# dataset's data structure definition (DSD); an empty slot means all codes. Checked offline only
# (no network where this was written), against:
# - migr_eirtn: freq, citizen, c_dest, age, sex, unit, geo. VERIFIED from the header of a real
#   SDMX-CSV download (LAST UPDATE 20/09/24 23:00:00) printed in natix-x/Data-mining-in-Migration-
#   Analysis, data_preprocessing/third_country/third_country_nationals_ordered_to_leave.ipynb
#   @ a9f9a52; the snapshot's migr_eirtn.csv has the same order.
# - migr_eiord: freq, citizen, age, sex, unit, geo. From the snapshot's column order and the key
#   example in shared/notes/data-sources.md (A..TOTAL.T.PER.); NOT seen in a live response or DSD.
# - migr_asyappctza: two orders are on record: the snapshot's freq, citizen, sex, unit, age,
#   asyl_app, geo (Eurostat's old bulk TSV: citizen,sex,unit,age,asyl_app,geo) and freq, unit,
#   citizen, sex, age, asyl_app, geo (a 2022 SDMX-CSV of the monthly sibling migr_asyappctzm).
#   The key filters only slots that agree in both (freq, age, asyl_app), so it selects the same
#   data under either; sex is therefore not filtered (F, M, UNK and the total T all come back).
#   NOT verified: recent third-party code queries this dataset with `applicant=FRST` rather than
#   asyl_app; if Eurostat renamed the dimension, the query or the header check fails with a clear
#   message: then read .../sdmx/2.1/datastructure/ESTAT/MIGR_ASYAPPCTZA and update both tables.
# parse_sdmx_csv refuses a response whose dimension columns are in none of the orders below, so a
# wrong order cannot silently select a different slice.
DATASET_DIMENSIONS: dict[str, tuple[tuple[str, ...], ...]] = {
    "migr_eiord": (("freq", "citizen", "age", "sex", "unit", "geo"),),
    "migr_eirtn": (("freq", "citizen", "c_dest", "age", "sex", "unit", "geo"),),
    "migr_asyappctza": (("freq", "citizen", "sex", "unit", "age", "asyl_app", "geo"),
                        ("freq", "unit", "citizen", "sex", "age", "asyl_app", "geo")),
}
DATASET_FILTERS: dict[str, dict[str, str]] = {
    "migr_eiord": {"freq": "A", "age": "TOTAL", "sex": "T", "unit": "PER"},
    "migr_eirtn": {"freq": "A", "c_dest": "THRD", "age": "TOTAL", "sex": "T", "unit": "PER"},
    "migr_asyappctza": {"freq": "A", "age": "TOTAL", "asyl_app": "ASY_APP"},
}
DATASET_TITLES = {
    "migr_eiord": "Third country nationals ordered to leave - annual data (rounded)",
    "migr_eirtn": "Third country nationals returned following an order to leave - annual data "
                  "(rounded)",
    "migr_asyappctza": "Asylum applicants by type, citizenship, age and sex - annual aggregated "
                       "data",
}
DATASET_CAVEATS = {
    "migr_eiord": ["Values rounded by Eurostat to the nearest 5."],
    "migr_eirtn": ["Returns to third countries only (c_dest=THRD), not all returns.",
                   "Values rounded by Eurostat to the nearest 5."],
    "migr_asyappctza": ["All sexes including the total (sex=T): do not sum over sex.",
                        "Context only: not an Article 25a indicator."],
}
LICENCE = {
    "name": "CC BY 4.0",
    "url": "https://creativecommons.org/licenses/by/4.0/",
    "note": "Eurostat data, reused under the European Commission's reuse policy (Commission "
            "Decision 2011/833/EU); credit Eurostat and indicate changes.",
}


def key_path(dimensions: tuple[str, ...], filters: dict[str, str]) -> str:
    """The SDMX key: each dimension's code in DSD order, empty for all codes."""
    return ".".join(filters.get(dim, "") for dim in dimensions)


DATASET_QUERIES: dict[str, str] = {
    name: key_path(DATASET_DIMENSIONS[name][0], filters)
    for name, filters in DATASET_FILTERS.items()
}


class FetchError(Exception):
    """A download that failed or returned something unusable; the message is one line."""


def dataset_url(dataset: str, base_url: str = EUROSTAT_API, start_year: int | None = None) -> str:
    """The SDMX-CSV query URL for one dataset (optionally from start_year on)."""
    if dataset not in DATASET_QUERIES:
        raise FetchError(f"{dataset}: unknown dataset (known: {', '.join(DATASET_QUERIES)})")
    url = f"{base_url.rstrip('/')}/{dataset}/{DATASET_QUERIES[dataset]}?format=SDMX-CSV"
    return url if start_year is None else f"{url}&startPeriod={int(start_year)}"


def error_text(body: bytes, limit: int = 300) -> str:
    """Eurostat's own error message from a JSON or XML (SOAP fault / SDMX) error body."""
    text = body.decode("utf-8", errors="replace").strip()
    if text.startswith("{"):
        try:
            errors = json.loads(text).get("error")
        except (ValueError, AttributeError):
            errors = None
        errors = [errors] if isinstance(errors, dict) else errors or []
        found = [" ".join(str(e.get(k)) for k in ("id", "label") if e.get(k) is not None)
                 for e in errors if isinstance(e, dict)]
        if any(found):
            text = "; ".join(f for f in found if f)
    elif text.startswith("<"):
        parts = re.findall(r"<(?:\w+:)?(?:faultcode|faultstring|Text|title)\b[^>]*>([^<]*)<", text)
        text = " ".join(p.strip() for p in parts if p.strip()) or re.sub(r"<[^>]*>", " ", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "..."


def _network_failure(dataset: str, url: str, exc: BaseException, timeout: float) -> FetchError:
    """A one-line FetchError for a connection-level failure, with the offline hint."""
    reason = getattr(exc, "reason", exc)
    if isinstance(reason, (TimeoutError, socket.timeout)):
        what = f"no answer within {timeout:g} s"
    elif isinstance(reason, ConnectionRefusedError):
        what = "connection refused"
    elif isinstance(reason, socket.gaierror):
        what = f"host not found ({reason.strerror or reason})"
    else:
        what = f"network error ({' '.join(str(reason).split()) or type(reason).__name__})"
    return FetchError(f"{dataset}: {what} for {url}; {OFFLINE_HINT}")


def download(dataset: str, url: str, timeout: float) -> tuple[bytes, int | None]:
    """The complete body of a 200 response and its Content-Length; FetchError for anything else."""
    request = urllib.request.Request(url, headers={
        "User-Agent": f"readmission/{__version__}", "Accept": "text/csv, */*;q=0.1"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, length = response.status, response.headers.get("Content-Length")
            body = response.read()
    except urllib.error.HTTPError as exc:
        try:
            detail = error_text(exc.read())
        except (OSError, http.client.HTTPException):
            detail = ""
        raise FetchError(f"{dataset}: HTTP {exc.code} {exc.reason} from {url}"
                         + (f": {detail}" if detail else "")) from None
    except http.client.IncompleteRead as exc:
        got = len(exc.partial)
        total = got + exc.expected if isinstance(exc.expected, int) else "more"
        raise FetchError(f"{dataset}: body truncated, {got} of {total} bytes received "
                         f"from {url}; try again") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
        raise _network_failure(dataset, url, exc, timeout) from None
    expected = int(length) if length and length.isdigit() else None
    if status != 200:
        raise FetchError(f"{dataset}: HTTP {status} from {url} (expected 200 with the data): "
                         f"{error_text(body) or 'empty body'}")
    if expected is not None and len(body) != expected:
        raise FetchError(f"{dataset}: body truncated, {len(body)} of {expected} bytes received "
                         f"from {url}; try again")
    return body, expected


def _not_csv(dataset: str, url: str, text: str) -> FetchError:
    kind = "HTML" if text[:200].lower().lstrip().startswith(("<!doctype html", "<html")) else \
        "XML" if text.startswith("<") else "JSON" if text.startswith("{") else "text"
    return FetchError(f"{dataset}: response from {url} is {kind}, not SDMX-CSV: "
                      f"{error_text(text.encode()) or 'empty body'}")


def _check_header(dataset: str, url: str, header: list[str]) -> None:
    """Refuse a header that is not SDMX-CSV: DATAFLOW first, TIME_PERIOD and OBS_VALUE present."""
    if not header or header[0] != "DATAFLOW" or "TIME_PERIOD" not in header \
            or "OBS_VALUE" not in header:
        raise FetchError(f"{dataset}: response from {url} is not SDMX-CSV (header "
                         f"{','.join(header)[:120]!r}; "
                         "expected DATAFLOW,...,TIME_PERIOD,OBS_VALUE)")


def _check_dimensions(dataset: str, url: str, header: list[str]) -> tuple[str, ...]:
    """The dimension columns, refused unless in an order the key path was written for."""
    first = 2 if len(header) > 1 and header[1] == "LAST UPDATE" else 1
    dims = tuple(header[first:header.index("TIME_PERIOD")])
    if dims not in DATASET_DIMENSIONS[dataset]:
        expected = " or ".join(",".join(order) for order in DATASET_DIMENSIONS[dataset])
        raise FetchError(f"{dataset}: dimensions in {url} are {','.join(dims)}, "
                         f"expected {expected}; Eurostat changed the structure: "
                         "update DATASET_DIMENSIONS and the key")
    return dims


def parse_sdmx_csv(dataset: str, url: str, body: bytes) -> dict:
    """Check an SDMX-CSV body is complete and for this dataset; return columns, rows, coverage."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FetchError(f"{dataset}: response from {url} is not UTF-8 text") from None
    if text.lstrip().startswith(("<", "{")) or not text.strip():
        raise _not_csv(dataset, url, text.lstrip())
    rows = list(csv.reader(io.StringIO(text)))
    header, data = rows[0], rows[1:]
    _check_header(dataset, url, header)
    if not data:
        raise FetchError(f"{dataset}: response from {url} has a header but no observations")
    flow = data[0][0]
    if flow.split(":")[-1].split("(")[0].lower() != dataset:
        raise FetchError(f"{dataset}: response from {url} is for dataflow {flow}, not {dataset}")
    dims = _check_dimensions(dataset, url, header)
    for number, row in enumerate(data, start=2):
        if len(row) != len(header):
            raise FetchError(f"{dataset}: line {number} of {url} has {len(row)} fields, header "
                             f"{len(header)} (body truncated or malformed)")
    col = {name: i for i, name in enumerate(header)}
    stamps = [r[col["LAST UPDATE"]] for r in data if "LAST UPDATE" in col and r[col["LAST UPDATE"]]]
    return {"columns": header, "dimensions": dims, "rows": len(data), "dataflow": flow,
            "last_update": stamps[0] if stamps else None,
            "coverage": _coverage(dims, col, data)}


def _coverage(dims: tuple[str, ...], col: dict[str, int], data: list[list[str]]) -> dict:
    """Years covered and the codes of each dimension (a count when there are many)."""
    years = sorted({r[col["TIME_PERIOD"]] for r in data})
    codes = {}
    for dim in dims:
        values = sorted({r[col[dim]] for r in data})
        codes[dim] = values if len(values) <= 5 else f"{len(values)} codes"
    return {"years": f"{years[0]}-{years[-1]}", "dimensions": codes}


def build_meta(dataset: str, url: str, base_url: str, parsed: dict, body: bytes,
               content_length: int | None, accessed: str) -> dict:
    """A .meta.yml in the snapshot's structure (meta.origin/source/..., outs) for one download."""
    stamp = parsed["last_update"]
    title = DATASET_TITLES.get(dataset, dataset)
    origin = {
        "title": title, "producer": "Eurostat", "dataset_code": dataset,
        "url_main": f"https://ec.europa.eu/eurostat/databrowser/view/{dataset}/default/table",
        "url": url,
        "citation_full": f"Eurostat, {title} [{dataset}], LAST UPDATE {stamp or 'not given'}, "
                         f"retrieved {accessed[:10]} from the Eurostat API (SDMX 2.1, SDMX-CSV).",
        "license": dict(LICENCE), "date_accessed": accessed, "last_update": stamp or "",
    }
    source = {"channel": snapshot.API_CHANNEL, "api": base_url, "query": DATASET_QUERIES[dataset],
              "filters": dict(DATASET_FILTERS[dataset]), "dataflow": parsed["dataflow"]}
    checks = [
        {"check": "bytes read = Content-Length", "result": len(body),
         "expected": content_length if content_length is not None else "not sent",
         "status": "ok" if content_length is not None else "info"},
        {"check": "SDMX-CSV header with known dimension order", "result": ",".join(
            parsed["dimensions"]), "status": "ok"},
    ]
    meta = {"origin": origin, "source": source, "coverage": parsed["coverage"],
            "transformations": ["None: the response body is written byte for byte as received."],
            "caveats": list(DATASET_CAVEATS.get(dataset, [])), "checks": checks}
    out = {"path": f"{dataset}.csv", "rows": parsed["rows"], "columns": parsed["columns"],
           "sha256": sha256(body).hexdigest(), "size": len(body)}
    return {"meta": meta, "outs": [out]}


def _write_dataset(staging: Path, dataset: str, body: bytes, meta: dict) -> str:
    """Write data and .meta.yml into staging; return the data file's path relative to public_dir."""
    rel = f"eurostat/{dataset}.csv"
    path = staging / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)
    header = "# Written by readmission (data/fetch.py) from Eurostat's API. Do not edit by hand.\n"
    snapshot.meta_path(path).write_text(
        header + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=100),
        encoding="utf-8")
    snapshot.verify_file(path)
    return rel


def fetch_datasets(public_dir: Path, datasets=DEFAULT_DATASETS, base_url: str = EUROSTAT_API,
                   timeout: float = 60, progress=None) -> list[dict]:
    """Download, check and install the datasets; public_dir is untouched unless all succeed.

    progress, if given, is called with one-line status messages.
    """
    public_dir = Path(public_dir)
    report = progress or (lambda message: None)
    urls = {name: dataset_url(name, base_url) for name in datasets}
    staging = snapshot.staging_dir(public_dir, "fetch")
    try:
        written = []
        for name, url in urls.items():
            report(f"{name}: downloading {url}")
            body, length = download(name, url, timeout)
            parsed = parse_sdmx_csv(name, url, body)
            accessed = datetime.now(timezone.utc).isoformat(timespec="seconds").replace(
                "+00:00", "Z")
            meta = build_meta(name, url, base_url, parsed, body, length, accessed)
            written.append(_write_dataset(staging, name, body, meta))
            report(f"{name}: {parsed['rows']:,} rows, LAST UPDATE {parsed['last_update']}")
        snapshot.install(staging, public_dir, snapshot.with_meta(written))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [snapshot.manifest_entry(public_dir, rel) for rel in written]
