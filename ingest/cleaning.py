"""Repair scraped article text and lift its publisher/dateline header into metadata.

Scraped news arrives with the publisher and dateline on the first lines ("ZONA GADGET,\\nJAKARTA —") and
with line breaks where the page had a link ("OpenAI\\n, perusahaan di balik\\nChatGPT\\n, menyatakan…"). Left
as is, the header pollutes the first chunk and the breaks split sentences, so chunking and quoting suffer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ingest.dates import find_date

_DASH = r"[—–-]"
_CAPS = r"[A-Z][A-Z0-9.&' ]*[A-Z0-9.]"
# "ZONA GADGET," alone on a line (the publisher), then "JAKARTA —" starting the next one (the place).
_PUBLISHER_LINE = re.compile(rf"^\s*({_CAPS}),?\s*$")
_PLACE_LEAD = re.compile(rf"^\s*({_CAPS})\s*{_DASH}+\s*")
# "JAKARTA, KOMPAS.com —" / "JAKARTA (Reuters) -" on one line.
_PLACE_COMMA_SOURCE = re.compile(rf"^\s*({_CAPS}),\s*([A-Za-z][\w.&' ]{{1,40}}?)\s*{_DASH}+\s*")
# "Jakarta Tech Review — 3 July 2025" alone on the first line; the name may be missing ("3 July 2025").
_PUBLISHER_DATE = re.compile(rf"^\s*(?:([A-Z][\w.&' ]{{1,60}}?)\s*{_DASH}+\s*)?([^.!?]+?)\s*$")
_DATE_WORDS = 5
_PLACE_PAREN_SOURCE = re.compile(rf"^\s*({_CAPS})\s*\(([^)\n]{{2,40}})\)\s*{_DASH}+\s*")

_TERMINAL = tuple('.!?:;"”’)»')
_CONTINUES = re.compile(r"^[,.;:)\]»”’]|^[a-z]")
_SHORT_FRAGMENT_WORDS = 4
_CURRENCY_GLUED = re.compile(r"(?<=[a-z])(Rp|US\$|USD|IDR|S\$)(?=\s?\d)")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'", "‚": "'"})
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


@dataclass(frozen=True)
class Header:
    source: str | None = None
    place: str | None = None
    text: str = ""
    """The header as it appeared, for date lookup ("prefer dateline dates")."""


def _publisher_and_date(line: str) -> Header | None:
    """A first line that is only "Jakarta Tech Review — 3 July 2025" (or a date alone): header, not title."""
    match = _PUBLISHER_DATE.match(line)
    if match is None or len(match.group(2).split()) > _DATE_WORDS or find_date(match.group(2)) is None:
        return None
    name = (match.group(1) or "").strip() or None
    if name and name.isupper() and _looks_like_place(name):
        return Header(None, name, line)
    return Header(name, None, line)


def split_header(text: str) -> tuple[Header, str]:
    """Remove a publisher/dateline header from the top of `text`; return it and the remaining body."""
    lines = text.lstrip().split("\n")
    if len(lines) > 1 and (dated := _publisher_and_date(lines[0])) is not None:
        return dated, "\n".join(lines[1:])
    if len(lines) > 1 and _PUBLISHER_LINE.match(lines[0]) and (place := _PLACE_LEAD.match(lines[1])):
        source = _PUBLISHER_LINE.match(lines[0]).group(1)  # type: ignore[union-attr]
        header = Header(_strip_source(source), place.group(1), lines[0] + "\n" + place.group(0))
        return header, "\n".join([lines[1][place.end() :], *lines[2:]])
    first = lines[0]
    for pattern, place_group, source_group in (
        (_PLACE_PAREN_SOURCE, 1, 2),
        (_PLACE_COMMA_SOURCE, 1, 2),
        (_PLACE_LEAD, 1, None),
    ):
        match = pattern.match(first)
        if match and _looks_like_place(match.group(place_group)):
            source = match.group(source_group).strip() if source_group else None
            header = Header(source, match.group(place_group).strip(), match.group(0))
            return header, "\n".join([first[match.end() :], *lines[1:]])
    return Header(), text


def join_broken_lines(text: str) -> str:
    """Re-join sentences that the scraper broke around linked names; keep real paragraph breaks."""
    lines = [line.strip() for line in text.split("\n")]
    out: list[str] = []
    previous_raw = ""
    for index, line in enumerate(lines):
        if not line:
            out.append("")
            previous_raw = ""
            continue
        if out and out[-1] and _continues(previous_raw, line, lines[index + 1 :]):
            glue = "" if line[0] in ",.;:)]»”’" else " "
            out[-1] = out[-1] + glue + line
        else:
            out.append(line)
        previous_raw = line
    return "\n".join(out)


def normalise(text: str) -> str:
    """Unicode NFC, straight quotes, single spaces, no invisible characters, at most one blank line."""
    text = unicodedata.normalize("NFC", text).translate(_QUOTES)
    text = _INVISIBLE.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t\u00a0\u2009\u202f]+", " ", text)
    text = _CURRENCY_GLUED.sub(r" \1", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def clean_scraped(text: str) -> tuple[Header, str]:
    """The whole repair for scraped text: header out, broken lines joined, normalised."""
    header, body = split_header(normalise(text))
    return header, normalise(join_broken_lines(body))


def _continues(previous_raw: str, line: str, following: list[str]) -> bool:
    if _CONTINUES.match(line):
        return True
    if previous_raw.endswith(_TERMINAL):
        return False
    if _CONTINUES.match(previous_raw):
        # The previous line was itself a fragment (", perusahaan di balik"): its sentence goes on here.
        return True
    # A short unpunctuated line followed by a continuation is a linked name in mid-sentence.
    is_fragment = len(line.split()) <= _SHORT_FRAGMENT_WORDS and not line.endswith(_TERMINAL)
    return is_fragment and bool(following) and bool(_CONTINUES.match(following[0]))


def _looks_like_place(candidate: str) -> bool:
    # A dateline place is an upper-case word or two ("JAKARTA", "KUALA LUMPUR"), not an acronym soup.
    words = candidate.split()
    return 1 <= len(words) <= 3 and all(len(w) >= 4 and w.isalpha() for w in words)


def _strip_source(source: str) -> str:
    return source.strip().rstrip(",").strip()
