"""Writing outputs so that a reader never sees a half-written file: write beside, then rename."""

from __future__ import annotations

import errno
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


class OutputError(Exception):
    """An output could not be written (unwritable folder, full disk): nothing was replaced."""


class EnvironmentFault(OutputError):
    """The machine failed (disk full, no permission, read-only): a run that meets it publishes nothing."""


# errors of the machine, not of the inputs or of a calculation
ENVIRONMENT_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS)


def environment_fault(exc: BaseException) -> bool:
    """True for an environmental OSError, raised here or inside a kernel (as papermill reports it)."""
    if isinstance(exc, EnvironmentFault):
        return True
    if isinstance(exc, OSError):
        return exc.errno in ENVIRONMENT_ERRNOS
    name, value = getattr(exc, "ename", None), str(getattr(exc, "evalue", ""))
    if name == EnvironmentFault.__name__:
        return True
    return name in ("OSError", "PermissionError") and any(
        f"[Errno {code}]" in value for code in ENVIRONMENT_ERRNOS)


def output_error(path: Path, exc: OSError) -> OutputError:
    """The error to raise when `path` cannot be written: an EnvironmentFault when the machine failed."""
    kind = EnvironmentFault if environment_fault(exc) else OutputError
    return kind(f"cannot write {path}: {exc.strerror or exc}")


def replace_folder(new: Path, target: Path, old: Path) -> None:
    """Put the finished folder `new` in place of `target`: the current one moves to `old` and is
    removed only after the swap (a swap cut in half is recovered from `old`)."""
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` via a temporary file in the same folder and an atomic rename."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise output_error(path, exc) from exc
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 files; outputs are ordinary files
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise output_error(path, exc) from exc


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def dumps_json(content: Any) -> str:
    """Stable JSON: sorted keys, two-space indent, trailing newline, no NaN (null instead)."""
    return json.dumps(_plain(content), sort_keys=True, indent=2, ensure_ascii=False,
                      allow_nan=False) + "\n"


def write_json(path: Path, content: Any) -> None:
    write_text_atomic(path, dumps_json(content))


def write_csv(path: Path, frame: "pd.DataFrame") -> None:
    write_text_atomic(path, frame.to_csv(index=False, lineterminator="\n"))


def is_missing(value: Any) -> bool:
    """None, NaN, or pandas' NA or NaT (looked for only once pandas is loaded: workers never load it)."""
    pd = sys.modules.get("pandas")
    return (value is None or (isinstance(value, float) and value != value)
            or (pd is not None and (value is pd.NA or value is pd.NaT)))


def _plain(value: Any) -> Any:
    """Turn pandas/numpy scalars and NA into JSON-friendly Python values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if is_missing(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        return _plain(value.item())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
