"""Answer phrases are found inside their own statement only, and cut the text into bold and plain pieces."""

from __future__ import annotations

from bot import answer_words
from bot.answer_words import segments
from bot.answering.citations import Statement, assemble
from bot.answering.types import Answered, Range
from store.sentences import split_sentences
from store.types import BriefInfo, Passage

TEXT = "Menurut brief:\nIt began 1 year ago. [1]\nOthers said 1 year too. [2]"


def locate(statements: list[tuple[str, str | None]]) -> list[Range]:
    """The bold ranges in the shown text of an Indonesian quoted answer of these (statement, phrase) pairs
    (`TEXT` when both of its statements are given)."""
    passages = []
    for number, (statement, _) in enumerate(statements, 1):
        info = BriefInfo(f"b{number}", "B", "P", None, None, "id", "test", "", "h", 1)
        passages.append(Passage(f"b{number}#0", info, statement, 0, len(statement), 0, 1.0))
    lines, citations = assemble(
        [
            Statement(statement, [(p, split_sentences(p.text)[0])], phrase)
            for (statement, phrase), p in zip(statements, passages, strict=True)
        ]
    )
    answer = Answered(question="q", lang="id", mode="extractive", lines=tuple(lines), citations=citations)
    shown, ranges = answer_words.body(answer)
    assert len(statements) < 2 or shown == TEXT
    return ranges


def test_a_phrase_is_found_in_its_own_statement_not_in_the_framing_or_a_marker() -> None:
    ranges = locate([("It began 1 year ago.", "1 year"), ("Others said 1 year too.", "1")])
    assert [TEXT[a:b] for a, b in ranges] == ["1 year", "1"]
    assert ranges[1][0] > TEXT.index("Others")
    assert locate([("It began 1 year ago.", "brief")]) == []


def test_segments_follow_the_ranges_and_keep_every_character() -> None:
    ranges = locate([("It began 1 year ago.", "1 year"), ("Others said 1 year too.", None)])
    pieces = segments(TEXT, ranges)
    assert [p for p, bold in pieces if bold] == ["1 year"]
    assert "".join(p for p, _ in pieces) == TEXT


def test_overlapping_or_impossible_ranges_are_ignored() -> None:
    assert segments("abcdef", [(1, 4), (2, 5), (4, 99)]) == [("a", False), ("bcd", True), ("ef", False)]
    assert segments("plain", []) == [("plain", False)]
