"""Code vocabularies: Eurostat country codes, the aggregates kept apart from them, ISO conversions.

Eurostat codes countries with ISO 3166 alpha-2, except EL (Greece), UK (United Kingdom) and XK
(Kosovo, not ISO-assigned). Everything else that appears where a country is expected (TOTAL, EU28,
ASI, STLS...) is an aggregate listed in AGGREGATE_CODES, so that sums over countries never
silently include totals or groups.
"""

from __future__ import annotations

import os
from functools import lru_cache

import pycountry

from .errors import quote

# Project code for Frontex's 'Unidentified Sub-Saharan Africa' (IOM/Frontex OOS). Not a Eurostat
# code: Eurostat has no such category. It is a region whose countries are unknown, so it is
# kept with the regional aggregates and must never be added to country sums.
SUB_SAHARAN_UNIDENTIFIED = "AFR_SSA_UNK"

AGGREGATE_CODES: dict[str, str] = {
    # all citizenships / all reporting countries
    "TOTAL": "total",
    # EU and EFTA groups (geo), and the citizen groups defined relative to them
    "EU27_2020": "eu_aggregate",
    "EU28": "eu_aggregate",
    "EU27_2007": "eu_aggregate",
    "EU25": "eu_aggregate",
    "EU15": "eu_aggregate",
    "EFTA": "eu_aggregate",
    "EU27_2020_EFTA": "eu_aggregate",
    "EU28_EFTA": "eu_aggregate",
    "EU27_2020_FOR": "eu_aggregate",
    "EU28_FOR": "eu_aggregate",
    "EXT_EU27_2020": "eu_aggregate",
    "EXT_EU28": "eu_aggregate",
    # continental groups of citizenship (ASI appears in migr_eirtn 2015, 2021-2023)
    "AFR": "regional",
    "AME": "regional",
    "ASI": "regional",
    "EUR": "regional",
    "OCE": "regional",
    SUB_SAHARAN_UNIDENTIFIED: "regional",
    # persons without a country of citizenship
    "STLS": "stateless_unknown",
    "UNK": "stateless_unknown",
    "RNC": "stateless_unknown",
    # British overseas countries and territories (a group, not one country)
    "UK_OCT": "territory_group",
}

AGGREGATE_NAMES: dict[str, str] = {
    "TOTAL": "Total",
    "EU27_2020": "European Union (27 countries, from 2020)",
    "EU28": "European Union (28 countries, 2013-2020)",
    "EU27_2007": "European Union (27 countries, 2007-2013)",
    "EU25": "European Union (25 countries)",
    "EU15": "European Union (15 countries)",
    "EFTA": "European Free Trade Association",
    "EU27_2020_EFTA": "EU27 (from 2020) and EFTA",
    "EU28_EFTA": "EU28 and EFTA",
    "EU27_2020_FOR": "EU27 (from 2020) countries except the reporting country",
    "EU28_FOR": "EU28 countries except the reporting country",
    "EXT_EU27_2020": "Non-EU27 (from 2020) countries",
    "EXT_EU28": "Non-EU28 countries",
    "AFR": "Africa",
    "AME": "America",
    "ASI": "Asia",
    "EUR": "Europe",
    "OCE": "Oceania",
    SUB_SAHARAN_UNIDENTIFIED: "Unidentified Sub-Saharan Africa",
    "STLS": "Stateless",
    "UNK": "Unknown",
    "RNC": "Recognised non-citizens",
    "UK_OCT": "British overseas countries and territories",
}

# Eurostat country-level codes that are not ISO alpha-2 (besides EL, UK, XK): the API's code
# for China in migration datasets. The offline snapshot codes China as CN (incl. Hong Kong).
EXTRA_COUNTRY_NAMES = {"CN_X_HK": "China (except Hong Kong)"}

# ISO 3166 alpha-2 -> Eurostat, where they differ; XK is Kosovo in both (not ISO-assigned).
_ISO2_TO_EUROSTAT = {"GR": "EL", "GB": "UK", "XK": "XK"}
# Non-ISO alpha-3 codes used by IOM/Frontex (IOM gdidata R/countrynames.R).
_ISO3_SPECIAL = {"XKX": "XK", "STL": "STLS", "OOO": "UNK", "OOS": SUB_SAHARAN_UNIDENTIFIED}
_SPECIAL_NAMES = {"EL": "Greece", "UK": "United Kingdom", "XK": "Kosovo*", "PS": "Palestine*",
                  "CD": "Democratic Republic of the Congo", "RU": "Russia", **EXTRA_COUNTRY_NAMES}


def is_aggregate(code: str) -> bool:
    """True for a code that groups several countries or none (TOTAL, EU28, ASI, STLS...)."""
    return code in AGGREGATE_CODES


@lru_cache(maxsize=1)
def _real_country_codes() -> frozenset[str]:
    iso = {c.alpha_2 for c in pycountry.countries}
    return frozenset(iso - {"GR", "GB"} | {"EL", "UK", "XK"} | EXTRA_COUNTRY_NAMES.keys())


# The EU's standard designation footnote, carried wherever Kosovo is named.
KOSOVO_FOOTNOTE = ("*This designation is without prejudice to positions on status, and is in line "
                   "with UNSCR 1244/1999 and the ICJ Opinion on the Kosovo declaration of independence.")

PALESTINE_FOOTNOTE = ("*This designation shall not be construed as recognition of a State of Palestine "
                      "and is without prejudice to the individual positions of the Member States on this issue.")
DESIGNATION_FOOTNOTES = {"XK": KOSOVO_FOOTNOTE, "PS": PALESTINE_FOOTNOTE}


def designations_md() -> str:
    """Both designation footnotes as Markdown, for every page that names Kosovo* or Palestine*
    (Home, Countries, Findings, Audit, Methodology; a country's own page carries its own)."""
    kosovo, palestine = (note.lstrip("*") for note in (KOSOVO_FOOTNOTE, PALESTINE_FOOTNOTE))
    return (f"::: {{.designations}}\nKosovo\\*: {kosovo}\n\nPalestine\\*: {palestine}\n:::\n")

# Synthetic countries for benchmarks and demos: Q000..Q999, a range no real code can take (real
# codes have two letters). Accepted only while READMISSION_SYNTHETIC_COUNTRIES=1 is set.
SYNTHETIC_ENV = "READMISSION_SYNTHETIC_COUNTRIES"
SYNTHETIC_CODES = frozenset(f"Q{i:03d}" for i in range(1000))


def synthetic_countries_enabled() -> bool:
    return os.environ.get(SYNTHETIC_ENV) == "1"


def known_country_codes() -> frozenset[str]:
    """Eurostat codes of single countries: ISO alpha-2, EL for GR, UK for GB, plus XK, CN_X_HK
    (and the synthetic Q000..Q999 in benchmark and demo mode)."""
    real = _real_country_codes()
    return real | SYNTHETIC_CODES if synthetic_countries_enabled() else real


def is_country(code: str) -> bool:
    """True for the Eurostat code of a single country."""
    return code in known_country_codes()


def country_name(code: str) -> str:
    """English short name (pycountry) of a Eurostat country code; KeyError for anything else."""
    if code in _SPECIAL_NAMES:
        return _SPECIAL_NAMES[code]
    if code in SYNTHETIC_CODES and synthetic_countries_enabled():
        return f"Synthetic country {code}"
    if code not in known_country_codes():
        raise KeyError(f"not a Eurostat country code: {quote(code)}")
    record = pycountry.countries.get(alpha_2=code)
    return getattr(record, "common_name", None) or record.name  # "Syria", not "Syrian Arab Republic"


@lru_cache(maxsize=1)
def iso2_to_eurostat() -> dict[str, str]:
    """Every accepted ISO alpha-2 code (plus XK) -> its Eurostat code."""
    mapping = {c.alpha_2: c.alpha_2 for c in pycountry.countries}
    mapping.update(_ISO2_TO_EUROSTAT)
    return mapping


@lru_cache(maxsize=1)
def iso3_to_eurostat() -> dict[str, str]:
    """Every accepted ISO alpha-3 code (plus IOM's XKX, STL, OOO, OOS) -> its Eurostat code."""
    iso2 = iso2_to_eurostat()
    mapping = {c.alpha_3: iso2[c.alpha_2] for c in pycountry.countries}
    mapping.update(_ISO3_SPECIAL)
    return mapping


def eurostat_from_iso2(iso2: str) -> str:
    """Eurostat code for an ISO alpha-2 code (GR -> EL, GB -> UK); KeyError if not ISO or XK."""
    try:
        return iso2_to_eurostat()[iso2]
    except KeyError:
        raise KeyError(f"not an ISO 3166 alpha-2 code: {quote(iso2)}") from None


def eurostat_from_iso3(iso3: str) -> str:
    """Eurostat code for an ISO alpha-3 code or IOM's XKX/STL/OOO/OOS; KeyError otherwise."""
    try:
        return iso3_to_eurostat()[iso3]
    except KeyError:
        raise KeyError(f"not an ISO 3166 alpha-3 code nor XKX/STL/OOO/OOS: {quote(iso3)}") from None
