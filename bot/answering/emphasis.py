"""Where an answer's emphasised phrases sit in its text, for front ends that can show bold."""

from __future__ import annotations


def segments(text: str, phrases: list[str]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, emphasised) in order; each phrase marks its first occurrence not yet marked."""
    marks: list[tuple[int, int]] = []
    for phrase in phrases:
        at = text.find(phrase) if phrase else -1
        while at >= 0 and any(a < at + len(phrase) and at < b for a, b in marks):
            at = text.find(phrase, at + 1)
        if at >= 0:
            marks.append((at, at + len(phrase)))
    pieces: list[tuple[str, bool]] = []
    cursor = 0
    for start, end in sorted(marks):
        if start > cursor:
            pieces.append((text[cursor:start], False))
        pieces.append((text[start:end], True))
        cursor = end
    if cursor < len(text):
        pieces.append((text[cursor:], False))
    return pieces
