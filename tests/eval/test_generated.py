"""eval.generated end to end with a hand-written LLM: the three systems in one command, then a replay."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eval import generated
from tests.bot.answering.fake_llm import ChatServer

# importorskip, not find_spec: find_spec raises (and stops collection) when `llama_index.llms` is absent.
pytest.importorskip(
    "llama_index.llms.openai_like", reason="the [llm] extra is not installed (scripts/install --llm)"
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not generated.SEED.is_file(), reason=f"{generated.SEED} is missing"),
]

STATEMENT = "Meta invested US$14.3 billion in Scale AI."


def reply(request: dict[str, Any]) -> str:
    if "You translate questions" in request["messages"][0]["content"]:  # briefbot: the question, translated
        return json.dumps({"question": "Berapa investasi Meta di Scale AI?"})
    if request.get("response_format"):  # briefbot: JSON statements
        return json.dumps(
            {"answer": [{"passages": [1], "sentence_in_english": STATEMENT}], "not_in_passages": False}
        )
    return f"{STATEMENT} [1]"  # the CitationQueryEngine: prose with markers


def records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_compare_runs_every_system_then_replays_the_replies(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BRIEFBOT_STORE__CHROMA_PATH")  # each run's library lives in its --out-dir
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        json.dumps({"question": "How large was Meta's investment in Scale AI?", "answerable": True,
                    "answers": ["14.3 billion"]}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    server = ChatServer(reply)
    common = ["--questions", str(questions), "--llm-url", server.url, "--timeout", "30"]
    try:
        generated.main(["compare", "--out-dir", str(tmp_path / "first"), *common])
    finally:
        server.close()
    table = capsys.readouterr().out
    assert "| fact anywhere / first statement (of answerable) | 1 / 1 (of 1) |" in table
    first = records(tmp_path / "first" / "generated.jsonl")[0]
    assert first["mode"] == "generated" and first["statements"][0]["text"] == STATEMENT
    assert first["first_visible"] < first["first_token"] <= first["seconds"]
    # Two calls: the question translated (the seed is Indonesian, and the question reads under
    # `reading.ASKED_DECISIVE` as asked), then the answer.
    assert [c["replayed"] for c in first["llm_calls"]] == [False, False]
    assert records(tmp_path / "first" / "citation.jsonl")[0]["statements"][0]["text"] == STATEMENT
    assert (tmp_path / "first" / "review.md").is_file()
    # The server is gone: the replay answers the same prompt from the records, with the recorded times.
    generated.main(["compare", "--out-dir", str(tmp_path / "again"), "--systems", "generated",
                    "--replay", str(tmp_path / "first" / "generated.jsonl"), *common])  # fmt: skip
    again = records(tmp_path / "again" / "generated.jsonl")[0]
    assert again["text"] == first["text"] and again["replayed"] and again["seconds"] == first["seconds"]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def test_a_data_sets_pool_is_indexed_and_its_questions_spread_evenly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--pool idk` over two paragraphs in IDK-MRC's layout; `--limit 2` takes the 1st and 3rd of four."""
    monkeypatch.delenv("BRIEFBOT_STORE__CHROMA_PATH")
    data = tmp_path / "idk_mrc"
    data.mkdir()
    dekker = (
        "Douwes Dekker lahir di Pasuruan, Jawa Timur, pada tanggal 8 Oktober 1879. Ia kemudian belajar di "
        "Universitas Zurich."
    )
    gps = (
        "GPS adalah singkatan dari Global Positioning System, sistem navigasi satelit milik Amerika Serikat."
    )
    write_jsonl(data / "corpus.jsonl", [{"_id": "p-dekker", "text": dekker}, {"_id": "p-gps", "text": gps}])
    question = {"answer_start": [0], "split": "valid"}
    write_jsonl(data / "queries-valid.jsonl", [
        {**question, "_id": "q1", "text": "Di kota mana Douwes Dekker lahir?", "answers": ["Pasuruan"],
         "is_impossible": False, "context_id": "p-dekker"},
        {**question, "_id": "q2", "text": "Kapan Douwes Dekker lahir?", "answers": ["8 Oktober 1879"],
         "is_impossible": False, "context_id": "p-dekker"},
        {**question, "_id": "q3", "text": "Siapa istri pertama Douwes Dekker?", "answers": [],
         "is_impossible": True, "context_id": "p-dekker"},
        {**question, "_id": "q4", "text": "Apa kepanjangan dari GPS?",
         "answers": ["Global Positioning System"], "is_impossible": False, "context_id": "p-gps"},
    ])  # fmt: skip
    out = tmp_path / "run"
    generated.main(["compare", "--pool", "idk", "--data", str(data), "--systems", "extractive",
                    "--limit", "2", "--out-dir", str(out)])  # fmt: skip
    asked = records(out / "extractive.jsonl")
    assert [r["question"] for r in asked] == [
        "Di kota mana Douwes Dekker lahir?",
        "Siapa istri pertama Douwes Dekker?",
    ]
    assert "Pasuruan" in asked[0]["text"]
    table = capsys.readouterr().out
    assert "| fact anywhere / first statement (of answerable) | 1 / 1 (of 1) |" in table
