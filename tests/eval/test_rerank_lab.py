"""The re-ranker lab's answer types and features, on passages small enough to check by eye."""

from __future__ import annotations

import numpy as np

from eval.rerank_lab import ANSWER_TYPES, Featurizer, answer_type


def test_answer_type_follows_the_question_word() -> None:
    assert answer_type("Berapa penumpang pesawat GA - 181 ?") == "number"
    assert answer_type("Tahun berapa perusahaan itu berdiri ?") == "date"
    assert answer_type("Kapan konferensi itu diadakan ?") == "date"
    assert answer_type("Siapakah Perdana Menteri Palestina ?") == "person"
    assert answer_type("Di manakah Danau Tamblingan ?") == "place"
    assert answer_type("Apa nama latin harimau Sumatera ?") == "other"


def test_a_passage_bringing_a_new_number_scores_that_for_a_how_many_question() -> None:
    pool = [
        "Pesawat GA - 181 membawa 84 penumpang dan mendarat darurat di Pekanbaru .",
        "Pesawat GA - 181 mendarat darurat di Pekanbaru karena kerusakan mesin .",
        "Harga cabai naik menjelang Lebaran .",
    ]
    featurizer = Featurizer(pool)
    question = "Berapa penumpang pesawat GA - 181 yang mendarat darurat ?"
    phrase = featurizer.bigram_scores(question)
    assert phrase[0] > 0 and phrase[1] > 0 and phrase[2] == 0  # "ga_181", "mendarat_darurat"
    legs = [np.ones(3, dtype=np.float32)] * 3
    rows = featurizer.rows(question, [0, 1, 2], legs)
    number_column = 3 + 4 + ANSWER_TYPES.index("number") * 3  # three legs, four overlap/length features
    assert rows[0, number_column] > rows[1, number_column] == 0
    # The question's IDF mass: the unrelated passage repeats none of it.
    assert rows[2, 3] == 0 < rows[1, 3] <= rows[0, 3]
