"""Replies read as data: JSON in its usual disguises, plain marked sentences, and unfinished streams."""

from __future__ import annotations

import itertools
import json

from bot.answering.structured import (
    DraftStatement,
    Lead,
    build_prompt,
    is_refusal,
    parse,
    partial_sentences,
    plain_quotes,
    schema,
    sentence_key,
    translations,
)


def test_a_json_reply_becomes_statements_with_their_passage_numbers() -> None:
    reply = json.dumps(
        {
            "answer": [
                {"passages": [2, 1], "sentence_in_english": "Meta paid US$14.3 billion."},
                {"passages": [3], "sentence_in_english": "Google may leave too."},
            ],
            "not_in_passages": False,
        }
    )
    draft = parse(reply, "en")
    assert draft.structured and not draft.declined
    assert draft.statements == [
        DraftStatement("Meta paid US$14.3 billion.", [2, 1]),
        DraftStatement("Google may leave too.", [3]),
    ]


def test_fences_chatter_other_keys_and_markers_are_tolerated() -> None:
    reply = (
        'Here you go:\n```json\n{"answer": [{"text": "Droege leads Scale AI [2].", "passages": "1"}]}\n```'
    )
    assert parse(reply, "id").statements == [DraftStatement("Droege leads Scale AI.", [1, 2])]
    assert parse('[{"passages": [1], "sentence": "A bare list."}]', "en").statements[0].text == "A bare list."


def test_a_plain_reply_is_read_as_marked_sentences() -> None:
    draft = parse("OpenAI ended the work [1]. Google may follow [2]. I don't know more.", "en")
    assert not draft.structured
    assert draft.statements == [DraftStatement("OpenAI ended the work.", [1]),
                                DraftStatement("Google may follow.", [2])]  # fmt: skip


def test_declines_are_recognised_in_both_forms() -> None:
    assert parse('{"answer": [], "not_in_passages": true}', "en").declined
    assert parse("The passages do not mention the founder.", "en").declined
    assert is_refusal("Maaf, hal itu tidak disebutkan dalam brief.")
    assert not parse(
        '{"answer": [{"passages": [1], "sentence": "x y z"}], "not_in_passages": true}', "en"
    ).declined


def test_partial_sentences_follow_an_unfinished_stream() -> None:
    full = json.dumps({"answer": [{"passages": [1], "sentence_in_english": 'He said "no" \u00e9'},
                                  {"passages": [2], "sentence_in_english": "Second one."}]})  # fmt: skip
    seen = [partial_sentences(full[:end]) for end in range(len(full) + 1)]
    assert seen[-1] == ['He said "no" \u00e9', "Second one."]
    assert all(len(a) <= len(b) for a, b in itertools.pairwise(seen))
    cut = full.index("Second") + 3
    assert partial_sentences(full[:cut]) == ['He said "no" \u00e9', "Sec"]


def test_the_schema_names_the_sentence_by_language_and_bounds_passage_numbers() -> None:
    shape = schema("id", 3)
    item = shape["properties"]["answer"]["items"]
    assert sentence_key("id") in item["required"] and sentence_key("en") == "sentence_in_english"
    assert item["properties"]["passages"]["items"]["enum"] == [1, 2, 3]


def test_translations_are_read_in_order() -> None:
    assert translations('{"translations": ["One.", "Two."]}') == ["One.", "Two."]
    assert translations("nothing here") == []


def test_the_prompt_points_at_the_answering_sentence_and_its_phrase() -> None:
    lead = Lead(2, "Dimulai 6 bulan lalu.", "6 bulan lalu")
    _, user = build_prompt("When did it start?", "en", [], [lead])
    said = 'Passage [2] answers it in this sentence: "Dimulai 6 bulan lalu." (the answer: "6 bulan lalu").'
    assert said in user
    _, bare = build_prompt("When did it start?", "en", [])
    assert "answers it in this sentence" not in bare


def test_quotes_the_model_would_copy_into_a_json_string_are_single() -> None:
    assert plain_quotes('divisi "superintelligence" terbarunya') == "divisi 'superintelligence' terbarunya"
    assert '"' not in plain_quotes('a \u201cb\u201d c "d')
    lead = Lead(1, 'Wang memimpin divisi "superintelligence".', '"superintelligence"')
    _, user = build_prompt("Which division?", "en", [], [lead])
    assert user.count('"') == 4  # the pointer's own quotes only
