"""A generated answer is shown only when a statement restates a sentence the reader chose, with its answer
phrase's numbers and names; that statement leads. Hand-built readings and statements."""

from __future__ import annotations

from datetime import date

from bot.answering.citations import Statement
from bot.answering.grounding import grounded
from bot.answering.reading import Choice, ReadPassage
from store.sentences import split_sentences
from store.types import BriefInfo, Passage

TEXT = (
    "Berdasarkan laporan pada Kamis 19 Juni 2025, OpenAI menyatakan langkah itu dimulai sekitar 6 sampai 12 "
    "bulan yang lalu. Google juga mempertimbangkan untuk mencabut kemitraannya dengan Scale AI. Meta menarik "
    "CEO Scale AI, Alexandr Wang."
)
PASSAGE = Passage(
    "b1-0",
    BriefInfo("b1", "b1", "Wire", None, date(2025, 6, 19), "id", "test", "test", "b1", 1),
    TEXT,
    0,
    len(TEXT),
    0,
    1.0,
)
WHEN, GOOGLE, WANG = split_sentences(TEXT)


def choice(sentence_index: int, phrase: str | None) -> Choice:
    sentence = split_sentences(TEXT)[sentence_index]
    return Choice(ReadPassage(PASSAGE, 0, 0.9, 2.0, []), sentence, phrase)


def statement(text: str, *rests_on: int) -> Statement:
    sentences = split_sentences(TEXT)
    return Statement(text, [(PASSAGE, sentences[i]) for i in rests_on])


def test_a_statement_on_a_sentence_the_reader_did_not_choose_is_not_shown() -> None:
    # True to its sentence, and verified as such, but not an answer to "Who did Meta hire?".
    google = statement("Google is also considering ending its partnership with Scale AI.", 1)
    assert grounded([google], [choice(2, "Alexandr Wang")]) == []


def test_the_statement_on_the_chosen_sentence_leads() -> None:
    google = statement("Google is also considering ending its partnership with Scale AI.", 1)
    wang = statement("Meta hired Scale AI's CEO, Alexandr Wang.", 2)
    assert grounded([google, wang], [choice(2, "Alexandr Wang")]) == [wang, google]


def test_the_answer_phrase_must_be_carried_not_a_date_beside_it() -> None:
    report_date = statement("OpenAI began ending the collaboration in June 2025.", 0)
    months = statement("OpenAI said it began ending the collaboration about 6 to 12 months ago.", 0)
    when = choice(0, "6 sampai 12 bulan yang lalu")
    assert grounded([report_date], [when]) == []
    assert grounded([report_date, months], [when]) == [months, report_date]


def test_one_amount_of_a_phrase_that_gives_two_is_enough() -> None:
    text = "Meta berinvestasi US$14,3 miliar atau kurang lebih Rp472 triliun."
    sentence = split_sentences(text)[0]
    passage = Passage("b2-0", PASSAGE.brief, text, 0, len(text), 0, 1.0)
    amounts = Choice(
        ReadPassage(passage, 0, 0.9, 2.0, []), sentence, "US$14,3 miliar atau kurang lebih Rp472 triliun"
    )
    dollars = Statement("Meta invested US$14.3 billion in Scale AI.", [(passage, sentence)])
    millions = Statement("Meta invested US$14.3 million in Scale AI.", [(passage, sentence)])
    assert grounded([dollars], [amounts]) == [dollars]
    assert grounded([millions], [amounts]) == []


def test_without_a_confident_phrase_resting_on_the_sentence_is_enough() -> None:
    report_date = statement("OpenAI began ending the collaboration in June 2025.", 0)
    assert grounded([report_date], [choice(0, None)]) == [report_date]


def test_one_name_of_the_phrase_is_enough_where_a_title_is_translated() -> None:
    wang = statement("Meta hired the chief executive, Wang.", 2)
    assert grounded([wang], [choice(2, "CEO Scale AI, Alexandr Wang")]) == [wang]
    nobody = statement("Meta hired Scale AI's chief executive.", 2)
    assert grounded([nobody], [choice(2, "Alexandr Wang")]) == []
