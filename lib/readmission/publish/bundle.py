"""The publishing bundle: the gated public site as one versioned, verifiable, reproducible archive.

`publish` packs `_site/` (every edition it holds) into `dist/readmission-<version>.tar.gz` with
`SHA256SUMS` (every file of the site) and `manifest.json` (editions, commit, package versions, the
sha256 of every public input, who signed off, the build date taken from the commit). The same inputs
and commit give the same bytes: entries sorted, times fixed to the commit's, no owner, gzip without
a name or time of its own. `verify` checks an archive, or a folder it was extracted to, against its
sums and manifest. Nothing confidential goes in: hashes of confidential inputs and the disclosure
record stay in the restricted tree.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import subprocess
import tarfile
from datetime import datetime, timezone
from pathlib import Path

from ..method.audit import audit_rows
from ..base.errors import InputError
from ..base.paths import PUBLIC, OutputTree, Project, published_editions
from ..base.outputs import write_bytes_atomic
from ..base.versions import package_versions  # the versions that shape the outputs, as the run keys take them
from .site import rendered_site_problems

SUMS, MANIFEST, SITE_FOLDER = "SHA256SUMS", "manifest.json", "site"


class BundleError(Exception):
    """The bundle could not be built; the message says what to do."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def site_files(site: Path) -> dict[str, bytes]:
    """Every file of the site by its path inside it, sorted (links are refused: a site has none)."""
    files = {}
    for path in sorted(site.rglob("*")):
        if path.is_symlink():
            raise BundleError(f"{path}: a link in the site; a published site holds plain files only")
        if path.is_file():
            files[path.relative_to(site).as_posix()] = path.read_bytes()
    return files


def sums_text(files: dict[str, bytes]) -> str:
    """`sha256sum` format, one line a file: '<hash>  site/<path>'."""
    return "".join(f"{sha256(data)}  {SITE_FOLDER}/{name}\n" for name, data in files.items())


def git(project: Project, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(project.root), *args], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def source_commit(project: Project) -> tuple[str, int]:
    """The commit the bundle is built from and its time (the bundle's only date); a checkout with
    uncommitted changes to tracked files is refused, since the bundle would not match its commit."""
    commit = git(project, "rev-parse", "HEAD")
    if not commit:
        raise BundleError(f"{project.root} is not a git checkout with a commit: a bundle names the commit "
                          "it was built from")
    if git(project, "status", "--porcelain", "--untracked-files=no"):
        raise BundleError("uncommitted changes to tracked files: commit them first, so the bundle matches "
                          f"commit {commit[:7]} (git status shows them)")
    return commit, int(git(project, "log", "-1", "--format=%ct") or 0)


def editions_record(project: Project) -> list[dict]:
    """Each published edition: its settings, countries, public inputs' sha256 and sign-offs."""
    records = []
    for year in published_editions(project, PUBLIC):
        tree = OutputTree(project, year, PUBLIC)
        run = json.loads(tree.run_file.read_text(encoding="utf-8"))
        audit = audit_rows(project, tree)
        records.append({
            "year": year, "edition": run.get("edition", {}),
            "countries": [c["country"] for c in run.get("countries", []) if c.get("ok")],
            "synthetic_confidential_inputs": bool(run.get("synthetic_confidential")),
            "public_inputs": [{"file": i["file"], "sha256": i["sha256"]} for i in run.get("inputs", [])],
            "signed_off": [{"country": r.country, "reviewed_by": r.reviewed_by, "reviewed_on": r.reviewed_on}
                           for r in audit.itertuples() if r.status == "reviewed"]})
    return records


def manifest(project: Project, files: dict[str, bytes], commit: str, when: int) -> dict:
    return {"format": 1, "commit": commit, "built": datetime.fromtimestamp(when, timezone.utc).isoformat(),
            "editions": editions_record(project), "packages": package_versions(),
            "files": len(files), "sha256_of_sums": sha256(sums_text(files).encode())}


def tar_bytes(top: str, entries: dict[str, bytes], when: int) -> bytes:
    """A gzipped tar of `entries` under `top/`, the same bytes for the same entries and time."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        folders = {str(parent) for name in entries for parent in Path(top, name).parents if str(parent) != "."}
        for folder in sorted(folders):
            info = tarfile.TarInfo(folder)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, when
            tar.addfile(info)
        for name, data in sorted(entries.items()):
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size, info.mode, info.mtime = len(data), 0o644, when
            tar.addfile(info, io.BytesIO(data))
    packed = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=packed, mtime=when) as gz:
        gz.write(raw.getvalue())
    return packed.getvalue()


def check_site(project: Project, site: Path) -> None:
    """The site must be there and pass the publish gate again (the bundle is what leaves the house)."""
    if not (site / "index.html").is_file():
        raise BundleError(f"no rendered site at {site}: run `readmission render` first")
    problems = rendered_site_problems(project, site)
    if problems:
        shown = "\n  ".join(problems[:20])
        raise BundleError(f"the site at {site} does not pass the publish gate; nothing bundled:\n  {shown}")


def publish(project: Project, out: Path | None = None) -> Path:
    """Write dist/readmission-<version>.tar.gz from the gated _site/; return its path."""
    site = project.site
    check_site(project, site)
    commit, when = source_commit(project)
    files = site_files(site)
    years = published_editions(project, PUBLIC)
    version = f"{years[-1] if years else 'site'}-{commit[:7]}"
    top = f"readmission-{version}"
    entries = {f"{SITE_FOLDER}/{name}": data for name, data in files.items()}
    entries[SUMS] = sums_text(files).encode()
    entries[MANIFEST] = (json.dumps(manifest(project, files, commit, when), indent=1, sort_keys=True) + "\n").encode()
    archive = Path(out or project.dist) / f"{top}.tar.gz"
    write_bytes_atomic(archive, tar_bytes(top, entries, when))
    return archive


# ---- verify ----

def archive_entries(path: Path) -> dict[str, bytes]:
    """The files of an archive, or of a folder it was extracted to, by path below its top folder."""
    if path.is_dir():
        tops = [p for p in path.iterdir() if p.is_dir() and (p / SUMS).exists()]
        root = path if (path / SUMS).exists() else (tops[0] if len(tops) == 1 else path)
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
    try:
        with tarfile.open(path, "r:gz") as tar:
            return {m.name.split("/", 1)[1]: tar.extractfile(m).read() for m in tar.getmembers()
                    if m.isfile() and "/" in m.name}
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise InputError.single(path, f"not a readable bundle ({type(exc).__name__}: {exc})") from None


def verify(path: Path) -> list[str]:
    """Every difference between a bundle and its sums and manifest: changed, added, missing files."""
    entries = archive_entries(Path(path))
    if SUMS not in entries or MANIFEST not in entries:
        return [f"{path}: no {SUMS} or {MANIFEST}: not a readmission bundle"]
    listed = {}
    for line in entries[SUMS].decode("utf-8").splitlines():
        digest, _, name = line.partition("  ")
        listed[name] = digest
    problems = []
    info = json.loads(entries[MANIFEST])
    if sha256(entries[SUMS]) != info.get("sha256_of_sums"):
        problems.append(f"{SUMS}: changed (its sha256 is not the manifest's)")
    present = {name for name in entries if name.startswith(f"{SITE_FOLDER}/")}
    problems += [f"{name}: changed" for name in sorted(present & listed.keys())
                 if sha256(entries[name]) != listed[name]]
    problems += [f"{name}: added (not in {SUMS})" for name in sorted(present - listed.keys())]
    problems += [f"{name}: missing" for name in sorted(listed.keys() - present)]
    if info.get("files") != len(listed):
        problems.append(f"{MANIFEST}: says {info.get('files')} files, {SUMS} lists {len(listed)}")
    return problems
