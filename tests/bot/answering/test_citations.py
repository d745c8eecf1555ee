from __future__ import annotations

from dataclasses import replace

from bot.answering.citations import Statement, assemble, problems, strip_markers
from bot.answering.types import Answered, Line
from store.sentences import Sentence, split_sentences
from store.types import BriefInfo, Passage


def passage(brief_id: str, text: str) -> Passage:
    info = BriefInfo(brief_id, brief_id.title(), "Publisher", None, None, "en", "test", "", "h", 1)
    return Passage(f"{brief_id}#0", info, text, 0, len(text), 0, 1.0)


def support(p: Passage, index: int = 0) -> tuple[Passage, Sentence]:
    return p, split_sentences(p.text)[index]


A = passage("a", "Meta bought 49% of Scale AI. The price was US$14.3 billion.")
B = passage("b", "OpenAI ended its work with Scale AI. It wanted specialised data.")
C = passage("c", "Google reconsidered its contract.")
D = passage("d", "Rivals gained customers.")


def test_numbers_are_dense_in_order_of_first_use_and_shared_by_one_passage() -> None:
    lines, citations = assemble(
        [
            Statement("OpenAI left.", [support(B)]),
            Statement("Meta bought in.", [support(A)]),
            Statement("It wanted other data.", [support(B, 1)]),
        ]
    )
    assert [line.marked for line in lines] == [
        "OpenAI left. [1]",
        "Meta bought in. [2]",
        "It wanted other data. [1]",
    ]
    assert [c.passage.chunk_id for c in citations] == ["b#0", "a#0"]
    # Both sentences of B are quoted as one verbatim span.
    assert citations[0].quote == B.text


def test_at_most_three_markers_per_statement_and_unsupported_statements_dropped() -> None:
    lines, citations = assemble(
        [
            Statement("Everything happened.", [support(A), support(B), support(C), support(D)]),
            Statement("Nobody supports this.", []),
        ]
    )
    assert "\n".join(line.marked for line in lines) == "Everything happened. [1][2][3]"
    assert len(citations) == 3


def test_a_sentence_that_is_not_in_its_passage_is_never_quoted() -> None:
    forged = Sentence("Meta bought all of Scale AI.", 0, 28)
    lines, citations = assemble([Statement("Claim.", [(A, forged)])])
    assert lines == [] and citations == []


def test_markers_are_parsed_in_any_common_form() -> None:
    assert strip_markers("OpenAI left Scale AI [2][1] .") == ("OpenAI left Scale AI.", [2, 1])
    assert strip_markers("Both did [1, 3].") == ("Both did.", [1, 3])


def test_problems_catches_broken_answers() -> None:
    lines, citations = assemble([Statement("OpenAI left.", [support(B)])])
    good = Answered(question="q", lang="en", mode="extractive", lines=tuple(lines), citations=citations)
    assert problems(good) == []
    dangling = replace(good, lines=(*lines, Line("Also.", (2,))))
    assert problems(dangling)
