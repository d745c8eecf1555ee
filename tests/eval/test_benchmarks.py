"""The benchmark scripts on a six-brief corpus: they run the real pipeline and report consistent figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import ingest_speed, scale, search_latency

CORPUS = Path(__file__).parent / "data" / "tiny_beir" / "corpus.jsonl"

pytestmark = pytest.mark.slow


def test_ingest_speed_compares_pipeline_and_model_and_reruns_without_embedding(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "ingest.json"
    argv = ["--corpus", str(CORPUS), "--passages", "6", "--rerun-briefs", "6"]
    assert ingest_speed.main([*argv, "--cache-dir", str(tmp_path / "cache"), "--json", str(out)]) == 0
    assert "pipeline overhead" in capsys.readouterr().out
    figures = json.loads(out.read_text(encoding="utf-8"))
    speed, rerun = figures["pipeline_vs_model"], figures["no_change_rerun"]
    # The model timing must cover exactly the chunks the pipeline embedded and stored.
    assert speed["chunks"] == speed["chunks_embedded"] >= 6
    assert len(speed["pipeline_wall_seconds"]) == len(speed["model_cpu_seconds"]) == 2  # two rounds
    assert min(speed["pipeline_wall_seconds"]) > 0 and min(speed["model_wall_seconds"]) > 0
    assert rerun["first_added"] == 6
    assert rerun["rerun_unchanged"] == 6 and rerun["rerun_changed"] == 0
    assert rerun["rerun_chunks_embedded"] == 0


def test_search_latency_pads_the_index_with_synthetic_chunks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "latency.json"
    argv = ["--corpus", str(CORPUS), "--sizes", "6,300", "--real", "6", "--queries", "4"]
    assert search_latency.main([*argv, "--cache-dir", str(tmp_path / "cache"), "--json", str(out)]) == 0
    assert "300 chunks (6 real)" in capsys.readouterr().out
    figures = json.loads(out.read_text(encoding="utf-8"))["search_latency"]
    assert figures["6"]["chunks"] == 6
    assert figures["300"]["chunks"] == 300
    assert all(r["p95_ms"] >= r["p50_ms"] > 0 and r["queries"] == 4 for r in figures.values())


def test_scale_measures_a_kept_store_again_without_building_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "store"
    argv = ["--corpus", str(CORPUS), "--chunks", "40", "--real", "6", "--queries", "4", "--answers", "2"]
    argv += ["--noop", "6", "--reader", "off", "--cache-dir", str(tmp_path / "cache"), "--keep", str(store)]
    assert scale.main([*argv, "--json"]) == 0
    built = json.loads(capsys.readouterr().out)
    assert built["chunks"] == 40 and built["build_s"] > 0
    assert built["write_one_brief_s"] is not None and built["noop_sync_briefs"] == 6

    assert scale.main([*argv, "--reuse", "--json"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["build_s"] is None
    assert again["chunks"] == 41  # the first run's probe brief stays; this run wrote a new one
    assert again["write_one_brief_s"] is not None and again["noop_sync_briefs"] == 6

    # A larger N on the same store: only the missing synthetic chunks are written, under new ids.
    argv[argv.index("--chunks") + 1] = "60"
    assert scale.main([*argv, "--reuse", "--json"]) == 0
    grown = json.loads(capsys.readouterr().out)
    assert grown["grown_from"] == 42 and grown["grow_s"] > 0
    assert grown["chunks"] == 60  # N counts every chunk the store holds, earlier runs' probes too


@pytest.mark.server
def test_scale_through_a_chroma_server_reuses_the_built_keyword_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--corpus", str(CORPUS), "--chunks", "40", "--real", "6", "--queries", "4", "--answers", "2"]
    argv += ["--noop", "6", "--reader", "off", "--cache-dir", str(tmp_path / "cache")]
    assert scale.main([*argv, "--keep", str(tmp_path / "store"), "--server", "--json"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["write_one_brief_s"] is not None and figures["noop_sync_briefs"] == 6
    assert figures["server_rss_mb"] > 0 and figures["rss_mb"] > 0
    # the embedded build's file stays; its copy named for this run's server port is removed afterwards (no
    # later run opens it: 525 MB at 500k chunks)
    assert len(list((tmp_path / "store" / "keyword").glob("*.sqlite"))) == 1
