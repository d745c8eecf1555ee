"""The reader's training examples: our English IDK-MRC and FacQA questions meet their sets' passages, answers.

Tiny sets in the BEIR layout of `../shared/data/idk_mrc` and `../shared/data/facqa` are written to a temp
folder (the suite never reads the shared data).
"""

from __future__ import annotations

import json
from pathlib import Path

from training.data import (
    ENGLISH_FACQA_QUESTIONS,
    ENGLISH_FACQA_UNANSWERABLE,
    ENGLISH_IDK_QUESTIONS,
    facqa,
    facqa_english,
    facqa_english_unanswerable,
    hard_negatives,
    idk_mrc,
    idk_mrc_english,
    squad_dev_english,
    squad_dev_split,
)

PARAGRAPH = "Museum Rudana dibangun pada tahun 1990 di Ubud, Bali."


def _write(path: Path, rows: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


def _tiny_set(root: Path) -> None:
    folder = root / "idk_mrc"
    folder.mkdir(parents=True)
    _write(folder / "corpus.jsonl", [{"_id": "p1", "text": PARAGRAPH}])
    _write(
        folder / "queries-train.jsonl",
        [
            {
                "_id": "q1",
                "text": "Kapan Museum Rudana dibangun?",
                "answers": ["1990"],
                "answer_start": [31],
                "is_impossible": False,
                "context_id": "p1",
            },
            {
                "_id": "q1-unans",
                "text": "Kapan Museum Rudana ditutup?",
                "answers": [],
                "answer_start": [],
                "is_impossible": True,
                "context_id": "p1",
            },
            {
                "_id": "q2",
                "text": "Di mana Museum Rudana?",
                "answers": ["Ubud"],
                "answer_start": [42],
                "is_impossible": False,
                "context_id": "p1",
            },
        ],
    )


def test_english_questions_keep_the_indonesian_answer_span_and_unanswerability(tmp_path: Path) -> None:
    _tiny_set(tmp_path)
    translations = tmp_path / "en.jsonl"
    _write(
        translations,
        [
            {"_id": "q1", "text_en": "When was the Rudana Museum built?"},
            {"_id": "q1-unans", "text_en": "When did the Rudana Museum close?"},
        ],
    )
    examples = idk_mrc_english(tmp_path, translations)
    assert [(e.question, e.answer, e.source) for e in examples] == [
        ("When was the Rudana Museum built?", "1990", "x-idk-en"),
        ("When did the Rudana Museum close?", None, "x-idk-en"),
    ]
    answered = examples[0]
    assert answered.answer_start is not None
    assert answered.context[answered.answer_start : answered.answer_start + 4] == "1990"
    assert len(idk_mrc(tmp_path, "train")) == 3  # the Indonesian originals are all still there


def test_shipped_translations_are_well_formed() -> None:
    rows = [json.loads(line) for line in ENGLISH_IDK_QUESTIONS.read_text(encoding="utf-8").splitlines()]
    ids = [row["_id"] for row in rows]
    assert len(rows) > 4000
    assert len(set(ids)) == len(ids)
    assert all(row["text_en"].strip().endswith("?") for row in rows)
    # Unanswerable ids carry "unans": without them the reader would learn nothing about declining.
    assert sum("unans" in i for i in ids) > len(ids) // 3


NEWS = "Menteri Perdagangan Mari Pangestu mengunjungi Bangalore , India , pada Senin ( 12 / 9 ) ."
OTHER_NEWS = "Menteri Perdagangan Mari Pangestu membuka pameran di Jakarta pada Selasa ."


def _tiny_facqa(root: Path) -> None:
    folder = root / "facqa"
    folder.mkdir(parents=True)
    _write(folder / "corpus.jsonl", [{"_id": "n1", "text": NEWS}, {"_id": "n2", "text": OTHER_NEWS}])
    _write(
        folder / "queries.jsonl",
        [
            {"_id": "facqa-train-1", "text": "Kota apakah yang dikunjungi Mari Pangestu ?", "split": "train"},
            {"_id": "facqa-valid-1", "text": "Negara apakah yang dikunjungi Mari ?", "split": "valid"},
        ],
    )
    _write(
        folder / "answers.jsonl",
        [
            {"_id": "facqa-train-1", "corpus_id": "n1", "split": "train", "answer": "Bangalore",
             "answer_start": 46, "spans": [{"text": "Bangalore", "start": 46}]},
            {"_id": "facqa-valid-1", "corpus_id": "n1", "split": "valid", "answer": "India",
             "answer_start": 58, "spans": [{"text": "India", "start": 58}]},
        ],
    )  # fmt: skip


def test_english_news_questions_keep_the_indonesian_answer_span(tmp_path: Path) -> None:
    _tiny_facqa(tmp_path)
    translations = tmp_path / "facqa-en.jsonl"
    _write(translations, [{"_id": "facqa-train-1", "text_en": "Which city did Mari Pangestu visit?"}])
    [example] = facqa_english(tmp_path, translations)
    assert (example.question, example.answer, example.source) == (
        "Which city did Mari Pangestu visit?",
        "Bangalore",
        "x-facqa-en",
    )
    assert example.answer_start is not None
    assert example.context[example.answer_start :].startswith("Bangalore")
    # The Indonesian originals are unchanged, and a split other than train is never read.
    assert [e.question for e in facqa(tmp_path, "train")] == ["Kota apakah yang dikunjungi Mari Pangestu ?"]
    # Its hard negative: the other news passage, found by searching with the Indonesian twin.
    twin = {example.question: "Kota apakah yang dikunjungi Mari Pangestu ?"}
    [negative] = hard_negatives([example], [NEWS, OTHER_NEWS], "x-facqa-neg", query_of=twin)
    assert (negative.context, negative.answer) == (OTHER_NEWS, None)


def test_english_near_misses_are_unanswerable_examples_over_their_news_passage(tmp_path: Path) -> None:
    _tiny_facqa(tmp_path)
    near_misses = tmp_path / "unanswerable.jsonl"
    _write(near_misses, [{"corpus_id": "n1", "text_en": "Which city did Mari Pangestu visit on Friday?"}])
    [example] = facqa_english_unanswerable(tmp_path, near_misses)
    assert (example.context, example.answer, example.answer_start, example.source) == (
        NEWS,
        None,
        None,
        "x-facqa-unans",
    )


def test_shipped_news_near_misses_avoid_the_evaluation_passages() -> None:
    rows = [json.loads(line) for line in ENGLISH_FACQA_UNANSWERABLE.read_text(encoding="utf-8").splitlines()]
    assert len(rows) > 500
    assert all(row["text_en"].strip() for row in rows)
    evaluation = ENGLISH_IDK_QUESTIONS.parents[2] / "eval" / "data"
    held = set()
    for name in (
        "facqa_en_questions.jsonl",
        "facqa_en_unanswerable.jsonl",
        "facqa_en_valid_questions.jsonl",
        "facqa_en_valid_unanswerable.jsonl",
    ):
        lines = (evaluation / name).read_text(encoding="utf-8").splitlines()
        held |= {json.loads(line)["corpus_id"] for line in lines}
    assert not held & {row["corpus_id"] for row in rows}


def test_shipped_news_translations_are_train_questions_only() -> None:
    rows = [json.loads(line) for line in ENGLISH_FACQA_QUESTIONS.read_text(encoding="utf-8").splitlines()]
    ids = [row["_id"] for row in rows]
    assert len(rows) > 2000
    assert len(set(ids)) == len(ids)
    # Valid and test questions are never trained on, nor the questions of our English FacQA evaluation set.
    assert all(i.startswith("facqa-train-") for i in ids)
    evaluation = ENGLISH_IDK_QUESTIONS.parents[2] / "eval" / "data" / "facqa_en_questions.jsonl"
    lines = evaluation.read_text(encoding="utf-8").splitlines()
    held = {json.loads(line)["source_query_id"] for line in lines}
    assert not held & set(ids)
    assert all(row["text_en"].strip() for row in rows)


def test_the_clean_news_check_asks_valid_questions_only() -> None:
    # Valid questions only (on passages no train question uses, checked when the set was drawn from FacQA).
    evaluation = ENGLISH_IDK_QUESTIONS.parents[2] / "eval" / "data"
    lines = (evaluation / "facqa_en_valid_questions.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    assert len(rows) > 80
    assert all(row["source_query_id"].startswith("facqa-valid-") and row["text"].strip() for row in rows)


def test_squad_dev_keeps_every_fourth_article_out_of_training_alternately_for_valid_and_test() -> None:
    titles = [f"Article_{n:02d}" for n in range(35)]
    split = squad_dev_split(list(reversed(titles)) + titles[:3])  # order and repeats do not matter

    assert [t for t in titles if split[t] == "valid"] == [f"Article_{n:02d}" for n in (3, 11, 19, 27)]
    assert [t for t in titles if split[t] == "test"] == [f"Article_{n:02d}" for n in (7, 15, 23, 31)]
    assert sum(split[t] == "train" for t in titles) == 27


def test_english_pairs_come_from_training_articles_only_answerable_and_not(tmp_path: Path) -> None:
    folder = tmp_path / "squad2"
    folder.mkdir()
    paragraphs = {
        f"c{n}": f"Example Museum number {n} opened in {1900 + n} in Springfield." for n in range(8)
    }
    _write(folder / "corpus.jsonl", [{"_id": key, "text": text} for key, text in paragraphs.items()])
    rows = []
    for n in range(8):
        title = f"Article_{n}"
        text = paragraphs[f"c{n}"]
        year = str(1900 + n)
        rows.append({"_id": f"a{n}", "text": f"When did museum {n} open?", "answers": [year],
                     "answer_start": [text.index(year)], "is_impossible": False, "context_id": f"c{n}",
                     "title": title})  # fmt: skip
        rows.append({"_id": f"u{n}", "text": f"When did museum {n} close?", "answers": [], "answer_start": [],
                     "is_impossible": True, "context_id": f"c{n}", "title": title})  # fmt: skip
    _write(folder / "queries-dev.jsonl", rows)

    examples = squad_dev_english(tmp_path)

    asked = {e.question for e in examples}
    assert "When did museum 3 open?" not in asked  # a valid article
    assert "When did museum 7 close?" not in asked  # a test article
    assert len(examples) == 12  # six training articles, an answerable and an unanswerable question each
    opened = next(e for e in examples if e.question == "When did museum 2 open?")
    assert opened.answer == "1902" and opened.context[opened.answer_start or 0 :].startswith("1902")
    closed = next(e for e in examples if e.question == "When did museum 2 close?")
    assert closed.answer is None and closed.answer_start is None
    # The pack's English-over-English valid set (a GPU run's selection): valid articles only, never test ones.
    assert {e.question for e in squad_dev_english(tmp_path, "valid")} == {
        "When did museum 3 open?",
        "When did museum 3 close?",
    }
