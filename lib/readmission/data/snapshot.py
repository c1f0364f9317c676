"""Provenance of the public inputs: verified import of the offline snapshot, checksums, manifest.

The snapshot is third-party data. It is copied at run time into the git-ignored data/public/,
every file checked against the sha256 in its `<file>.meta.yml`, and never committed.
"""

from __future__ import annotations

import csv
import os
import re
import secrets
import shutil
from hashlib import sha256
from pathlib import Path

import yaml

from ..base.errors import InputError, Problem, raise_if_any
from ..base.paths import backup_folder, beside

EUROSTAT_FILES = ("eurostat/migr_eiord.csv", "eurostat/migr_eirtn.csv",
                  "eurostat/migr_asyappctza.csv")
FRONTEX_FILES = ("frontex/illegal_border_crossings.csv", "frontex/return_operations.csv")
MAPPING_FILES = ("eurostat/country_labels.csv", "eurostat/iso3_codes.csv")
REQUIRED_FILES = EUROSTAT_FILES + FRONTEX_FILES + MAPPING_FILES

META_SUFFIX = ".meta.yml"
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: same result, faster
DATA_SUFFIXES = (".csv",)
API_CHANNEL = "eurostat-api"  # meta.source.channel of files written by fetch.py
STAMP = re.compile(r"\b\d{2}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}\b")  # Eurostat LAST UPDATE
MANIFEST_FIELDS = ("sha256", "origin", "last_update", "rows")


def meta_path(data_path: Path) -> Path:
    """The `<file>.meta.yml` that describes a data file."""
    return data_path.with_name(data_path.name + META_SUFFIX)


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes, read in chunks so large files need little memory."""
    digest = sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_meta(meta_path: Path) -> dict:
    """A parsed .meta.yml; InputError naming the file if it is missing, not YAML or lacks sha256."""
    meta_path = Path(meta_path)
    if not meta_path.is_file():
        raise InputError.single(meta_path, "metadata file missing")
    try:
        data = yaml.load(meta_path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except (yaml.YAMLError, UnicodeDecodeError, ValueError) as exc:  # ValueError: 2024-02-30
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise InputError.single(meta_path, f"not readable as YAML: {_one_line(exc)}", row) from exc
    outs = data.get("outs") if isinstance(data, dict) else None
    if not isinstance(outs, list) or not all(isinstance(o, dict) and o.get("sha256") for o in outs):
        raise InputError.single(meta_path, "no sha256 in outs (expected outs: [{path, sha256, "
                                           "...}])", field="outs")
    return data


def _out_for(meta: dict, meta_file: Path, name: str) -> dict:
    """The outs entry whose path is the data file's name."""
    for out in meta["outs"]:
        if out.get("path") == name:
            return out
    raise InputError.single(meta_file, f"no entry in outs for '{name}'", field="outs")


def verify_file(data_path: Path) -> str:
    """Check a data file against the sha256 in its .meta.yml; return the sha256."""
    data_path = Path(data_path)
    if not data_path.is_file():
        raise InputError.single(data_path, "data file missing")
    meta_file = meta_path(data_path)
    expected = str(_out_for(read_meta(meta_file), meta_file, data_path.name)["sha256"])
    actual = sha256_file(data_path)
    if actual != expected:
        raise InputError.single(
            data_path, f"sha256 mismatch: file has {actual}, {meta_file.name} says {expected} "
                       "(file changed or damaged since the metadata was written)")
    return actual


def _verify_all(folder: Path, rel_paths) -> dict[str, str]:
    """Verify every file, collecting every problem before raising; return rel path -> sha256."""
    problems: list[Problem] = []
    sums: dict[str, str] = {}
    for rel in rel_paths:
        try:
            sums[rel] = verify_file(folder / rel)
        except InputError as exc:
            problems.extend(exc.problems)
    raise_if_any(problems)
    return sums


def staging_dir(public_dir: Path, purpose: str) -> Path:
    """A fresh temporary folder next to public_dir (same file system, so renames are atomic).

    Made with mkdir rather than mkdtemp so that, renamed to public_dir, it has the usual mode.
    """
    public_dir.parent.mkdir(parents=True, exist_ok=True)
    while True:
        path = beside(public_dir, f"{purpose}-{secrets.token_hex(4)}", hidden=True)
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue


def _keep_backup(target: Path, backup: Path) -> None:
    """A second name (or copy) of target, so a failed swap can put the old file back."""
    backup.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(target, backup)
    except OSError:
        shutil.copy2(target, backup)


def _swap_files(staging: Path, public_dir: Path, rel_paths: list[str]) -> None:
    """Replace each file with os.replace; if any step fails, restore every file as it was."""
    backups = backup_folder(staging)
    done: list[tuple[Path, Path | None]] = []
    created = [d for d in sorted({(public_dir / r).parent for r in rel_paths}) if not d.exists()]
    try:
        for folder in created:
            folder.mkdir(parents=True, exist_ok=True)
        for rel in rel_paths:
            target = public_dir / rel
            backup = backups / rel if target.exists() else None
            if backup is not None:
                _keep_backup(target, backup)
            os.replace(staging / rel, target)
            done.append((target, backup))
    except BaseException:
        for target, backup in reversed(done):
            if backup is not None:
                os.replace(backup, target)
            else:
                target.unlink(missing_ok=True)
        for folder in reversed(created):
            shutil.rmtree(folder, ignore_errors=True)
        raise


def install(staging: Path, public_dir: Path, rel_paths: list[str]) -> None:
    """Move staged files into public_dir: a folder rename if it is new, else per-file replace."""
    if not public_dir.exists():
        os.replace(staging, public_dir)
    else:
        _swap_files(staging, public_dir, rel_paths)


def with_meta(rel_paths) -> list[str]:
    """Each data file followed by its .meta.yml."""
    return [p for rel in rel_paths for p in (rel, rel + META_SUFFIX)]


def import_snapshot(source: Path, public_dir: Path, validate=None) -> list[dict]:
    """Verify all seven snapshot files, then copy them into public_dir all at once or not at all.

    `validate(source)`, if given, reads the verified files as a run would (the loaders) and raises
    InputError naming file, row and field: a snapshot a run would refuse replaces nothing."""
    source, public_dir = Path(source), Path(public_dir)
    if not source.is_dir():
        raise InputError.single(source, "snapshot folder not found (expected the folder holding "
                                        "eurostat/ and frontex/ with .meta.yml files)")
    sums = _verify_all(source, REQUIRED_FILES)
    if validate is not None:
        validate(source)
    staging = staging_dir(public_dir, "import")
    try:
        for rel in with_meta(REQUIRED_FILES):
            (staging / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / rel, staging / rel)
        copied = _verify_all(staging, REQUIRED_FILES)
        changed = [rel for rel in REQUIRED_FILES if copied[rel] != sums[rel]]
        if changed:
            raise InputError([Problem(str(source / rel), "changed while being copied; try again")
                              for rel in changed])
        install(staging, public_dir, with_meta(REQUIRED_FILES))
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [manifest_entry(public_dir, rel) for rel in sorted(REQUIRED_FILES)]


def _scan_csv(path: Path) -> tuple[int, str | None]:
    """Data rows (header excluded) and the first non-empty LAST UPDATE value, if there is one."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, [])
        col = header.index("LAST UPDATE") if "LAST UPDATE" in header else None
        rows, stamp = 0, None
        for row in reader:
            rows += 1
            if stamp is None and col is not None and col < len(row) and row[col].strip():
                stamp = row[col].strip()
    return rows, stamp


def _meta_stamp(meta: dict) -> str | None:
    """The Eurostat LAST UPDATE stamp written in meta.origin.last_update (or meta.last_update)."""
    block = meta.get("meta") or {}
    origin = block.get("origin") or {}
    for text in (origin.get("last_update"), block.get("last_update")):
        found = STAMP.search(str(text or ""))
        if found:
            return found.group(0)
    return None


def _origin(meta: dict) -> str:
    """'eurostat-api' for files from fetch.py, 'synthetic' for test fixtures, else 'snapshot'."""
    block = meta.get("meta") or {}
    source = block.get("source") or {}
    if isinstance(source, dict) and source.get("channel") == API_CHANNEL:
        return API_CHANNEL
    return "synthetic" if block.get("synthetic") else "snapshot"


def manifest_entry(public_dir: Path, rel: str) -> dict:
    """One verified manifest entry: file, sha256, last_update, origin, rows."""
    path = Path(public_dir) / rel
    digest = verify_file(path)
    meta = read_meta(meta_path(path))
    rows, stamp = _scan_csv(path)
    return {"file": rel, "sha256": digest, "last_update": stamp or _meta_stamp(meta),
            "origin": _origin(meta), "rows": rows}


def data_files(public_dir: Path) -> list[str]:
    """Relative paths (with '/') of the data files under public_dir, hidden folders skipped."""
    found = []
    for path in Path(public_dir).rglob("*"):
        rel = path.relative_to(public_dir)
        if path.is_file() and path.suffix in DATA_SUFFIXES and \
                not any(part.startswith(".") for part in rel.parts):
            found.append(rel.as_posix())
    return sorted(found)


def input_manifest(public_dir: Path) -> list[dict]:
    """One verified entry per data file in public_dir, sorted by file; every problem reported."""
    public_dir = Path(public_dir)
    entries: list[dict] = []
    problems: list[Problem] = []
    for rel in data_files(public_dir) if public_dir.is_dir() else []:
        try:
            entries.append(manifest_entry(public_dir, rel))
        except InputError as exc:
            problems.extend(exc.problems)
    raise_if_any(problems)
    return entries


def _short(value) -> str:
    """A checksum cut to 12 characters; other values as they are."""
    text = str(value)
    return text[:12] if len(text) == 64 and all(c in "0123456789abcdef" for c in text) else text


def compare_manifests(old: list[dict], new: list[dict]) -> list[str]:
    """Human-readable differences between two manifests ([] when the inputs are the same)."""
    before = {e["file"]: e for e in old}
    after = {e["file"]: e for e in new}
    lines = []
    for name in sorted(before.keys() | after.keys()):
        if name not in after:
            lines.append(f"{name}: removed")
        elif name not in before:
            entry = after[name]
            lines.append(f"{name}: added (sha256 {_short(entry.get('sha256'))}, "
                         f"{entry.get('origin')}, {entry.get('rows')} rows)")
        else:
            for field in MANIFEST_FIELDS:
                was, now = before[name].get(field), after[name].get(field)
                if was != now:
                    lines.append(f"{name}: {field} changed {_short(was)} -> {_short(now)}")
    return lines


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
