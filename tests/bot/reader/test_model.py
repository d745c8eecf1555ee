"""The shipped reader: hash-checked at load, and it tells the sentence that answers from one on topic."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.answering.reading import (
    ANSWER_CUTOFF_CROSS_LANGUAGE,
    ANSWER_CUTOFF_ENGLISH,
    ANSWER_CUTOFF_INDONESIAN,
)
from bot.reader.model import MANIFEST, MODEL_DIR, MODEL_FILE, SPINNING, Reader, ReaderUnavailableError
from tests.support.reader_texts import ENGLISH_PASSAGE, PASSAGE

ROOT = Path(__file__).resolve().parents[3]

UNRELATED = (
    "Bank Indonesia menetapkan tarif MDR QRIS nol persen untuk usaha mikro mulai Desember, sehingga pedagang "
    "kecil tidak lagi membayar biaya setiap transaksi."
)


@pytest.fixture(scope="module")
def reader() -> Reader:
    return Reader()


def test_idle_pool_threads_sleep_instead_of_spinning(reader: Reader) -> None:
    """On shared cores a spinning onnxruntime thread holds a core the other one needs (issue 10)."""
    assert reader._session.get_session_options().get_session_config_entry(SPINNING) == "0"


def test_the_shipped_file_is_small_and_matches_its_manifest() -> None:
    manifest = json.loads((MODEL_DIR / MANIFEST).read_text(encoding="utf-8"))
    model = MODEL_DIR / MODEL_FILE
    assert model.stat().st_size == manifest["bytes"] < 40_000_000
    assert (MODEL_DIR / "NOTICE.md").read_text(encoding="utf-8").count("MIT") >= 2


def test_an_english_question_finds_its_answer_in_an_indonesian_passage(reader: Reader) -> None:
    [reading] = reader.read("When did OpenAI start winding down its work with Scale AI?", [PASSAGE])
    best = reading.spans[0]
    # The span may be the day the spokesman spoke ("Rabu (18/6)") or the "enam hingga 12 bulan" itself: both
    # sit in the sentence that answers, which is what the answer leads with.
    answering = PASSAGE.index("Seorang juru bicara")
    assert answering <= best.start < PASSAGE.index("terungkap.")
    assert reading.answerable > ANSWER_CUTOFF_CROSS_LANGUAGE


def test_a_passage_reads_the_same_whatever_it_is_read_beside(reader: Reader) -> None:
    """The engine reads the passages retrieval returns in batches; which others come back must not change
    whether one of them answers. The file shipped before the twelfth session quantised activations with one
    scale per batch, and a sample brief's probability moved by up to 0.20 with its batch mates."""
    briefs = sorted((ROOT / "data" / "briefs").glob("00*.md"))[:6]
    texts = [path.read_text(encoding="utf-8").split("---", 2)[-1].strip()[:1200] for path in briefs]
    for question in ["What share of Scale AI does Meta hold?", "Kapan OpenAI mulai mengakhiri kerja sama?"]:
        together = [r.answerable for r in reader.read(question, texts)]
        alone = [reader.read(question, [text])[0].answerable for text in texts]
        assert together == pytest.approx(alone, abs=0.01), question


def test_a_passage_on_another_subject_is_read_as_not_answering(reader: Reader) -> None:
    on_topic, off_topic = reader.read("How much did Meta invest in Scale AI?", [PASSAGE, UNRELATED])
    assert "14,3 miliar" in PASSAGE[on_topic.spans[0].start : on_topic.spans[0].end]
    assert off_topic.answerable < ANSWER_CUTOFF_CROSS_LANGUAGE <= on_topic.answerable


@pytest.mark.parametrize(
    "question",
    [
        "How much revenue did Scale AI make last year?",
        "When did Meta buy its stake?",
        # A near miss the retrained reader still takes (0.27): the passage names "a former Uber executive".
        pytest.param("Who founded Uber?", marks=pytest.mark.xfail(strict=True, reason="known miss, 0.27")),
    ],
)
def test_an_english_passage_does_not_answer_every_english_question(reader: Reader, question: str) -> None:
    """Until the fourteenth session the reader read any English question over any English passage at 0.85 or
    more (it had seen almost no unanswerable English-over-English pairs), so these were answered with a quote.
    """
    [answering] = reader.read("What share of staff did Scale AI cut in July?", [ENGLISH_PASSAGE])
    [missing] = reader.read(question, [ENGLISH_PASSAGE])
    assert "14%" in ENGLISH_PASSAGE[answering.spans[0].start : answering.spans[0].end]
    assert missing.answerable < ANSWER_CUTOFF_ENGLISH <= answering.answerable


def test_an_unanswered_question_about_the_same_story_is_not_answerable(reader: Reader) -> None:
    [reading] = reader.read("Who founded OpenAI?", [PASSAGE])
    assert reading.answerable < 0.5


def test_long_passages_are_read_in_windows_and_empty_input_reads_nothing(reader: Reader) -> None:
    long_text = " ".join([UNRELATED] * 12 + [PASSAGE])
    [reading] = reader.read("Berapa persen saham Scale AI yang dikuasai Meta?", [long_text])
    assert "49%" in long_text[reading.spans[0].start : reading.spans[0].end]
    assert reader.read("anything", []) == []
    empty, blank = reader.read("Who founded OpenAI?", ["", "   \u200b "])
    assert empty.spans == [] and empty.answerable < 0.01
    assert all(blank_span.end <= 5 for blank_span in blank.spans)


def test_a_narrower_window_still_finds_the_answer_in_a_chunk_length_passage() -> None:
    # eval.chunk_reads measures other windows with Reader(max_len=...); at 128 tokens this passage takes two.
    chunk = " ".join([UNRELATED, PASSAGE, UNRELATED])
    [reading] = Reader(max_len=128).read("Berapa persen saham Scale AI yang dikuasai Meta?", [chunk])
    assert "49%" in chunk[reading.spans[0].start : reading.spans[0].end]
    assert reading.answerable >= ANSWER_CUTOFF_INDONESIAN


def test_a_corrupt_model_file_is_refused(tmp_path: Path) -> None:
    shutil.copytree(MODEL_DIR, tmp_path / "model")
    target = tmp_path / "model" / MODEL_FILE
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(ReaderUnavailableError, match="sha256"):
        Reader(tmp_path / "model")


def test_a_model_that_loads_but_cannot_run_here_is_refused_at_load(tmp_path: Path) -> None:
    """A file whose operators this onnxruntime or CPU lacks may load and fail only when run; the engine must
    learn that once, at load, and answer without the reader (fixtures/make_unrunnable_reader.py made it)."""
    model = tmp_path / "model"
    model.mkdir()
    data = (Path(__file__).parent / "fixtures" / "unrunnable-reader.onnx").read_bytes()
    (model / MODEL_FILE).write_bytes(data)
    manifest = {"file": MODEL_FILE, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    (model / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ReaderUnavailableError, match="could not be loaded"):
        Reader(model)


def test_a_missing_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReaderUnavailableError, match="missing"):
        Reader(tmp_path)


_LOAD_AND_READ = """
from bot.reader.model import Reader
print(Reader().read("who leads Scale AI?", ["Jason Droege leads Scale AI."])[0].answerable)
"""


def test_loading_the_reader_leaves_no_telemetry_files_behind(tmp_path: Path) -> None:
    """onnxruntime writes a device id and a telemetry event store under ~/.cache and /tmp unless told not
    to; the container must write only under /data, and nobody's home should get them."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ORT_", "XDG_"))}
    done = subprocess.run(
        [sys.executable, "-c", _LOAD_AND_READ],
        env={**env, "HOME": str(home), "PYTHONPATH": str(ROOT)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) > 0.5
    assert not list(home.rglob("*")), "written under HOME"
