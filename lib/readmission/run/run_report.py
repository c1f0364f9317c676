"""What a run did, and where its outputs go: small and import-light, for the no-change path."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..settings.params import Edition


@dataclass
class RunReport:
    """What a whole run did: which countries ran, were reused, failed; where the summary is."""

    edition: Edition
    selected: list[str]
    executed: list[str]
    reused: list[str]
    failed: list  # of pipeline.CountryOutcome
    summary: Path | None
    notes: list[str]

    @property
    def ok(self) -> bool:
        return not self.failed and self.summary is not None


