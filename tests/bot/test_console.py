"""The console front end (`ask`, `--questions`, chat, error messages) over the real sample library."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import console
from bot.answering.engine import Answerer
from bot.answering.settings import AnswerSettings
from harness.servers import free_port
from store.library import open_library
from store.settings import StoreSettings
from tests.support.answers import answered
from tests.support.sample_library import sample_library_dir

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sample_library_dir(tmp_path_factory)


def run_bot(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFBOT_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        check=False,
        cwd=ROOT,
        env={**clean, **env},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_questions_file_gives_one_json_answer_per_line(data_dir: Path, tmp_path: Path) -> None:
    questions = tmp_path / "questions.txt"
    questions.write_text(
        "why did OpenAI leave Scale AI?\n\nwhat is the capital of Peru?\n" + "x" * 2000 + "\n"
    )
    result = run_bot("ask", "--questions", str(questions), env={"BRIEFBOT_STORE__DATA_DIR": str(data_dir)})
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 3, result.stderr
    answered, declined, too_long = lines
    assert not answered["abstained"] and answered["citations"][0]["brief_id"]
    assert answered["citations"][0]["number"] == 1 and "[1]" in answered["text"]
    assert declined["abstained"] and declined["nearest"]
    assert "too long" in too_long["error"]
    assert result.returncode == 1  # one question could not be answered


def test_unreachable_chroma_server_gets_a_polite_message(tmp_path: Path) -> None:
    env = {
        "BRIEFBOT_STORE__DATA_DIR": str(tmp_path),
        "BRIEFBOT_STORE__CHROMA_HOST": "127.0.0.1",
        "BRIEFBOT_STORE__CHROMA_PORT": str(free_port()),
    }
    result = run_bot("ask", "why did OpenAI leave Scale AI?", env=env)
    assert result.returncode == 1
    assert "unavailable" in result.stderr and "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def answerer(data_dir: Path) -> Iterator[Answerer]:
    yield Answerer(open_library(StoreSettings(data_dir=data_dir)), AnswerSettings())


def test_chat_answers_with_sources_until_quit(answerer: Answerer) -> None:
    script = iter(["why did OpenAI leave Scale AI?", "", "/quit", "never asked"])
    out = io.StringIO()
    console.chat(answerer, lambda _prompt: next(script), out)
    text = out.getvalue()
    assert "From the briefs:" in text and "Sources:" in text and "[1] " in text
    assert "never asked" not in text


def test_plain_ask_prints_answer_then_numbered_sources(answerer: Answerer) -> None:
    out = io.StringIO()
    assert (
        console.ask_once(
            answerer, "Mengapa OpenAI menghentikan kerja sama dengan Scale AI?", out, as_json=False
        )
        == 0
    )
    text = out.getvalue()
    assert text.startswith("Menurut brief:") and "\nSumber:\n[1] " in text


def test_declined_answer_lists_the_closest_briefs(answerer: Answerer) -> None:
    out = io.StringIO()
    console.ask_once(answerer, "what is the capital of Peru?", out, as_json=False)
    text = out.getvalue()
    assert text.startswith("The briefs don't cover this.") and "\nClosest briefs:\n- " in text
    assert "Sources:" not in text


def test_a_terminal_shows_the_answer_phrase_in_bold_and_a_pipe_gets_plain_text() -> None:
    answer = answered("From the briefs:\nIt began 6 to 12 months ago. [1]", [], bold="6 to 12 months")
    assert "\033[1m6 to 12 months\033[0m ago" in console.format_answer(answer, styled=True)
    assert "\033[" not in console.format_answer(answer)


def test_a_draft_that_did_not_hold_up_is_followed_by_a_line_saying_so() -> None:
    from bot.answering.types import AnswerProgress

    out = io.StringIO()
    streamer = console.Streamer(out, "en")
    for progress in (
        AnswerProgress("reading", briefs=2),
        AnswerProgress("writing", text="Meta invested"),
        AnswerProgress("writing", text="Meta invested US$2 billion."),
        AnswerProgress("translating"),
    ):
        streamer(progress)
    streamer.finish()
    lines = out.getvalue().splitlines()
    translating = "… that draft did not match the briefs; translating their own sentences"
    assert lines[:3] == ["… reading 2 briefs", "Meta invested US$2 billion.", translating]
