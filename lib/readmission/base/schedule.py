"""The one scheduler of the keyed steps (base/steps.py): of a step's items (the edition, its countries,
its summary, the site's pages), which must be done again and why. Each item's key over its declared
inputs is compared with the key kept when it was last done; keys are kept with each input's digest,
so the answer names what changed. `run`, `run --dry-run` and `render` all ask this module; none of
them decides on its own.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .outputs import write_text_atomic
from .steps import step_key

Parts = dict[str, bytes]  # an item's inputs by declared kind
Kept = tuple[str, "dict[str, str] | None"]  # a kept key ('' when none) and its inputs' digests (None: not kept)
FORCED = "--force"


def part_digests(parts: Parts) -> dict[str, str]:
    """Each input's digest: kept beside a key, they say which input changed."""
    return {kind: hashlib.sha256(part).hexdigest() for kind, part in parts.items()}


def record(step: str, parts: Parts) -> tuple[str, dict[str, str]]:
    """What is kept of an item once done: its key, and each input's digest (to say later what changed)."""
    return step_key(step, parts), part_digests(parts)


def changed_kinds(before: dict[str, str] | None, parts: Parts) -> list[str]:
    """The declared kinds whose input differs from the one kept (all of them when none was kept)."""
    now = part_digests(parts)
    return [kind for kind in now if before is None or before.get(kind) != now[kind]]


def why(step: str, parts: Parts, kept: Kept, outputs_exist: bool = True, force: bool = False) -> str | None:
    """Why an item must be done again, in words; None when it was done with this key and its outputs exist."""
    key, before = kept
    if force:
        return FORCED
    if key == step_key(step, parts):
        return None if outputs_exist else "its outputs are missing"
    if not key or before is None:
        return "no record of its inputs from an earlier run"
    changed = changed_kinds(before, parts)
    return "changed: " + ", ".join(changed) if changed else "its key's recipe changed"


def pending(step: str, items: dict[str, Parts], kept: Callable[[str], Kept],
            outputs_exist: Callable[[str], bool] = lambda name: True, force: bool = False) -> dict[str, str]:
    """The items to do again, in the order given, each with why (`why`)."""
    found = {}
    for name, parts in items.items():
        reason = why(step, parts, kept(name), outputs_exist(name), force)
        if reason is not None:
            found[name] = reason
    return found


@dataclass(frozen=True)
class KeyFiles:
    """Keys kept as one file per item in `folder` (a run's `.runkeys/`): the key on the first line,
    then its inputs' digests (JSON). An item without a file, or with a damaged one, runs again."""

    folder: Path

    def path(self, name: str) -> Path:
        return Path(self.folder) / f"{name}.key"

    def kept(self, name: str) -> Kept:
        try:
            lines = self.path(name).read_text(encoding="utf-8").splitlines()
        except (OSError, ValueError):  # absent, unreadable, not text
            return "", None
        try:
            parts = json.loads(lines[1]) if len(lines) > 1 else None
        except ValueError:
            parts = None
        return (lines[0].strip() if lines else ""), parts if isinstance(parts, dict) else None

    def keep(self, step: str, name: str, parts: Parts) -> None:
        """Record that `name` was done with these inputs."""
        key, digests = record(step, parts)
        write_text_atomic(self.path(name), key + "\n" + json.dumps(digests, sort_keys=True) + "\n")

    def forget(self, name: str) -> None:
        """`name` runs again next time (it failed, or what it was made from is being replaced)."""
        self.path(name).unlink(missing_ok=True)

    def has(self, name: str) -> bool:
        return self.path(name).exists()
