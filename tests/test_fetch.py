"""Eurostat API download against a local HTTP server: checks, meta, and all-or-nothing writes."""

from __future__ import annotations

import hashlib
import socket
import threading
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from conftest import file_bytes, leftovers

from readmission.data import fetch
from readmission.data.fetch import (DATASET_DIMENSIONS, DATASET_FILTERS, DATASET_QUERIES,
                                    FetchError, dataset_url, fetch_datasets, key_path)
from readmission.data.snapshot import input_manifest, read_meta

FIXTURES = Path(__file__).parent / "fixtures" / "eurostat_api"
DATASETS = ("migr_eiord", "migr_eirtn", "migr_asyappctza")


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@dataclass
class Reply:
    """What the fake Eurostat sends for one dataset."""

    status: int = 200
    body: bytes = b""
    content_type: str = "text/csv; charset=utf-8"
    extra_length: int = 0  # announce more bytes than sent, then close: a truncated body
    hang: bool = False  # never answer: a timeout


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        self.server.paths.append(self.path)
        dataset = self.path.split("?")[0].split("/")[2]
        reply = self.server.replies.get(dataset) or Reply(body=fixture(f"{dataset}.csv"))
        if reply.hang:
            self.server.release.wait(10)
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body) + reply.extra_length))
        self.end_headers()
        self.wfile.write(reply.body)
        self.close_connection = True

    def log_message(self, *args):
        pass


class FakeEurostat(ThreadingHTTPServer):
    block_on_close = False
    daemon_threads = True


@pytest.fixture
def api():
    server = FakeEurostat(("127.0.0.1", 0), Handler)
    server.replies, server.paths, server.release = {}, [], threading.Event()
    server.base_url = f"http://127.0.0.1:{server.server_address[1]}/data"
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def public(tmp_path) -> Path:
    """A public_dir that already holds a README and an older download."""
    path = tmp_path / "data" / "public"
    (path / "eurostat").mkdir(parents=True)
    (path / "README.md").write_text("committed readme\n")
    (path / "eurostat" / "migr_eiord.csv").write_text("old,data\n")
    (path / "eurostat" / "migr_eiord.csv.meta.yml").write_text("outs: []\n")
    return path


def test_dataset_url():
    assert dataset_url("migr_eirtn") == ("https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1"
                                         "/data/migr_eirtn/A..THRD.TOTAL.T.PER.?format=SDMX-CSV")
    assert dataset_url("migr_eiord", "http://x/data/", start_year=2014) == \
        "http://x/data/migr_eiord/A..TOTAL.T.PER.?format=SDMX-CSV&startPeriod=2014"
    with pytest.raises(FetchError, match="migr_nope: unknown dataset"):
        dataset_url("migr_nope")


def test_keys_fit_every_accepted_dimension_order():
    assert DATASET_QUERIES == {"migr_eiord": "A..TOTAL.T.PER.",
                               "migr_eirtn": "A..THRD.TOTAL.T.PER.",
                               "migr_asyappctza": "A....TOTAL.ASY_APP."}
    for name, orders in DATASET_DIMENSIONS.items():
        for order in orders:
            assert key_path(order, DATASET_FILTERS[name]) == DATASET_QUERIES[name], (name, order)
            assert set(DATASET_FILTERS[name]) <= set(order)


def test_fixture_headers_match_the_snapshot():
    snapshot = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "snapshot"
    for name in DATASETS:
        meta = snapshot / "eurostat" / f"{name}.csv.meta.yml"
        if not meta.exists():
            pytest.skip(f"offline snapshot not found at {snapshot}")
        header = fixture(f"{name}.csv").decode().splitlines()[0].split(",")
        assert header == read_meta(meta)["outs"][0]["columns"] + ["CONF_STATUS"]


def test_fetch_writes_data_meta_and_manifest(api, public):
    messages = []
    entries = fetch_datasets(public, base_url=api.base_url, timeout=5, progress=messages.append)
    assert sorted(api.paths) == sorted(
        f"/data/{name}/{DATASET_QUERIES[name]}?format=SDMX-CSV" for name in DATASETS)
    for name in DATASETS:
        data = public / "eurostat" / f"{name}.csv"
        assert data.read_bytes() == fixture(f"{name}.csv")
        meta = yaml.safe_load((public / "eurostat" / f"{name}.csv.meta.yml").read_text())
        out = meta["outs"][0]
        assert out["path"] == f"{name}.csv"
        assert out["sha256"] == hashlib.sha256(fixture(f"{name}.csv")).hexdigest()
        assert out["size"] == len(fixture(f"{name}.csv"))
        assert out["columns"][0] == "DATAFLOW" and out["columns"][-1] == "CONF_STATUS"
        origin = meta["meta"]["origin"]
        assert origin["url"] == f"{api.base_url}/{name}/{DATASET_QUERIES[name]}?format=SDMX-CSV"
        assert origin["producer"] == "Eurostat" and origin["license"]["name"] == "CC BY 4.0"
        assert datetime.fromisoformat(origin["date_accessed"].replace("Z", "+00:00")).tzinfo
    eirtn = yaml.safe_load((public / "eurostat/migr_eirtn.csv.meta.yml").read_text())
    assert eirtn["meta"]["origin"]["last_update"] == "20/09/24 23:00:00"
    assert eirtn["outs"][0]["rows"] == 5
    by_file = {e["file"]: e for e in entries}
    assert by_file["eurostat/migr_eirtn.csv"]["last_update"] == "20/09/24 23:00:00"
    assert by_file["eurostat/migr_eiord.csv"]["rows"] == 4
    assert {e["origin"] for e in entries} == {"eurostat-api"}
    assert input_manifest(public) == sorted(entries, key=lambda e: e["file"])
    assert (public / "README.md").read_text() == "committed readme\n"
    assert leftovers(public) == [] and len(messages) == 6


def test_fetch_into_new_folder(api, tmp_path):
    public = tmp_path / "data" / "public"
    fetch_datasets(public, datasets=("migr_eirtn",), base_url=api.base_url, timeout=5)
    assert sorted(file_bytes(public)) == ["eurostat/migr_eirtn.csv", "eurostat/migr_eirtn.csv.meta.yml"]


FAILURES = {
    "404": (Reply(404, fixture("error_404.xml"), "application/xml"),
            ["HTTP 404", "No results found"]),
    "500": (Reply(500, fixture("error_500.xml"), "application/xml"),
            ["HTTP 500", "Internal Server error"]),
    "400-json": (Reply(400, fixture("error_400.json"), "application/json"),
                 ["HTTP 400", "150 INVALID_QUERY_DIMENSION"]),
    "truncated": (Reply(body=fixture("migr_eirtn.csv"), extra_length=500),
                  ["body truncated", f"{len(fixture('migr_eirtn.csv'))} of "
                                     f"{len(fixture('migr_eirtn.csv')) + 500} bytes"]),
    "cut-mid-row": (Reply(body=fixture("migr_eirtn.csv")[:-20]),
                    ["line 6", "truncated or malformed"]),
    "html": (Reply(body=fixture("maintenance.html"), content_type="text/html"),
             ["is HTML, not SDMX-CSV", "Service temporarily unavailable"]),
    "other-dataset": (Reply(body=fixture("migr_eiord.csv")),
                      ["is for dataflow ESTAT:MIGR_EIORD(1.0), not migr_eirtn"]),
    "not-sdmx-csv": (Reply(body=b"geo,year,value\nDE,2023,155\n"),
                     ["not SDMX-CSV", "expected DATAFLOW,...,TIME_PERIOD,OBS_VALUE"]),
    "header-only": (Reply(body=fixture("migr_eirtn.csv").splitlines(keepends=True)[0]),
                    ["no observations"]),
}


@pytest.mark.parametrize("case", FAILURES)
def test_failure_leaves_public_untouched(api, public, case):
    reply, expected = FAILURES[case]
    api.replies["migr_eirtn"] = reply  # the second dataset: the first one already succeeded
    before = file_bytes(public)
    with pytest.raises(FetchError) as err:
        fetch_datasets(public, base_url=api.base_url, timeout=5)
    message = str(err.value)
    assert message.startswith("migr_eirtn: ") and "\n" not in message
    assert f"{api.base_url}/migr_eirtn/" in message
    for text in expected:
        assert text in message
    assert file_bytes(public) == before
    assert leftovers(public) == []


def test_connection_refused_suggests_import(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed when the block ends: nothing listens there
    public = tmp_path / "data" / "public"
    with pytest.raises(FetchError) as err:
        fetch_datasets(public, base_url=f"http://127.0.0.1:{port}/data", timeout=5)
    message = str(err.value)
    assert message.startswith("migr_eiord: connection refused")
    assert f"127.0.0.1:{port}" in message and "readmission data import DIR" in message
    assert not public.exists() and leftovers(public) == []


def test_timeout(api, public):
    api.replies["migr_eiord"] = Reply(hang=True)
    before = file_bytes(public)
    with pytest.raises(FetchError, match=r"migr_eiord: no answer within 0.3 s .*data import DIR"):
        fetch_datasets(public, base_url=api.base_url, timeout=0.3)
    assert file_bytes(public) == before and leftovers(public) == []


def test_asyappctza_accepts_either_known_order_and_refuses_others():
    rows = "ESTAT:MIGR_ASYAPPCTZA(1.0),18/06/25 11:00:00,A,PER,AF,F,TOTAL,ASY_APP,DE,2024,10840,,\n"
    head = "DATAFLOW,LAST UPDATE,freq,{},TIME_PERIOD,OBS_VALUE,OBS_FLAG,CONF_STATUS\n"
    order_b = head.format("unit,citizen,sex,age,asyl_app,geo")
    parsed = fetch.parse_sdmx_csv("migr_asyappctza", "u", (order_b + rows).encode())
    assert parsed["dimensions"][1] == "unit" and parsed["last_update"] == "18/06/25 11:00:00"
    renamed = head.format("unit,citizen,sex,age,applicant,geo")
    with pytest.raises(FetchError, match="dimensions in u are freq,unit,citizen,sex,age,applicant"
                                         ",geo, expected .*Eurostat changed the structure"):
        fetch.parse_sdmx_csv("migr_asyappctza", "u", (renamed + rows).encode())


def test_error_text_reads_eurostat_bodies():
    assert fetch.error_text(fixture("error_404.xml")) == "100 No results found"
    assert fetch.error_text(fixture("error_400.json")).startswith("150 INVALID_QUERY_DIMENSION")
    assert fetch.error_text(b"  plain\n text  ") == "plain text"
    assert fetch.error_text(b"x" * 500).endswith("...")
