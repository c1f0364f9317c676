"""docs/architecture.md stays true: every module of lib/readmission/ says where it is tested."""

from __future__ import annotations

import re

from conftest import REPO

LIB = REPO / "lib" / "readmission"


def doc_test_map() -> dict[str, list[str]]:
    """module (relative to lib/readmission/) -> the test files the doc names for it."""
    doc = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = doc.split("## Where each room is tested", 1)[1]
    mapping = {}
    for line in section.splitlines():
        cells = line.split("|")
        if len(cells) < 4 or not cells[1].strip().startswith("`"):
            continue
        tests = re.findall(r"`(tests/[^`]+)`", cells[2])
        for module in re.findall(r"`([^`]+\.py)`", cells[1]):
            mapping[module] = tests
    return mapping


def test_every_module_of_lib_is_mapped_to_its_tests():
    modules = {p.relative_to(LIB).as_posix() for p in LIB.rglob("*.py") if not p.name.startswith("__")}
    assert sorted(modules - set(doc_test_map())) == [], "add these modules to docs/architecture.md"
    assert sorted(set(doc_test_map()) - modules) == [], "these modules named in the doc do not exist"


def test_every_test_file_the_doc_names_exists():
    named = {test for tests in doc_test_map().values() for test in tests}
    assert named and sorted(t for t in named if not (REPO / t).exists()) == []


def test_every_module_of_the_slow_tier_exists():
    """A misspelt name would leave a slow module in the fast tier (make test-fast)."""
    from conftest import SLOW_MODULES

    assert sorted(m for m in SLOW_MODULES if not (REPO / "tests" / m).exists()) == []
