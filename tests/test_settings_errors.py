"""Bad settings: every entry point prints one line per bad setting (no traceback) and exits 2."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from store.settings_errors import BadSettings, load_settings

REPO = Path(__file__).resolve().parents[1]

CASES = [
    (
        ["bot", "ask", "hi"],
        {"BRIEFBOT_TELEGRAM__PROGRESS_EVERY": "0.2", "BRIEFBOT_TELEGRAM__ADMIN_IDS": "1,2"},
        [
            "BRIEFBOT_TELEGRAM__ADMIN_IDS='1,2': expected a JSON list of numbers, e.g. [111, 222]",
            "BRIEFBOT_TELEGRAM__PROGRESS_EVERY='0.2': expected a number of at least 0.5",
        ],
    ),
    (
        ["bot.health"],
        {"BRIEFBOT_TELEGRAM__ADMIN_IDS": "1,2"},
        ["BRIEFBOT_TELEGRAM__ADMIN_IDS='1,2': expected a JSON list of numbers, e.g. [111, 222]"],
    ),
    (
        ["ingest"],
        {"BRIEFBOT_INGEST__SOURCES": "data/briefs", "BRIEFBOT_STORE__CHUNK_SIZE": "abc"},
        [
            "BRIEFBOT_INGEST__SOURCES='data/briefs': expected a JSON list of strings",
            "BRIEFBOT_STORE__CHUNK_SIZE='abc': expected a whole number",
        ],
    ),
    (
        ["store", "stats"],
        {"BRIEFBOT_LOG_LEVEL": "LOUD"},
        ["BRIEFBOT_LOG_LEVEL='LOUD': expected one of 'DEBUG', 'INFO', 'WARNING' or 'ERROR'"],
    ),
]


@pytest.mark.parametrize(("command", "env", "expected"), CASES, ids=lambda c: str(c)[:30])
def test_each_entry_point_names_every_bad_setting_and_exits_2(
    command: list[str], env: dict[str, str], expected: list[str]
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", *command],
        check=False,
        cwd=REPO,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2
    said = done.stdout + done.stderr
    assert "Traceback" not in said
    lines = [line.strip() for line in said.splitlines() if line.strip().startswith("BRIEFBOT_")]
    assert len(lines) == len(expected), said
    for line, start in zip(sorted(lines), sorted(expected), strict=True):
        assert line.startswith(start), line


class _WithSecret(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BRIEFBOT_")
    api_key: SecretStr = Field(SecretStr("x" * 20), min_length=16, description="A key.")


def test_a_secret_is_named_but_its_value_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BRIEFBOT_API_KEY", "short-secret")
    with pytest.raises(BadSettings) as caught:
        load_settings(_WithSecret)
    assert caught.value.lines == [
        "BRIEFBOT_API_KEY=<hidden>: expected characters or items, at least 16 (A key.)"
    ]
    assert "short-secret" not in caught.value.message()
