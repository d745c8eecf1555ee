"""`python -m eval.retrieval` end to end on a tiny BEIR folder, through the real store and embedder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.retrieval import leg_settings, main
from store.settings import StoreSettings

TINY = Path(__file__).parent / "data" / "tiny_beir"


def test_leg_settings_switch_off_exactly_the_other_leg() -> None:
    base = StoreSettings()
    assert leg_settings(base, "dense").search.keyword_weight == 0.0
    assert leg_settings(base, "dense").search.dense_weight == base.search.dense_weight
    assert leg_settings(base, "bm25").search.dense_weight == 0.0
    assert leg_settings(base, "hybrid") == base


@pytest.mark.slow
def test_scores_every_leg_and_reuses_the_embedding_cache(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "result.json"
    argv = [str(TINY), "--split", "test", "--json", str(out), "--cache-dir", str(tmp_path / "cache")]
    assert main(argv) == 0
    first = capsys.readouterr()
    assert "embedded 6 chunks" in first.err
    assert "| hybrid |" in first.out  # the markdown table is printed for the notes

    result = json.loads(out.read_text(encoding="utf-8"))
    legs = {leg["leg"]: leg for leg in result["legs"]}
    assert set(legs) == {"dense", "bm25", "hybrid"}
    assert all(leg["queries"] == 6 for leg in legs.values())  # the train question is left out
    # Six clearly different topics: the multilingual dense leg and the fusion must put the right brief first
    # for nearly every question, English ones over Indonesian briefs included.
    assert legs["dense"]["recall@1"] >= 5 / 6
    assert legs["hybrid"]["recall@1"] >= 5 / 6
    assert legs["hybrid"]["p95_ms"] >= legs["hybrid"]["p50_ms"] > 0

    # Three questions carry an answer: the reader-side table is printed, and counting answer-bearing
    # passages as hits can only raise a score. The causes of rank-1 misses cover every question.
    assert "Reader-side" in first.out
    aware = {leg["leg"]: leg for leg in result["answer_aware_legs"]}
    assert set(aware) == set(legs)
    for name, strict in legs.items():
        assert all(aware[name][f"recall@{k}"] >= strict[f"recall@{k}"] for k in (1, 5, 10))
    assert all(abs(sum(kinds.values()) - 1.0) < 1e-9 for kinds in result["rank1_kinds"].values())

    # A second run over the same corpus finds every passage vector in the cache.
    assert main([*argv[:-2], "--cache-dir", str(tmp_path / "cache"), "--legs", "bm25"]) == 0
    assert "embedded 0 chunks" in capsys.readouterr().err


def test_bad_folder_is_reported_politely(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path), "--cache-dir", str(tmp_path / "cache")]) == 2
    assert "Cannot evaluate" in capsys.readouterr().err


def test_unknown_leg_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main([str(TINY), "--legs", "dense,colbert"])
    assert stop.value.code == 2
    assert "colbert" in capsys.readouterr().err


def test_split_without_judged_queries_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(TINY), "--split", "valid", "--cache-dir", str(tmp_path / "cache")]) == 2
    assert "no query of split 'valid'" in capsys.readouterr().err
