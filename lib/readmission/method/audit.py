"""The audit trail of the assessed levels: who assessed and reviewed each country, when, with which
entry (its hash) and, in a git checkout, the commit that last changed it; and the sign-off check."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pandas as pd

from ..base.paths import OutputTree, Project, published_editions
from ..base.errors import InputError
from ..settings.params import read_yaml_mapping

AUDIT_COLUMNS = ["edition", "country", "name", "method_level", "assessed_level", "status", "assessed_by",
                 "assessed_on", "reviewed_by", "reviewed_on", "entry", "commit"]


def last_commit(project: Project, path: Path) -> str:
    """The short hash of the commit that last changed `path`; '' outside a git checkout or if never committed."""
    if not project.git.exists() or not path.exists():
        return ""
    try:
        done = subprocess.run(["git", "-C", str(project.root), "log", "-1", "--format=%h", "--",
                               str(path.relative_to(project.root))], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def audit_rows(project: Project, tree: OutputTree) -> pd.DataFrame:
    """One row per assessed country of an edition: levels, sign-off, the entry's hash and commit."""
    run = json.loads(tree.run_file.read_text(encoding="utf-8"))
    rows = []
    for entry in run.get("countries", []):
        path = tree.countries / f"{entry['country']}.json"
        if not (entry.get("ok") and path.exists()):
            continue
        public = json.loads(path.read_text(encoding="utf-8"))["public"]
        j = public.get("assessment") or {}
        params = project.country_params(entry["country"])
        rows.append({"edition": tree.year, "country": entry["country"], "name": public["name"],
                     "method_level": public["level"], "assessed_level": j.get("assessed_level", public["level"]),
                     "status": j.get("status", "not reviewed"), "assessed_by": j.get("assessed_by") or "",
                     "assessed_on": j.get("assessed_on") or "", "reviewed_by": j.get("reviewed_by") or "",
                     "reviewed_on": j.get("reviewed_on") or "",
                     "entry": (j.get("entry_sha256") or "")[:12],
                     "commit": last_commit(project, params) if j.get("analyst_entry") else ""})
    return pd.DataFrame(rows, columns=AUDIT_COLUMNS)


def unsigned(project: Project, audience: str, years: list[int] | None = None) -> dict[int, list[str]]:
    """Per edition of the audience's site, the countries no reviewer has signed off."""
    missing = {}
    for year in years or published_editions(project, audience):
        table = audit_rows(project, OutputTree(project, year, audience))
        codes = table.loc[table["status"] != "reviewed", "country"].tolist()
        if codes:
            missing[year] = codes
    return missing


def signoff_editions(project: Project, published: list[int]) -> list[int]:
    """The editions that must be signed off before publication (params/publication.yml,
    `signoff_required`: latest, all, or data years; by default the latest edition on the site)."""
    path = project.params / "publication.yml"
    setting = read_yaml_mapping(path).get("signoff_required", "latest") if path.exists() else "latest"
    if setting == "latest":
        return published[-1:]
    if setting == "all":
        return list(published)
    if isinstance(setting, list) and all(isinstance(y, int) and not isinstance(y, bool) for y in setting):
        return sorted(set(setting) & set(published))
    raise InputError.single(path, f"expected latest, all or a list of data years, got {str(setting)[:40]!r}",
                            field="signoff_required")

