"""One name, written two ways: English and Indonesian forms of the places and peoples news names most.

The verifier asks that every name a statement uses is in its passage. Names of people and companies are
written alike in both languages; names of countries and peoples are translated ("France" / "Perancis",
"Chinese" / "Tionghoa"), and a translation of an Indonesian sentence that names a country failed the check
however right it was. Many Indonesian nouns are loanwords spelt by rule ("Demografi", "Konsolidasi",
"Republik"); an English statement that capitalises such a word (first in its sentence, or in a proper name)
is matched to it by `same_loanword`.
"""

from __future__ import annotations

import re

# Each line: the forms of one place or people, lower-cased single words. A multi-word name lists its words
# ("united states" / "amerika serikat"): each English word may be matched by any word of the group.
_GROUPS = """
    france french perancis prancis
    china chinese tiongkok cina tionghoa
    japan japanese jepang
    netherlands dutch holland belanda
    germany german jerman
    united states america american amerika serikat
    britain british england english uk inggris britania
    korea korean korea
    egypt egyptian mesir
    saudi arabia arabian arab
    turkey turkish turkic turki
    russia russian rusia
    spain spanish spanyol
    portugal portuguese portugis
    italy italian italia
    greece greek yunani
    philippines filipino philippine filipina
    singapore singaporean singapura
    new zealand selandia baru
    switzerland swiss swiss
    sweden swedish swedia
    norway norwegian norwegia
    denmark danish denmark
    poland polish polandia
    belgium belgian belgia
    mexico mexican meksiko
    brazil brazilian brasil
    canada canadian kanada
    iraq iraqi irak
    palestine palestinian palestina
    europe european eropa
    africa african afrika
    java javanese jawa
    sumatra sumatran sumatera
    moluccas maluku
    indonesia indonesian indonesia
    malaysia malaysian malaysia
    india indian india
    thailand thai thailand
    vietnam vietnamese vietnam
    australia australian australia
    christian kristen kristiani
    catholic katolik
    islamic muslim islam
"""
SAME_PLACE: dict[str, set[str]] = {}
for _line in _GROUPS.strip().splitlines():
    _forms = set(_line.split())
    for _form in _forms:
        SAME_PLACE.setdefault(_form, set()).update(_forms)

# English spellings that Indonesian writes otherwise, applied to both words before comparing.
_SPELLINGS = [("tion", "si"), ("ph", "f"), ("th", "t"), ("c", "k"), ("q", "k"), ("x", "ks"), ("y", "i")]
_SHARED_PREFIX = 5
_SHARED_SHARE = 0.75


def _spelt(word: str) -> str:
    word = word.lower()
    for english, indonesian in _SPELLINGS:
        word = word.replace(english, indonesian)
    return re.sub(r"(?<=.{4})s$", "", word)  # a plural's s (not "Swiss"'s)


def same_loanword(written: str, candidates: set[str]) -> bool:
    """Whether one of `candidates` (lower-cased words) is `written` as Indonesian spells it: "Demography" /
    "demografi", "Consolidation" / "konsolidasi", "Republic" / "republik", "Turkic" / "turki". Two words
    match when, respelt, they share their first five letters and three quarters of the longer one: so
    "Austria" is not "Australia", nor "Microsoft" "Micron"."""
    mine = _spelt(written)
    if len(mine) < _SHARED_PREFIX:
        return False
    for candidate in candidates:
        theirs = _spelt(candidate)
        shared = 0
        for a, b in zip(mine, theirs, strict=False):
            if a != b:
                break
            shared += 1
        if shared >= _SHARED_PREFIX and shared >= _SHARED_SHARE * max(len(mine), len(theirs)):
            return True
    return False
