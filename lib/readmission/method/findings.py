"""Summary-level findings, from the countries' results files only (never their notebooks)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .cooperation import ITEM_COLUMNS
from ..settings.params import Method
from ..base.levels import LEVELS, final_level
from .rating import level_of, rate_state
from .vocabulary import INSTRUMENTS, ITEMS, country_name, instrument, level_key, setting_label, setting_value
from ..base.paths import RUN_RECORD
from ..settings.judgement import direction

COUNTRY_COLUMNS = ["country", "name", "level", "level_key", "method_level", "review", "return_decisions",
                   "effective_return_rate", "acceptance_rate", "issuance_rate", "acceptance_rate_suppressed",
                   "issuance_rate_suppressed", "states_rated", "instrument", "rcms",
                   "irregular_crossings", "visa_measures"]


def read_run(folder: Path) -> dict:
    """The record of the run that made the countries' results in `folder`."""
    return json.loads((Path(folder) / RUN_RECORD).read_text(encoding="utf-8"))


def read_results(folder: Path, countries: list[str]) -> dict[str, dict]:
    """The results JSON of each listed country that has one (failed countries have none)."""
    found = {}
    for code in countries:
        path = Path(folder) / f"{code}.json"
        if path.exists():
            found[code] = json.loads(path.read_text(encoding="utf-8"))
    return found


def assessment_findings(countries: pd.DataFrame) -> list[str]:
    """How many assessed levels differ from the method's, in which direction, and how many are signed off."""
    moves = [direction(m, a, LEVELS) for m, a in zip(countries["method_level"], countries["level"])]
    differ = [m for m in moves if m != "same"]
    reviewed = int((countries["review"] == "reviewed").sum())
    parts = ", ".join(f"{differ.count(d)} {d}" for d in ("better", "worse", "not comparable") if differ.count(d))
    return [f"Levels are the assessed levels (analyst judgement where an analyst recorded one, else the "
            f"rating method's): {len(differ)} of {len(countries)} differ from the method's"
            + (f" ({parts} than the method proposed)." if differ else "."),
            f"Signed off by a reviewer: {reviewed} of {len(countries)}."]


def country_table(results: dict[str, dict]) -> pd.DataFrame:
    """One row per country: its level, main indicators and context, public figures only."""
    rows = []
    for code, result in sorted(results.items()):
        p = result["public"]
        rows.append({
            "country": code, "name": p["name"], "level": final_level(p),
            "level_key": level_key(final_level(p)), "method_level": p["level"],
            "review": (p.get("assessment") or {}).get("status", "not reviewed"),
            "return_decisions": p["return_decisions"],
            "effective_return_rate": p["eu_return_rate"]["rate"],
            "acceptance_rate": p["eu_acceptance_rate"]["rate"],
            "issuance_rate": p["eu_issuance_rate"]["rate"],
            "acceptance_rate_suppressed": p["eu_acceptance_rate"].get("suppressed", ""),
            "issuance_rate_suppressed": p["eu_issuance_rate"].get("suppressed", ""),
            "states_rated": p["level_counts"]["states_rated"],
            "instrument": instrument(p["strongest_instrument"]),
            "rcms": p.get("rcms_status", "in place" if p["rcms_in_place"] else "none"),
            "irregular_crossings": p["irregular_crossings_in_year"],
            "visa_measures": len(p["visa_measures"]),
        })
    frame = pd.DataFrame(rows, columns=COUNTRY_COLUMNS).sort_values(["name", "country"], ignore_index=True)
    for column in ["effective_return_rate", "acceptance_rate", "issuance_rate"]:
        frame[column] = frame[column].astype("Float64")
    frame["irregular_crossings"] = frame["irregular_crossings"].astype("Int64")
    return frame


def level_shares(countries: pd.DataFrame) -> pd.DataFrame:
    """How many countries fall in each level, and their share of all countries assessed."""
    counts = countries["level"].value_counts().reindex(LEVELS, fill_value=0)
    frame = counts.rename_axis("level").reset_index(name="countries")
    frame["share"] = frame["countries"] / max(int(counts.sum()), 1)
    frame["key"] = frame["level"].map(level_key)
    return frame[frame["countries"] > 0].reset_index(drop=True)


def levels_by(countries: pd.DataFrame, column: str) -> pd.DataFrame:
    """Cross-table of levels against a context column (instrument, RCMS): do instruments help?"""
    table = pd.crosstab(countries[column], countries["level_key"])
    if column == "instrument":  # strongest first
        table = table.reindex([name for name in INSTRUMENTS.values() if name in table.index])
    return table.reindex(columns=[c for c in ["well", "average", "improve", "unknown"] if c in table.columns],
                         fill_value=0)


def worst_items(results: dict[str, dict]) -> pd.DataFrame:
    """Per (d) item: in how many countries it has the lowest EU-level mean answer (main obstacles)."""
    counts = dict.fromkeys(ITEM_COLUMNS, 0)
    for result in results.values():
        items = {i["item"]: i["mean_answer"] for i in result["public"]["cooperation_items"]
                 if i["mean_answer"] is not None}
        if items:
            lowest = min(items.values())
            for item, value in items.items():
                counts[item] += value == lowest
    frame = pd.DataFrame({"item": list(counts), "countries_rated_worst": list(counts.values())})
    return frame.sort_values(["countries_rated_worst", "item"], ascending=[False, True]).reset_index(drop=True)


def state_indicators(result: dict) -> list[dict]:
    """A country's per-state indicators as its restricted results file keeps them (one dict per state)."""
    return result.get("restricted", {}).get("indicators_by_state", [])


def level_under(result: dict, method: Method) -> str:
    """A country's level recomputed from its per-state indicators under other method settings."""
    return level_of([rate_state(record, method)["rating"] for record in state_indicators(result)], method).level


def robustness(results: dict[str, dict], method: Method) -> pd.DataFrame:
    """For each setting and value in method.robustness: how many countries change level."""
    baseline = {code: level_under(r, method) for code, r in results.items()}
    rows = []
    for setting, values in method.robustness.items():
        for value in values:
            variant = method.with_setting(setting, value)
            changed = sorted(code for code, r in results.items() if level_under(r, variant) != baseline[code])
            rows.append({"setting": setting_label(setting), "value": setting_value(setting, value),
                         "countries_changing_level": len(changed),
                         "which_countries": ", ".join(changed)})
    return pd.DataFrame(rows)


def released_robustness(results: dict[str, dict]) -> pd.DataFrame:
    """Robustness from the release (a public summary): per setting and value, the countries whose
    released level differs from the method's, and how many were withheld (disclosure rule 'comparisons')."""
    rows = {}
    for code, result in sorted(results.items()):
        public = result["public"]
        for variant in (public.get("release") or {}).get("robustness", []):
            row = rows.setdefault((variant["setting"], variant["value"]), {"changed": [], "withheld": 0})
            if variant["suppressed"]:
                row["withheld"] += 1
            elif variant["level"] != public["level"]:
                row["changed"].append(code)
    return pd.DataFrame([{"setting": setting_label(s), "value": setting_value(s, v),
                          "countries_changing_level": len(r["changed"]), "which_countries": ", ".join(r["changed"]),
                          "countries_withheld": r["withheld"]} for (s, v), r in rows.items()],
                        columns=["setting", "value", "countries_changing_level", "which_countries",
                                 "countries_withheld"])


def visa_measures(measures: pd.DataFrame) -> pd.DataFrame:
    """Article 25a visa measures of the reference table, countries named as on every page."""
    columns = ["iso2", "name", "article", "proposal_date", "decision_date", "applies_from", "repealed_date"]
    return measures.assign(name=measures["iso2"].map(country_name))[columns]


def synthetic_label(results: dict[str, dict]) -> str:
    """The synthetic-data label if any country's confidential inputs were synthetic, else ''."""
    labels = sorted({r["public"]["synthetic_label"] for r in results.values() if r["public"]["synthetic_label"]})
    return labels[0] if labels else ""


def headlines(countries: pd.DataFrame, obstacles: pd.DataFrame) -> list[str]:
    """The findings in sentences, each computed from the tables shown below it."""
    if countries.empty:
        return ["No country was assessed."]
    total = len(countries)
    shares = level_shares(countries).set_index("level")
    lines = [f"Of {total} countries assessed, cooperation works well with most Member States for "
             f"{int(shares['countries'].get(LEVELS[0], 0))} ({shares['share'].get(LEVELS[0], 0):.0%}), is average "
             f"for {int(shares['countries'].get(LEVELS[1], 0))} ({shares['share'].get(LEVELS[1], 0):.0%}) and needs "
             f"to be improved with most Member States for {int(shares['countries'].get(LEVELS[2], 0))} "
             f"({shares['share'].get(LEVELS[2], 0):.0%})."]
    by_instrument = countries.groupby("instrument")["level_key"].apply(lambda s: (s == "well").mean())
    parts = [f"{name}: {share:.0%} of {int((countries['instrument'] == name).sum())}"
             for name, share in by_instrument.sort_values(ascending=False).items()]
    lines.append("Share of countries where cooperation works well, by strongest EU instrument: "
                 + "; ".join(parts) + ".")
    if not obstacles.empty and obstacles["countries_rated_worst"].sum() > 0:
        most = obstacles["countries_rated_worst"].max()
        items = [ITEMS[i] for i in obstacles.loc[obstacles["countries_rated_worst"] == most, "item"]]
        lines.append(f"Rated worst most often ({int(most)} countries each): {'; '.join(items)}.")
    return lines
