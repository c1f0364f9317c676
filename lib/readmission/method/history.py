"""Editions over time: each country's trajectory, what changed between two editions, and the
level shares and transitions across editions.

Everything here reads one audience's published results (the public tree holds aggregates only,
so public trajectories and change tables name components and counts of states, never a state's
value or rating) and the selection files every run writes.

A value keeps its mark: a result whose results file carries a synthetic_label was built on synthetic
confidential inputs, and wherever real and synthetic results meet (a trajectory, two editions
compared, shares and transitions across editions) its level is marked SYNTHETIC_MARK.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from ..base.paths import OutputTree, Project, published_editions
from ..base.levels import LEVELS, final_level, level_with_method
from .vocabulary import instrument, level_key

NOT_SELECTED = "not selected"
SYNTHETIC_MARK = " (synthetic inputs)"  # after a level built on synthetic confidential inputs
REAL, SYNTHETIC = "real", "synthetic (illustrative)"  # a trajectory's confidential_inputs column


def is_synthetic(result: dict | None) -> bool:
    """A result built on synthetic confidential inputs: its results file's synthetic_label says so."""
    return bool((result or {}).get("synthetic_label"))


def mixes(results: list[dict]) -> bool:
    """True when some of `results` are built on real and some on synthetic confidential inputs."""
    return len({is_synthetic(r) for r in results}) > 1


def marked(level: str, result: dict | None, mark: bool) -> str:
    """A level with SYNTHETIC_MARK when `mark` (real and synthetic meet) and its result is synthetic."""
    return level + SYNTHETIC_MARK if mark and is_synthetic(result) else level


@dataclass(frozen=True)
class EditionRecord:
    """One edition as published: its settings, each country's results, its selection and inputs."""

    year: int
    edition: dict
    results: dict[str, dict]           # country -> the "public" part (or full results, restricted)
    selection: pd.DataFrame | None     # notebooks/selection/<year>/selection.csv
    manifest: list[dict] = field(default_factory=list)

    def level(self, country: str, mark: bool = False) -> str:
        """The country's final level (marked synthetic when `mark`), or NOT_SELECTED."""
        result = self.results.get(country)
        return marked(final_level(result), result, mark) if result else NOT_SELECTED


def read_edition(project: Project, year: int, audience: str = "public") -> EditionRecord:
    """The edition `year` as the audience's tree holds it (results of the countries that ran)."""
    tree = OutputTree(project, year, audience)
    run = json.loads(tree.run_file.read_text(encoding="utf-8"))
    results = {}
    for entry in run.get("countries", []):
        path = tree.countries / f"{entry['country']}.json"
        if entry.get("ok") and path.exists():
            results[entry["country"]] = json.loads(path.read_text(encoding="utf-8"))["public"]
    selection_file = project.edition_results(year) / "selection.csv"
    selection = pd.read_csv(selection_file, keep_default_na=False, na_values=[""]) \
        if selection_file.exists() else None
    return EditionRecord(year, run.get("edition", {}), results, selection, run.get("inputs", []))


def load_history(project: Project, up_to: int, audience: str = "public") -> list[EditionRecord]:
    """Every edition up to `up_to` (inclusive) that has run in the audience's tree, oldest first."""
    return [read_edition(project, y, audience) for y in published_editions(project, audience) if y <= up_to]


# ---- one country across editions ----

ANSWERS_WITHHELD = "every item's mean answer withheld under the disclosure rules"


def _rate(result: dict, key: str) -> float | None:
    value = (result.get(key) or {}).get("rate")
    return None if value is None else float(value)


def mean_answer(result: dict, items: set[str] | None = None) -> float | None:
    """The mean of the published (d) item means (items withheld under disclosure control left out),
    over `items` only when given (a comparison across editions takes the items common to them)."""
    means = [i["mean_answer"] for i in result.get("cooperation_items", [])
             if i.get("mean_answer") is not None and (items is None or i["item"] in items)]
    return sum(means) / len(means) if means else None


def common_items(history: list[EditionRecord], country: str) -> set[str]:
    """The (d) items whose mean answer is published in every edition that assessed the country."""
    sets = [{i["item"] for i in r.results[country].get("cooperation_items", []) if i.get("mean_answer") is not None}
            for r in history if country in r.results]
    return set.intersection(*sets) if sets else set()


def selection_reason(record: EditionRecord, country: str) -> str:
    """Why a country was (not) selected in an edition: its decisions against the threshold, its visa status."""
    threshold = record.edition.get("threshold")
    if record.selection is None:
        return "selection not recorded"
    row = record.selection[record.selection["country"] == country]
    if row.empty:
        return f"no return decisions in {record.edition.get('selection_year')}"
    row = row.iloc[0]
    decisions = "n/a" if pd.isna(row["decisions"]) else f"{int(row['decisions']):,}"
    return f"{row['outcome']}: {decisions} return decisions (threshold {threshold:,})"


def trajectory_row(record: EditionRecord, country: str, items: set[str] | None = None,
                   mark: bool = False) -> dict:
    """One edition's row of a country's trajectory (its mean answer over `items` when given; its level
    marked synthetic when `mark`)."""
    result = record.results.get(country)
    row = {"edition": record.year, "selection": selection_reason(record, country),
           "level": record.level(country, mark),
           "method_level": result["level"] if result and result["level"] != final_level(result) else None}
    if result:
        row.update({"confidential_inputs": SYNTHETIC if is_synthetic(result) else REAL,
                    "return_decisions": result.get("return_decisions"),
                    "eu_return_rate": _rate(result, "eu_return_rate"),
                    "acceptance_rate": _rate(result, "eu_acceptance_rate"),
                    "issuance_rate": _rate(result, "eu_issuance_rate"),
                    "mean_answer": mean_answer(result, items),
                    # withheld is not missing: a figure the disclosure rules withheld reads so, with its rule
                    "acceptance_rate_suppressed": (result.get("eu_acceptance_rate") or {}).get("suppressed") or "",
                    "issuance_rate_suppressed": (result.get("eu_issuance_rate") or {}).get("suppressed") or "",
                    "mean_answer_suppressed": ANSWERS_WITHHELD if result.get("cooperation_items")
                    and mean_answer(result) is None else "",
                    "instrument": instrument(result["strongest_instrument"]) if result.get("strongest_instrument")
                    else None,
                    "rcms": result.get("rcms_status") or ("in place" if result.get("rcms_in_place") else "none")})
    return row


def country_trajectory(history: list[EditionRecord], country: str) -> pd.DataFrame:
    """A country's row in every edition of `history`: selected or not and why, level, indicators, context.

    Where editions built on real and on synthetic confidential inputs meet, a confidential_inputs
    column says which each row is, and a synthetic row's level is marked."""
    columns = ["edition", "selection", "level", "method_level", "confidential_inputs", "return_decisions",
               "eu_return_rate", "acceptance_rate", "issuance_rate", "mean_answer", "instrument", "rcms",
               "acceptance_rate_suppressed", "issuance_rate_suppressed", "mean_answer_suppressed"]
    items = common_items(history, country)  # one basis for the mean answer in every edition
    mark = mixes([r.results[country] for r in history if country in r.results])
    table = pd.DataFrame([trajectory_row(r, country, items, mark) for r in history], columns=columns)
    # the method's level beside the final one, where an analyst's assessed level differs from it
    dropped = ([] if table["method_level"].notna().any() else ["method_level"]) + \
        ([] if mark else ["confidential_inputs"])
    return table.drop(columns=dropped)


def current_record(project: Project, run: dict, results: dict[str, dict]) -> EditionRecord:
    """The edition a summary is computing (its results in the run's working folder, not yet published)."""
    year = int(run["edition"]["data_year"])
    selection_file = project.edition_results(year) / "selection.csv"
    selection = pd.read_csv(selection_file, keep_default_na=False, na_values=[""]) \
        if selection_file.exists() else None
    return EditionRecord(year, run["edition"], {c: r["public"] for c, r in results.items()}, selection,
                         run.get("inputs", []))


def with_current(history: list[EditionRecord], year: int, edition: dict, country: str, public: dict,
                 selection: pd.DataFrame | None) -> list[EditionRecord]:
    """The history before `year` plus the edition being computed (its results not yet written)."""
    current = EditionRecord(year, edition, {country: public}, selection)
    return [r for r in history if r.year < year] + [current]


def synthetic_note(history: list[EditionRecord]) -> str:
    """Where real and synthetic results meet: which editions' results are synthetic and what that
    means for a comparison (a sentence for the page); '' when they do not meet."""
    if not mixes([r for record in history for r in record.results.values()]):
        return ""
    parts = [f"{record.year} ({sum(map(is_synthetic, record.results.values()))} of {len(record.results)} countries)"
             for record in history if any(map(is_synthetic, record.results.values()))]
    return (f"Built on synthetic confidential inputs, illustrative only: edition {', '.join(parts)}. Their "
            f"levels are marked{SYNTHETIC_MARK}; a change from or to a synthetic result is not a real change.")


# ---- two editions ----

def selection_changes(previous: EditionRecord, current: EditionRecord) -> pd.DataFrame:
    """Countries entering or leaving the selection, with the reason in each edition."""
    before, after = set(previous.results) | _selected(previous), set(current.results) | _selected(current)
    rows = [{"country": c, "change": "entered" if c in after else "left",
             "before": selection_reason(previous, c), "now": selection_reason(current, c)}
            for c in sorted(before ^ after)]
    return pd.DataFrame(rows, columns=["country", "change", "before", "now"])


def _selected(record: EditionRecord) -> set[str]:
    if record.selection is None:
        return set()
    return set(record.selection.loc[record.selection["outcome"] == "selected", "country"])


def moved_components(before: dict, after: dict) -> str:
    """Which rating components moved, largest first: 'return rate 0.62 → 0.41, ...' (means over
    rated states; withheld components left out)."""
    moves = []
    for name, now in (after.get("component_scores") or {}).items():
        then = (before.get("component_scores") or {}).get(name) or {}
        if now.get("mean_score") is None or then.get("mean_score") is None:
            continue
        moves.append((abs(now["mean_score"] - then["mean_score"]), name, then["mean_score"], now["mean_score"]))
    moves.sort(reverse=True)
    return ", ".join(f"{n.replace('_', ' ')} {a:.2f} → {b:.2f}" for _, n, a, b in moves[:2]) or \
        "component scores withheld (disclosure control)"


def class_counts(counts: dict) -> str:
    """How many rated states were good, average and poor, as published: where the release withheld
    the classes (disclosure control), how many were rated and that the classes are withheld."""
    if counts.get("states_good") is None:
        rated = counts.get("states_rated")
        return ("" if rated is None else f"{rated} rated; ") + "classes withheld (disclosure control)"
    return "{states_good} good, {states_average} average, {states_poor} poor".format(**counts)


def level_changes(previous: EditionRecord, current: EditionRecord) -> pd.DataFrame:
    """Countries assessed in both editions whose level changed, and the components that moved it; a
    level built on synthetic inputs compared with a real one is marked so."""
    rows = []
    for country in sorted(set(previous.results) & set(current.results)):
        before, after = previous.results[country], current.results[country]
        if final_level(before) == final_level(after):
            continue
        mark = mixes([before, after])
        rows.append({"country": country, "name": after.get("name", country),
                     "from": marked(level_with_method(before), before, mark),
                     "to": marked(level_with_method(after), after, mark),
                     "states_before": class_counts(before["level_counts"]),
                     "states_now": class_counts(after["level_counts"]),
                     "moved_by": moved_components(before, after)})
    return pd.DataFrame(rows, columns=["country", "name", "from", "to", "states_before", "states_now",
                                       "moved_by"])


def _rate_states(result: dict) -> dict[str, tuple[float, float]]:
    """The states behind a country's EU+ return rate: those with decisions (more than 0) and returns."""
    return {r["reporting_state"]: (float(r["return_decisions"]), float(r["returns"]))
            for r in result.get("return_rates_by_state", [])
            if r.get("return_decisions") not in (None, 0) and r.get("returns") is not None}


def common_rate_change(before: dict, after: dict) -> tuple[float | None, float | None, str]:
    """The EU+ return rate of two editions over the states common to both (a change over different
    sets of states is not a change), and the basis in words: how many states, which entered or left."""
    then, now = _rate_states(before), _rate_states(after)
    common = sorted(then.keys() & now.keys())

    def rate(states: dict) -> float | None:
        decisions = sum(states[s][0] for s in common)
        return sum(states[s][1] for s in common) / decisions if decisions else None

    entered, left = sorted(now.keys() - then.keys()), sorted(then.keys() - now.keys())
    basis = f"the {len(common)} states reporting in both editions" + \
        (f"; entered: {', '.join(entered)}" if entered else "") + (f"; left: {', '.join(left)}" if left else "")
    return rate(then), rate(now), basis


def largest_changes(previous: EditionRecord, current: EditionRecord, top: int = 5) -> pd.DataFrame:
    """The largest changes in public indicators between editions: the EU+ return rate over the
    states common to both editions, and return decisions over all reporting states."""
    rows = []
    for country in sorted(set(previous.results) & set(current.results)):
        before, after = previous.results[country], current.results[country]
        rate_before, rate_now, basis = common_rate_change(before, after)
        for indicator, a, b, on in (("eu_return_rate", rate_before, rate_now, basis),
                                    ("return_decisions", before.get("return_decisions"),
                                     after.get("return_decisions"), "all reporting states in each edition")):
            if a is None or b is None:
                continue
            change = (b - a) / a if indicator == "return_decisions" and a else b - a
            rows.append({"country": country, "name": after.get("name", country), "indicator": indicator,
                         "before": a, "now": b, "change": change, "basis": on})
    frame = pd.DataFrame(rows, columns=["country", "name", "indicator", "before", "now", "change", "basis"])
    if frame.empty:
        return frame
    frame["size"] = frame["change"].abs()
    ordered = frame.sort_values(["indicator", "size", "country"], ascending=[True, False, True])
    return ordered.groupby("indicator", sort=True).head(top).drop(columns="size").reset_index(drop=True)


def revisions(previous: EditionRecord, current: EditionRecord) -> pd.DataFrame:
    """The same statistic for the same year differing between the data vintages two editions used.

    Only datasets whose files differ (sha256 in the two manifests) are compared, so a change in the
    set of reporting states is never mistaken for a revision; one vintage means no revisions.
    """
    changed = {e["file"] for e in current.manifest} - {e["file"] for e in previous.manifest} | {
        e["file"] for e in current.manifest
        if any(p["file"] == e["file"] and p.get("sha256") != e.get("sha256") for p in previous.manifest)}
    series = [(column, dataset) for column, dataset in (("return_decisions", "migr_eiord"), ("returns", "migr_eirtn"))
              if any(dataset in f for f in changed)]
    rows = []
    for country in sorted(set(previous.results) & set(current.results)):
        before = {r["year"]: r for r in previous.results[country].get("decisions_trend", [])}
        after = {r["year"]: r for r in current.results[country].get("decisions_trend", [])}
        for year in sorted(before.keys() & after.keys()):
            for column, dataset in series:
                a, b = before[year].get(column), after[year].get(column)
                if a is not None and b is not None and a != b:
                    rows.append({"country": country, "dataset": dataset, "year": year,
                                 "statistic": column, "before": a, "now": b})
    return pd.DataFrame(rows, columns=["country", "dataset", "year", "statistic", "before", "now"])


# ---- all editions ----

def level_shares_by_edition(history: list[EditionRecord]) -> pd.DataFrame:
    """Per edition and level: how many countries, and their share of the edition's assessed countries
    (where real and synthetic results meet, the synthetic ones counted apart under marked levels)."""
    mark = mixes([r for record in history for r in record.results.values()])
    rows = []
    for record in history:
        levels = [marked(final_level(r), r, mark) for r in record.results.values()]
        for level in LEVELS + ([level + SYNTHETIC_MARK for level in LEVELS] if mark else []):
            count = levels.count(level)
            rows.append({"edition": record.year, "level": level, "level_key": level_key(level.removesuffix(SYNTHETIC_MARK)),
                         "countries": count, "share": count / len(levels) if levels else None})
    return pd.DataFrame(rows, columns=["edition", "level", "level_key", "countries", "share"])


def level_transitions(history: list[EditionRecord]) -> pd.DataFrame:
    """How many countries went from level X in one edition to level Y in the next (not selected counts;
    where real and synthetic results meet, a synthetic level is marked)."""
    mark = mixes([r for record in history for r in record.results.values()])
    rows = []
    for previous, current in zip(history, history[1:]):
        for country in sorted(set(previous.results) | set(current.results)):
            rows.append({"from_edition": previous.year, "to_edition": current.year,
                         "from": previous.level(country, mark), "to": current.level(country, mark)})
    frame = pd.DataFrame(rows, columns=["from_edition", "to_edition", "from", "to"])
    return frame.groupby(list(frame.columns)).size().reset_index(name="countries") if not frame.empty \
        else frame.assign(countries=pd.Series(dtype=int))
