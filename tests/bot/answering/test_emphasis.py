"""Answer phrases are found inside their own statement only, and cut the text into bold and plain pieces."""

from __future__ import annotations

from bot.answering.emphasis import locate, segments

TEXT = "Menurut brief:\nIt began 1 year ago. [1]\nOthers said 1 year too. [2]"


def test_a_phrase_is_found_in_its_own_statement_not_in_the_framing_or_a_marker() -> None:
    ranges = locate(TEXT, [("It began 1 year ago.", "1 year"), ("Others said 1 year too.", "1")])
    assert [TEXT[a:b] for a, b in ranges] == ["1 year", "1"]
    assert ranges[1][0] > TEXT.index("Others")
    assert locate(TEXT, [("It began 1 year ago.", "brief")]) == []


def test_segments_follow_the_ranges_and_keep_every_character() -> None:
    ranges = locate(TEXT, [("It began 1 year ago.", "1 year"), ("Others said 1 year too.", None)])
    pieces = segments(TEXT, ranges)
    assert [p for p, bold in pieces if bold] == ["1 year"]
    assert "".join(p for p, _ in pieces) == TEXT


def test_overlapping_or_impossible_ranges_are_ignored() -> None:
    assert segments("abcdef", [(1, 4), (2, 5), (4, 99)]) == [("a", False), ("bcd", True), ("ef", False)]
    assert segments("plain", []) == [("plain", False)]
