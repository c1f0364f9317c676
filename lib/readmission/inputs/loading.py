"""Everything one edition's assessment reads, loaded and validated once, with its provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from . import public_cache
from ..data import eurostat, frontex, snapshot
from ..data.confidential import ConfidentialInputs, load_confidential
from ..data.reference import ReferenceTables, load_reference
from ..base.errors import InputError
from ..settings.limits import load_limits
from ..settings.params import Edition, Method
from ..data.reference import edition_state_codes
from ..base.paths import Project, confidential_source


@dataclass(frozen=True)
class PublicData:
    """The public statistics: Eurostat tables and Frontex tables (None when not available)."""

    decisions: eurostat.EurostatTable
    returns: eurostat.EurostatTable
    asylum: eurostat.EurostatTable | None
    crossings: pd.DataFrame | None
    operations: pd.DataFrame | None
    manifest: list[dict]
    synthetic: bool  # True for the committed test fixture


@dataclass(frozen=True)
class AssessmentInputs:
    """One edition's inputs: settings, legal facts, public statistics and confidential answers."""

    edition: Edition
    method: Method
    reference: ReferenceTables
    states: list[str]
    public: PublicData
    confidential: ConfidentialInputs
    notes: list[str] = field(default_factory=list)


def _optional(loader, public_dir: Path, rel: str):
    """Load a context dataset, or None when it is absent (fetched data have no Frontex tables)."""
    return loader(public_dir) if (Path(public_dir) / rel).exists() else None


def is_synthetic(public_dir: Path) -> bool:
    """A public-data folder is synthetic when its migr_eiord metadata says so (the test fixture)."""
    meta = snapshot.meta_path(Path(public_dir) / eurostat.DATASET_FILES["migr_eiord"])
    if not meta.exists():
        return False
    content = yaml.safe_load(meta.read_text(encoding="utf-8")) or {}
    return bool((content.get("meta") or {}).get("synthetic"))


_CACHE: dict[tuple, object] = {}


def folder_state(*folders: Path) -> tuple:
    """Name, size and modification time of every file under the folders: a cheap change detector."""
    state = []
    for folder in folders:
        folder = Path(folder).resolve()
        files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
        state.append((str(folder), tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files)))
    return tuple(state)


def cached(kind: str, folder: Path, load, *more: Path):
    """`load()` once per process for an unchanged folder.

    A warm kernel runs many countries' notebooks one after another: the public statistics and
    legal facts are read and validated once, not once per country. Callers never modify the frames.
    """
    key = (kind, folder_state(folder, *more))
    if key not in _CACHE:
        if len(_CACHE) > 8:
            _CACHE.clear()
        _CACHE[key] = load()
    return _CACHE[key]


def load_public(public_dir: Path, notes: list[str], reference_dir: Path | None = None,
                cache_dir: Path | None = None) -> PublicData:
    """Read and validate the public statistics of `public_dir`, with the manifest of what was read.

    The caveats of `reference_dir`/caveats.yml are applied by the loaders; notes say which. With
    `cache_dir` (the project's data/cache/), data this very folder gave before are read from there.
    """
    public = _read_public(Path(public_dir), reference_dir, cache_dir).data
    notes.extend(public_notes(public, public_dir))
    return public


@dataclass
class _PublicRead:
    """Public data as read in this process, and their cache key until they are stored."""

    data: PublicData
    unstored_key: str | None


def _memo_public(public_dir: Path, reference_dir: Path | None, load) -> _PublicRead:
    """The process's memo of a public-data folder (read with these caveats), filled by `load` once."""
    return cached("public", public_dir, load, *((reference_dir,) if reference_dir else ()))


def _read_public(public_dir: Path, reference_dir: Path | None, cache_dir: Path | None) -> _PublicRead:
    return _memo_public(public_dir, reference_dir, lambda: _stored_or_loaded(public_dir, reference_dir, cache_dir))


def _store(read: _PublicRead, cache_dir: Path, public_dir: Path) -> None:
    """Keep public data read from the files in the disk cache, once."""
    if read.unstored_key:
        public_cache.write(cache_dir, public_dir, read.unstored_key, read.data)
        read.unstored_key = None


def _stored_or_loaded(public_dir: Path, reference_dir: Path | None, cache_dir: Path | None) -> _PublicRead:
    """From the on-disk cache when it holds these very inputs, else read and validated from the files
    (then their key, unless a file changed while they were read)."""
    if cache_dir is None:
        return _PublicRead(_load_public(public_dir, reference_dir), None)
    key = public_cache.cache_key(public_dir, reference_dir)
    stored = public_cache.read(cache_dir, public_dir, key)
    if isinstance(stored, PublicData):
        return _PublicRead(stored, None)
    public = _load_public(public_dir, reference_dir)
    unchanged = public_cache.cache_key(public_dir, reference_dir) == key
    return _PublicRead(public, key if unchanged else None)


def store_public(project: Project) -> None:
    """Read and validate the project's public statistics now and keep them in the disk cache
    (after `data import` / `data fetch`): the first run then reads the tables ready-made."""
    _store(_read_public(project.public, project.reference, project.cache), project.cache, project.public)


def preload_public(public_dir: Path, reference_dir: Path, cache_dir: Path) -> bool:
    """Put the public data into this process's memo from the disk cache when it holds these very
    inputs (a kernel warming up while the CLI reads them); never reads the files themselves, so a
    stale cache costs nothing here. True when loaded."""
    public_dir = Path(public_dir)
    stored = public_cache.read(cache_dir, public_dir, public_cache.cache_key(public_dir, reference_dir))
    if not isinstance(stored, PublicData):
        return False
    _memo_public(public_dir, reference_dir, lambda: _PublicRead(stored, None))
    return True


def public_notes(public: PublicData, public_dir: Path) -> list[str]:
    """Which context datasets are absent, and the caveats applied."""
    return _absent_notes(public, public_dir) + caveat_notes(public)


def caveat_notes(public: PublicData) -> list[str]:
    """The caveats applied to (or not applicable to) the return decisions and returns."""
    return [*public.decisions.caveats, *public.returns.caveats]


def _absent_notes(public: PublicData, public_dir: Path) -> list[str]:
    """Which context datasets are absent (fetched data have no Frontex tables)."""
    notes = []
    for value, rel, what in ((public.asylum, eurostat.DATASET_FILES["migr_asyappctza"], "asylum applications"),
                             (public.crossings, frontex.BORDER_CROSSINGS_FILE, "Frontex border crossings"),
                             (public.operations, frontex.RETURN_OPERATIONS_FILE, "Frontex return operations")):
        if value is None:
            notes.append(f"{what} not available ({rel} not in {public_dir}): context left out")
    return notes


def _load_public(public_dir: Path, reference_dir: Path | None) -> PublicData:
    if not (Path(public_dir) / eurostat.DATASET_FILES["migr_eiord"]).exists():
        raise InputError.single(Path(public_dir) / eurostat.DATASET_FILES["migr_eiord"],
                                "public data missing: run `readmission data import DIR` "
                                "(offline snapshot) or `readmission data fetch` first")
    caveats = eurostat.load_caveats(reference_dir) if reference_dir else None
    return PublicData(
        decisions=eurostat.load_return_decisions(public_dir, caveats),
        returns=eurostat.load_returns(public_dir, caveats),
        asylum=_optional(eurostat.load_asylum_applications, public_dir, eurostat.DATASET_FILES["migr_asyappctza"]),
        crossings=_optional(frontex.load_border_crossings, public_dir, frontex.BORDER_CROSSINGS_FILE),
        operations=_optional(frontex.load_return_operations, public_dir, frontex.RETURN_OPERATIONS_FILE),
        manifest=snapshot.input_manifest(public_dir),
        synthetic=is_synthetic(public_dir),
    )


def reference_tables(project: Project) -> ReferenceTables:
    """The project's legal facts, read and validated once per process while unchanged."""
    return cached("reference", project.reference, lambda: load_reference(project.reference))


def edition_states(project: Project, edition: Edition) -> list[str]:
    """The reporting states on the edition's reference date (Eurostat codes)."""
    return edition_state_codes(reference_tables(project), edition)


def load_inputs(project: Project, edition: Edition, method: Method, countries: list[str],
                public_dir: Path | None = None, restricted_dir: Path | None = None) -> AssessmentInputs:
    """Load an edition's inputs: public statistics, legal facts, and the confidential files of
    `restricted_dir` (default data/restricted/<year>/; a demo folder is read like real files)."""
    notes: list[str] = []
    reference = reference_tables(project)
    states = edition_states(project, edition)
    public_dir = Path(public_dir or project.public)
    read = _read_public(public_dir, project.reference, project.cache)
    public = read.data
    notes.extend(public_notes(public, public_dir))
    folder = confidential_source(project, edition, restricted_dir, demo=False)
    # any third country may appear (a file covers the whole edition; a notebook asks for one)
    confidential = load_confidential(folder, set(states), None, edition.data_year, load_limits(project))
    _store(read, project.cache, public_dir)  # every input was valid: the next process reads it from disk
    if confidential.synthetic:
        notes.append("confidential inputs: the seeded synthetic demo set (illustrative only)")
    return AssessmentInputs(edition, method, reference, states, public, confidential, notes)


def load_public_inputs(project: Project, edition: Edition, method: Method,
                       public_dir: Path | None = None) -> AssessmentInputs:
    """An edition's public inputs only (a public page's kernel): its confidential tables are empty and
    no confidential folder is opened; the page's confidential figures come from the release."""
    public_dir = Path(public_dir or project.public)
    read = _read_public(public_dir, project.reference, project.cache)
    nothing = ConfidentialInputs(pd.DataFrame(), pd.DataFrame(), synthetic=False, label="")
    _store(read, project.cache, public_dir)
    return AssessmentInputs(edition, method, reference_tables(project), edition_states(project, edition),
                            read.data, nothing, public_notes(read.data, public_dir))
