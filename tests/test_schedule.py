"""The one scheduler (base/schedule.py): which items of a keyed step must be done again, and why, for
`run`, `run --dry-run` and `render` alike."""

from __future__ import annotations

import re
from pathlib import Path

from readmission.base import schedule
from readmission.base.steps import KEYED, kinds, step_key

LIB = Path(__file__).resolve().parents[1] / "lib" / "readmission"
PARTS = {kind: kind.encode() for kind in kinds("country")}


def kept_as(parts: dict[str, bytes], step: str = "country") -> schedule.Kept:
    return step_key(step, parts), schedule.part_digests(parts)


def test_why_says_nothing_for_a_current_item_and_names_what_changed():
    assert schedule.why("country", PARTS, kept_as(PARTS)) is None
    assert schedule.why("country", PARTS, kept_as(PARTS), outputs_exist=False) == "its outputs are missing"
    assert schedule.why("country", PARTS, kept_as(PARTS), force=True) == "--force"
    assert schedule.why("country", PARTS, ("", None)) == "no record of its inputs from an earlier run"
    assert schedule.why("country", PARTS, (kept_as(PARTS)[0] + "x", None)) == "no record of its inputs from an earlier run"
    changed = {**PARTS, "country rows": b"other rows", "code": b"other code"}
    assert schedule.why("country", changed, kept_as(PARTS)) == "changed: code, country rows"
    # the same inputs kept under another step's recipe (the declared kinds or their order changed)
    summary = {kind: kind.encode() for kind in kinds("summary")}
    assert schedule.why("summary", summary, (kept_as(PARTS)[0], schedule.part_digests(summary))) == \
        "its key's recipe changed"


def test_pending_keeps_the_order_given_and_only_what_must_run():
    kept = {"IQ": kept_as(PARTS), "MA": ("", None), "PK": kept_as(PARTS)}
    items = {"PK": PARTS, "MA": PARTS, "IQ": {**PARTS, "country settings": b"a note"}}
    found = schedule.pending("country", items, kept.get, outputs_exist=lambda name: name != "PK")
    assert list(found) == ["PK", "MA", "IQ"]
    assert found == {"PK": "its outputs are missing", "MA": "no record of its inputs from an earlier run",
                     "IQ": "changed: country settings"}
    assert schedule.pending("country", {"IQ": PARTS}, kept.get) == {}


def test_key_files_keep_forget_and_read_damaged_files_as_no_record(tmp_path):
    keys = schedule.KeyFiles(tmp_path / ".runkeys")
    assert keys.kept("IQ") == ("", None) and not keys.has("IQ")
    keys.keep("country", "IQ", PARTS)
    assert keys.kept("IQ") == kept_as(PARTS) and keys.has("IQ")
    assert schedule.pending("country", {"IQ": PARTS}, keys.kept) == {}
    keys.path("IQ").write_text(step_key("country", PARTS) + "\n{not json\n")  # the key decides; digests only explain
    assert schedule.pending("country", {"IQ": PARTS}, keys.kept) == {}
    assert schedule.pending("country", {"IQ": {**PARTS, "code": b"new"}}, keys.kept) == \
        {"IQ": "no record of its inputs from an earlier run"}
    keys.path("IQ").write_bytes(b"\x00\xff damaged")
    assert schedule.pending("country", {"IQ": PARTS}, keys.kept) == {"IQ": "no record of its inputs from an earlier run"}
    keys.forget("IQ")
    assert not keys.has("IQ")
    keys.forget("IQ")  # forgetting twice is no error


def test_every_keyed_step_is_decided_by_the_scheduler_and_no_module_compares_keys_itself():
    code = {p: p.read_text(encoding="utf-8") for p in LIB.rglob("*.py")}
    asked = {step for text in code.values() for step in re.findall(r"""schedule\.(?:pending|why)\(\s*["'](\w+)["']""", text)}
    assert asked == set(KEYED)
    comparing = [p.relative_to(LIB).as_posix() for p, text in code.items() if p.name != "schedule.py" and re.search(r"(==|!=)\s*step_key\(|step_key\([^)]*\)\s*(==|!=)|read_key\(|is_current\(", text)]
    assert comparing == []
