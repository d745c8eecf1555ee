"""Reader-side hits and miss causes, on passages small enough to check by eye."""

from __future__ import annotations

from eval.misses import answer_qrels, holds_answer, miss_kinds


def test_an_answer_must_occur_as_whole_words() -> None:
    assert holds_answer("Pesawat itu membawa 84 penumpang .", "84 penumpang")
    assert holds_answer("Sultan Ali Mughayat ( 1514-1530 )", "1514 - 1530")  # spacing and dashes ignored
    # "AS" (Amerika Serikat) is not found inside "kelas"; an empty answer never matches.
    assert not holds_answer("Ia pindah ke kelas lain .", "AS")
    assert holds_answer("Ia pindah ke AS bersama ayahnya .", "AS")
    assert not holds_answer("apa saja", "")


def test_answer_bearing_documents_join_the_judged_ones() -> None:
    docs = {
        "gold": "Ibu kota Jawa Barat adalah Bandung .",
        "also": "Bandung kota kembang .",
        "no": "Surabaya .",
    }
    expanded = answer_qrels({"q": {"gold"}, "bare": {"no"}}, docs, {"q": "Bandung"})
    assert expanded == {"q": {"gold", "also"}, "bare": {"no"}}


def test_a_question_written_over_its_article_is_told_apart_from_a_plain_miss() -> None:
    docs = {
        "snuppy": "Tim Seoul National University sukses mengkloning anjing Afganistan bernama Snuppy .",
        "gold": "Sel itu lalu ditanam ke rahim induk semang , seekor anjing labrador .",
        "weather": "Hujan deras turun di Jakarta sejak pagi .",
        "gold2": "Hujan deras membuat banjir di Kemang , Jakarta Selatan .",
    }
    questions = {
        "context": "Jenis anjing apakah induk semang anjing kloning Snuppy dari Seoul National University ?",
        "plain": "Di mana hujan deras membuat banjir di Jakarta ?",
    }
    ranked = {"context": ["snuppy", "gold"], "plain": ["weather", "gold2"]}
    qrels = {"context": {"gold"}, "plain": {"gold2"}}
    kinds = miss_kinds(ranked, qrels, docs, {"context": "labrador", "plain": "Kemang"}, questions)
    assert kinds["context-dependent"] == 0.5
    assert kinds["other"] == 0.5
    # Without the question texts the cause cannot be told, and the miss counts as "other".
    assert miss_kinds(ranked, qrels, docs, {})["other"] == 1.0
