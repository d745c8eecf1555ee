"""Every thread logs through the configured formatter and scrubber: no raw traceback reaches stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.background import warm_up
from store.errors import StoreUnavailable

REPO = Path(__file__).resolve().parents[1]
SECRET = "chroma-token-abcdef123456"
CHILD = f"""
import threading
from logsetup import configure_logging
configure_logging("INFO", "json", secrets=["{SECRET}"])

def boom():
    raise ConnectionError("server at http://chroma/?token={SECRET} went away")

thread = threading.Thread(target=boom, name="warm-up")
thread.start()
thread.join()
raise RuntimeError("main thread failed too, token {SECRET}")
"""


def test_a_failing_thread_and_main_are_logged_as_json_with_secrets_scrubbed() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        cwd=REPO,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    records = [json.loads(line) for line in lines]  # every line is JSON: nothing bypassed the formatter
    assert [r["message"] for r in records] == [
        "uncaught exception thread=warm-up error=ConnectionError",
        "uncaught exception error=RuntimeError",
    ]
    assert SECRET not in done.stderr and "<redacted>" in records[0]["exc"]


class _GoneAway:
    def warm_up(self) -> int:
        raise StoreUnavailable("The brief library is not reachable right now.")


def test_the_warm_up_survives_chroma_going_away(caplog) -> None:  # type: ignore[no-untyped-def]
    warm_up(_GoneAway())
    assert [r.levelname for r in caplog.records] == ["WARNING"]
    assert "warm-up skipped" in caplog.records[0].getMessage() and caplog.records[0].exc_info is None
