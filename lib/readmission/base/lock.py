"""One command at a time per project: `run`, `country`, `render`, `report` and `data import|fetch`
take the project lock, and a second one stops at once, naming the command and process holding it.

The lock is `fcntl.flock` on `.readmission.lock` in the project root (git-ignored), which holds the
holder's PID, command and start time. The system releases a flock when its process dies, so a lock
file left by a killed command is stale by construction: it is taken over and rewritten.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = ".readmission.lock"


class LockHeld(Exception):
    """Another readmission command is working on this project."""


def holder(path: Path) -> dict:
    """What the lock file says about its holder ({} when unreadable or being written)."""
    try:
        content = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return content if isinstance(content, dict) else {}


def _refused(path: Path) -> LockHeld:
    info = holder(path)
    who = f"`readmission {info.get('command', '?')}` (PID {info.get('pid', '?')}, started " \
          f"{info.get('started', '?')})" if info else "another readmission command"
    return LockHeld(f"{who} is working on this project ({path}): wait until it ends, or stop it; "
                    "runs never wait for each other")


def acquire(root: Path, command: str) -> int:
    """Take the project lock for `command` and return its file descriptor; LockHeld when taken."""
    path = Path(root) / LOCK_FILE
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise _refused(path) from None
        try:
            same = os.fstat(fd).st_ino == os.stat(path).st_ino
        except FileNotFoundError:
            same = False
        if same:  # not a file its last holder removed between our open and our flock
            break
        os.close(fd)
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    os.ftruncate(fd, 0)
    os.write(fd, json.dumps({"pid": os.getpid(), "command": command, "started": stamp}).encode() + b"\n")
    return fd


def release(root: Path, fd: int) -> None:
    """Remove the lock file, then let the lock go (in this order: no one takes a file being removed)."""
    Path(root, LOCK_FILE).unlink(missing_ok=True)
    os.close(fd)


@contextmanager
def project_lock(root: Path, command: str):
    """Hold the project lock while the block runs."""
    fd = acquire(root, command)
    try:
        yield
    finally:
        release(root, fd)
