"""The validated public statistics kept on disk between processes (data/cache/, git-ignored).

Reading and validating every public file takes seconds, and the command and each of its kernels
would do it again. A slot per public-data folder holds the loaded data under a key over everything
that decides them: every file of the folder (sha256 of its bytes), the caveats file, the package's
code and the versions of the packages that parse, and the synthetic-countries switch. A slot with
another key, or that cannot be read, is ignored and rewritten: it never serves stale data, and it
is never an error. Public data only: confidential inputs are never cached.

The slot is a pickle. Unpickling runs code named in the file, so only files this tool wrote in its
own git-ignored folder are read, never a file that came with the data.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import platform
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from ..base.outputs import OutputError, write_bytes_atomic
from ..data.caveats import CAVEATS_FILE
from ..base.codes import synthetic_countries_enabled

FORMAT = b"readmission-public-cache-1"  # bump when the slot's layout changes
LIB = Path(__file__).resolve().parents[1]  # the package, every layer
PACKAGES = ("pandas", "numpy", "pandera", "pycountry", "pyyaml")  # what parses and holds the data
KEY_LENGTH = 64  # hex sha256: the slot's first line


@lru_cache(maxsize=1)
def _environment() -> bytes:
    """Python and the parsing packages' versions, and the package's own code, file by file."""
    digest = hashlib.sha256(FORMAT + platform.python_version().encode())
    for name in PACKAGES:
        try:
            digest.update(f"|{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"|{name}=absent".encode())
    for path in sorted(LIB.rglob("*.py")):
        digest.update(path.relative_to(LIB).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.digest()


def cache_key(public_dir: Path, reference_dir: Path | None) -> str:
    """sha256 over what decides the loaded public data: a different input or code, a different key."""
    public_dir = Path(public_dir).resolve()
    digest = hashlib.sha256(_environment())
    digest.update(f"|synthetic countries={synthetic_countries_enabled()}|{public_dir}\0".encode())
    for path in sorted(p for p in public_dir.rglob("*") if p.is_file()) if public_dir.is_dir() else []:
        digest.update(path.relative_to(public_dir).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    caveats = Path(reference_dir) / CAVEATS_FILE if reference_dir is not None else None
    if caveats is None:
        digest.update(b"|no caveats")
    else:
        digest.update(f"|caveats {caveats.resolve()}\0".encode())
        digest.update(caveats.read_bytes() if caveats.is_file() else b"absent")
    return digest.hexdigest()


def slot(cache_dir: Path, public_dir: Path) -> Path:
    """The one slot of a public-data folder, named by its path relative to the cache (the same in a
    copy of the project): a changed input replaces it, so the folder never grows."""
    where = os.path.relpath(Path(public_dir).resolve(), Path(cache_dir).resolve())
    return Path(cache_dir) / f"public-{hashlib.sha256(where.encode()).hexdigest()[:16]}.pickle"


def read(cache_dir: Path, public_dir: Path, key: str) -> object | None:
    """What the slot holds for `key`; None when it is absent, holds another key, or cannot be read."""
    path = slot(cache_dir, public_dir)
    try:
        with open(path, "rb") as handle:
            if handle.read(KEY_LENGTH + 1) != key.encode() + b"\n":
                return None
            return pickle.load(handle)
    except Exception:  # absent, truncated, corrupt, written by other code: read the files instead
        return None


def write(cache_dir: Path, public_dir: Path, key: str, value: object) -> None:
    """Store `value` under `key` (outputs' atomic write). A cache that cannot be written is skipped:
    the next process reads the files."""
    try:
        data = key.encode() + b"\n" + pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        write_bytes_atomic(slot(cache_dir, public_dir), data)
    except (OutputError, pickle.PicklingError):
        pass
