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
        json.dumps({"question": "How much did Meta invest in Scale AI?", "answerable": True,
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
    assert [c["replayed"] for c in first["llm_calls"]] == [False]
    assert records(tmp_path / "first" / "citation.jsonl")[0]["statements"][0]["text"] == STATEMENT
    assert (tmp_path / "first" / "review.md").is_file()
    # The server is gone: the replay answers the same prompt from the records, with the recorded times.
    generated.main(["compare", "--out-dir", str(tmp_path / "again"), "--systems", "generated",
                    "--replay", str(tmp_path / "first" / "generated.jsonl"), *common])  # fmt: skip
    again = records(tmp_path / "again" / "generated.jsonl")[0]
    assert again["text"] == first["text"] and again["replayed"] and again["seconds"] == first["seconds"]
