"""Places as people name them: a country's name or ISO code read into the names a plan may
carry, so one `destination` finds Zim's "South Africa" and PressOne's coverage alike."""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry

__all__ = ["mentions", "place_names"]

# English names in everyday use that the ISO 3166 names (pycountry's) do not carry; plans
# and people write these. Keyed by alpha-2.
_EVERYDAY: dict[str, tuple[str, ...]] = {
    "BO": ("Bolivia",),
    "CD": ("DR Congo", "Democratic Republic of the Congo"),
    "CI": ("Ivory Coast", "Côte d'Ivoire"),
    "CV": ("Cape Verde",),
    "CZ": ("Czech Republic",),
    "GB": ("UK", "Great Britain", "Britain"),
    "IR": ("Iran",),
    "KP": ("North Korea",),
    "KR": ("South Korea", "Korea"),
    "LA": ("Laos",),
    "MD": ("Moldova",),
    "MK": ("Macedonia",),
    "PS": ("Palestine",),
    "RU": ("Russia",),
    "SY": ("Syria",),
    "TR": ("Turkey",),
    "TW": ("Taiwan",),
    "TZ": ("Tanzania",),
    "US": ("USA", "United States of America"),
    "VE": ("Venezuela",),
    "VN": ("Vietnam",),
}
_BY_EVERYDAY = {name.casefold(): code for code, names in _EVERYDAY.items() for name in names}


@lru_cache(maxsize=256)
def place_names(place: str) -> tuple[str, ...]:
    """The names `place` goes by: for a country (its name, an everyday name, or its ISO
    3166 alpha-2 or alpha-3 code, any case) every name of it; for anything else (a region such
    as "Europe") the words as given."""
    said = " ".join(place.split())
    code = _BY_EVERYDAY.get(said.casefold())
    try:
        country = pycountry.countries.lookup(code or said)
    except LookupError:
        return (said,)
    names = [
        getattr(country, attribute, None) for attribute in ("name", "common_name", "official_name")
    ]
    names += _EVERYDAY.get(country.alpha_2, ())
    return tuple(dict.fromkeys(n for n in names if n))


def mentions(text: str | None, names: tuple[str, ...]) -> bool:
    """Whether `text` names one of `names` as whole words, whatever the case ("Niger" is not
    found in "Nigeria")."""
    if not text:
        return False
    return any(_pattern(name).search(text) for name in names)


@lru_cache(maxsize=1024)
def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE)
