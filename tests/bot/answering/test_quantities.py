"""Quantities compared by value, scale, unit and currency, across Indonesian and English."""

from __future__ import annotations

from bot.answering.quantities import quantities, repair, unmatched

SEED = (
    "Meta berinvestasi sebesar US$14,3 miliar atau kurang lebihRp472 triliun serta memegang 49% saham. "
    "Langkah itu dimulai sekitar 6 sampai 12 bulan yang lalu, pada 19 Juni 2025."
)


def test_scale_words_multiply_and_separators_follow_either_convention() -> None:
    values = [q.value for q in quantities("US$14,3 miliar, US$14.3 billion, Rp1.000 juta, 2,500 staff")]
    assert values == [14.3e9, 14.3e9, 1e9, 2500]


def test_the_same_facts_in_english_agree_with_the_indonesian_passage() -> None:
    for statement in (
        "Meta invested US$14.3 billion, about Rp472 trillion, for 49% of the shares.",
        "OpenAI began six to twelve months earlier, on 19 June 2025.",
        "Nilai investasinya US$14,3 miliar.",
    ):
        assert unmatched(statement, SEED) == [], statement


def test_a_wrong_scale_unit_currency_or_value_is_caught() -> None:
    for statement in (
        "Meta invested US$14,3 million.",  # miliar read as million: the example
        "Meta invested Rp14.3 billion.",  # the dollar figure in rupiah
        "It started 6 to 12 weeks ago.",
        "Meta holds 51% of Scale AI.",
        "Meta invested Rp472 billion.",
    ):
        assert unmatched(statement, SEED), statement


def test_number_words_count_only_with_a_unit() -> None:
    assert quantities("one of the firms") == []
    assert [q.value for q in quantities("two years")] == [2]


def test_a_bound_before_a_number_is_read_in_both_languages() -> None:
    text = "kurang lebihRp472 triliun, lebih dari 49%, less than 6 months, 12 bulan"
    assert [q.bound for q in quantities(text)] == ["about", "over", "under", None]
    text = "sekitar 6 sampai 12 bulan, at least US$5 billion"
    assert [q.bound for q in quantities(text)] == ["about", None, "over"]


def test_a_statement_may_drop_or_hedge_a_bound_but_not_turn_it() -> None:
    for statement in (
        "Meta invested about Rp472 trillion.",  # "kurang lebih" restated
        "Meta invested Rp472 trillion.",  # the bound dropped
        "Meta holds around 49% of Scale AI.",  # an exact figure hedged
    ):
        assert unmatched(statement, SEED) == [], statement
    for statement in (
        "Meta invested US$14.3 billion or less than Rp472 trillion.",  # "kurang lebih" read as "less than"
        "Meta holds more than 49% of Scale AI.",
        "Meta memegang kurang dari 49% saham.",
    ):
        assert unmatched(statement, SEED), statement


def test_a_translation_gets_back_the_scale_and_bound_words_of_its_source() -> None:
    # The packaged 1.5B model's translation of the seed's first sentence, as recorded.
    source = (
        "Meta berinvestasi sebesar US$14,3 miliar atau kurang lebih Rp472 triliun serta memegang 49% saham."
    )
    translated = (
        "Meta invested a total of US$14.3 million or less than Rp472 trillion and held 49% of the shares."
    )
    repaired = repair(translated, source, "en")
    assert (
        repaired
        == "Meta invested a total of US$14.3 billion or about Rp472 trillion and held 49% of the shares."
    )
    assert unmatched(repaired, source) == [] and unmatched(translated, source)
    assert (
        repair("Meta menanam US$14,3 juta.", "Meta invested US$14.3 billion.", "id")
        == "Meta menanam US$14,3 miliar."
    )
    assert repair("Meta invested US$14.3.", source, "en") == "Meta invested US$14.3 billion."


def test_a_translation_is_left_alone_where_the_source_cannot_say_which_words() -> None:
    # A changed unit, a number the source states with two scales, a number it does not state: verification
    # judges these, unrepaired.
    assert (
        repair("It began 6 to 12 weeks ago.", "Dimulai 6 sampai 12 bulan lalu.", "en")
        == "It began 6 to 12 weeks ago."
    )
    two = "Dana US$5 juta pada 2024 dan US$5 miliar pada 2025."
    assert repair("It raised US$5 trillion.", two, "en") == "It raised US$5 trillion."
    assert repair("It raised US$7 million.", two, "en") == "It raised US$7 million."
