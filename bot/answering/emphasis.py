"""Where the answer phrases (the reader's spans) sit in an answer's text, for front ends that show bold."""

from __future__ import annotations

Range = tuple[int, int]


def locate(text: str, statements: list[tuple[str, str | None]]) -> list[Range]:
    """Character ranges in `text` of each statement's phrase, searched only inside that statement's line.

    `statements` are (statement text, phrase or None) in the order the answer lists them, so a phrase can
    never land on the framing line, a citation marker or another statement.
    """
    found: list[Range] = []
    cursor = 0
    for statement, phrase in statements:
        line = text.find(statement, cursor)
        if line < 0:
            continue
        cursor = line + len(statement)
        at = statement.find(phrase) if phrase else -1
        if phrase and at >= 0:
            found.append((line + at, line + at + len(phrase)))
    return found


def segments(text: str, ranges: list[Range]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, emphasised) in order; overlapping or out-of-range marks are ignored."""
    pieces: list[tuple[str, bool]] = []
    cursor = 0
    for start, end in sorted(ranges):
        if start < cursor or end > len(text) or start >= end:
            continue
        if start > cursor:
            pieces.append((text[cursor:start], False))
        pieces.append((text[start:end], True))
        cursor = end
    if cursor < len(text):
        pieces.append((text[cursor:], False))
    return pieces
