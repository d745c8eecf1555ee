"""Numbers as a statement and a passage state them: value with its scale, unit and currency, both languages.

"US$14,3 miliar" and "US$14.3 billion" are the same quantity; "US$14.3 million" is not; "6 sampai 12 bulan"
and "six to twelve months" are; "6 to 12 weeks" is not. Verification compares quantities, not digit strings.
A bound written before a number travels with it: "kurang lebih Rp472 triliun" is about Rp472 trillion, so
"less than Rp472 trillion" misstates it (a small model translated it so), while "about" or a plain
"Rp472 trillion" restates it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

Span = tuple[int, int]

_SCALES = {
    "ribu": 1e3, "rb": 1e3, "thousand": 1e3, "k": 1e3,
    "juta": 1e6, "jt": 1e6, "million": 1e6, "millions": 1e6, "mn": 1e6, "m": 1e6,
    "miliar": 1e9, "milyar": 1e9, "billion": 1e9, "billions": 1e9, "bn": 1e9, "b": 1e9,
    "triliun": 1e12, "trilyun": 1e12, "trillion": 1e12, "tn": 1e12, "t": 1e12,
}  # fmt: skip
_UNITS = {
    "%": "percent", "percent": "percent", "per cent": "percent", "persen": "percent",
    "day": "day", "days": "day", "hari": "day",
    "week": "week", "weeks": "week", "minggu": "week", "pekan": "week",
    "month": "month", "months": "month", "bulan": "month",
    "year": "year", "years": "year", "tahun": "year",
    "employee": "people", "employees": "people", "people": "people", "karyawan": "people", "orang": "people",
    "pegawai": "people", "workers": "people",
}  # fmt: skip
_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "fifty": 50, "hundred": 100,
    "satu": 1, "dua": 2, "tiga": 3, "empat": 4, "lima": 5, "enam": 6, "tujuh": 7, "delapan": 8,
    "sembilan": 9, "sepuluh": 10, "sebelas": 11, "seratus": 100,
}  # fmt: skip
# What a word or two before a number says about it: approximately, at most, at least. Longer phrases first:
# "kurang lebih" (about) must not be read as "kurang" of "kurang dari" (less than).
_BOUNDS = [
    ("about", r"kurang lebih|lebih kurang|kira-kira|sekitar|hampir|nyaris|approximately|about|around|roughly"
     r"|nearly|almost|some|circa|an estimated|estimated|sekitaran|kisaran"),
    ("under", r"kurang dari|di bawah|tidak sampai|maksimal|paling banyak|less than|fewer than|under|below|"
     r"up to|at most|no more than"),
    ("over", r"lebih dari|di atas|setidaknya|paling sedikit|minimal|sedikitnya|more than|over|"
     r"above|at least|upwards of|in excess of|exceeding"),
]  # fmt: skip
_BOUND_BEFORE = re.compile(
    r"(?:^|\W)(" + "|".join(f"(?P<{name}>{words})" for name, words in _BOUNDS) + r")\s*"
    r"(?:US\$|USD|\$|Rp\.?|IDR|€|EUR|£|S\$|RM)?\s*$",
    re.I,
)
_CURRENCY = re.compile(r"(US\$|USD|\$|Rp\.?|IDR|€|EUR|£|S\$|RM)\s*$", re.I)
_NUMBER = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:[.,]\d{3})+(?![.,]?\d)|\d+(?:[.,]\d+)?)"  # 1.000 / 1,000 / 14,3 / 14.3 / 49
    r"|\b(" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")\b",
    re.I,
)
_AFTER = re.compile(
    r"\s*(?:(?:to|-|–|sampai|hingga|until|atau|or|and|dan)\s*(?:\d+(?:[.,]\d+)?|[a-z]+)\s*)?"
    r"(%|per cent|[a-zA-Z]+)?\s*([a-zA-Z%]+)?",
)


@dataclass(frozen=True)
class Quantity:
    value: float
    """The number times its scale word (14.3 billion -> 1.43e10)."""
    unit: str | None
    """percent, day, week, month, year, people, or None."""
    currency: str | None
    """US$, Rp, ... (normalised), or None."""
    text: str
    bound: str | None = None
    """"about", "under" or "over" when words before the number say so; None for a number stated plainly."""
    number_at: Span = field(default=(0, 0), compare=False)
    """Where the number is in the text it was read from; the scale word's and bound's places likewise."""
    scale_at: Span | None = field(default=None, compare=False)
    bound_at: Span | None = field(default=None, compare=False)


def _number(raw: str) -> float:
    if raw.lower() in _WORDS:
        return float(_WORDS[raw.lower()])
    if re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", raw):
        return float(re.sub(r"[.,]", "", raw))  # thousands separators, either convention
    return float(raw.replace(",", "."))  # a decimal comma (Indonesian) or point


def _currency(prefix: str) -> str | None:
    match = _CURRENCY.search(prefix)
    if not match:
        return None
    code = match.group(1).upper().rstrip(".")
    return {"US$": "USD", "$": "USD", "RP": "IDR", "€": "EUR", "£": "GBP"}.get(code, code)


def quantities(text: str) -> list[Quantity]:
    """Every number in `text` with its scale, unit and currency (years and days of a date included)."""
    found = []
    for match in _NUMBER.finditer(text):
        raw = match.group(0)
        if match.group(2) and not _followed_by_unit(text, match.end()):
            continue  # number words count only as quantities ("six months"), not "one of the firms"
        value = _number(raw)
        after = _AFTER.match(text, match.end())
        scale, unit, scale_at = 1.0, None, None
        if after:
            for group in (1, 2):
                key = (after.group(group) or "").lower()
                if (
                    key in _SCALES
                    and scale == 1.0
                    and unit is None
                    and (len(key) > 1 or _glued(text, match.end()))
                ):
                    scale, scale_at = _SCALES[key], after.span(group)
                elif key in _UNITS and unit is None:
                    unit = _UNITS[key]
                    break
                elif key and key not in _SCALES:
                    break
        currency = _currency(text[max(0, match.start() - 4) : match.start()])
        window = max(0, match.start() - 24)
        bound, bound_at = _bound(text[window : match.start()])
        found.append(
            Quantity(
                value * scale,
                unit,
                currency,
                raw,
                bound,
                match.span(),
                scale_at,
                (bound_at[0] + window, bound_at[1] + window) if bound_at else None,
            )
        )
    return found


def _bound(before: str) -> tuple[str | None, Span | None]:
    match = _BOUND_BEFORE.search(before)
    if match is None:
        return None, None
    return next(name for name, _ in _BOUNDS if match.group(name)), match.span(1)


def _followed_by_unit(text: str, end: int) -> bool:
    after = _AFTER.match(text, end)
    if after is None:
        return False
    return any((w or "").lower() in _UNITS for w in (after.group(1), after.group(2)))


def _glued(text: str, end: int) -> bool:
    # "14.3bn" / "US$5B": a one-letter scale only when written against the number.
    return end < len(text) and text[end].isalpha()


def same(a: Quantity, b: Quantity) -> bool:
    """The same quantity: equal value (to rounding), and no contradicting unit or currency."""
    if not _compatible(a, b):
        return False
    if (a.unit == "percent") != (b.unit == "percent") and (a.unit or b.unit) == "percent":
        return False
    big = max(abs(a.value), abs(b.value))
    return abs(a.value - b.value) <= max(0.011 * big, 1e-9)


def _compatible(a: Quantity, b: Quantity) -> bool:
    """No contradicting unit or currency (either may be unstated)."""
    return (not a.unit or not b.unit or a.unit == b.unit) and (
        not a.currency or not b.currency or a.currency == b.currency
    )


def restates(stated: Quantity, known: Quantity) -> bool:
    """`stated` says what `known` says: the same quantity, and no bound that `known` does not give.

    A statement may drop a bound ("US$14.3 billion" for "sekitar US$14,3 miliar") or hedge an exact figure
    ("about 49%" for "49%"), but not turn "about" into "less than", or "more than" into "at most".
    """
    if not same(stated, known):
        return False
    return stated.bound in (None, "about") or stated.bound == known.bound


def unmatched(statement: str, passage: str) -> list[Quantity]:
    """Quantities the statement states that the passage does not (empty: the numbers agree)."""
    known = quantities(passage)
    return [q for q in quantities(statement) if not any(restates(q, k) for k in known)]


# "14,3" but not "14,300" (thousands) nor "1,2,3".
_DECIMAL_COMMA = re.compile(r"(?<![\d.,])(\d+),(\d{1,2})(?![\d,])")
_SCALE_WORDS = {
    "en": {1e3: "thousand", 1e6: "million", 1e9: "billion", 1e12: "trillion"},
    "id": {1e3: "ribu", 1e6: "juta", 1e9: "miliar", 1e12: "triliun"},
}
_BOUND_WORDS = {
    "en": {"about": "about", "under": "less than", "over": "more than"},
    "id": {"about": "sekitar", "under": "kurang dari", "over": "lebih dari"},
}


def repair(translation: str, source: str, lang: str) -> str:
    """`translation` of `source` into `lang`, with each number's scale word and bound put back as `source`
    states them where the translation kept the number but changed those words.

    A small model translating "US$14,3 miliar atau kurang lebih Rp472 triliun" wrote "US$14.3 million or less
    than Rp472 trillion": digits right, words wrong, the commonest error it makes. The source sentence is
    known, so the words are restored from it (a number the source states twice with different words, or a
    changed unit or currency, is left alone: verification then drops the sentence).
    """
    known = quantities(source)
    edits: list[tuple[Span, str]] = []
    for stated in quantities(translation):
        if any(restates(stated, k) for k in known):
            continue
        number = _number(stated.text)
        if number == 0:
            continue  # no scale to read off a zero
        twins = {(k.value, k.bound) for k in known if _number(k.text) == number and _compatible(stated, k)}
        if len(twins) != 1:
            continue
        value, bound = twins.pop()
        edits += _scale_edit(stated, value / number, lang) + _bound_edit(stated, bound, lang)
    for (start, end), words in sorted(edits, reverse=True):
        translation = translation[:start] + words + translation[end:]
    if lang == "en":  # a decimal comma kept from the Indonesian ("US$14,3 billion") reads oddly in English
        translation = _DECIMAL_COMMA.sub(r"\1.\2", translation)
    return re.sub(r"\s{2,}", " ", translation).strip()


def _scale_edit(stated: Quantity, scale: float, lang: str) -> list[tuple[Span, str]]:
    own = stated.value / _number(stated.text)
    if abs(own - scale) <= 1e-9 * scale:
        return []
    word = _SCALE_WORDS[lang].get(scale)
    if stated.scale_at is not None:
        return [(stated.scale_at, word or "")]
    end = stated.number_at[1]
    return [((end, end), f" {word}")] if word else []


def _bound_edit(stated: Quantity, bound: str | None, lang: str) -> list[tuple[Span, str]]:
    if stated.bound in (None, "about") or stated.bound == bound or stated.bound_at is None:
        return []  # no bound, or one that restates: nothing to put back
    return [(stated.bound_at, _BOUND_WORDS[lang][bound] if bound else "")]
