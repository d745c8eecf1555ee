"""A store lock held by another, real process, and that process killed the way a crash would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from store.settings import StoreSettings

REPO = Path(__file__).resolve().parents[2]
HOLD = """
import sys, time
from store.chroma_client import open_client
from store.locks import open_lock
from store.settings import StoreSettings
settings = StoreSettings.model_validate_json(sys.argv[1])
lock = open_lock(settings, open_client(settings), "ingest", "ingest run")
lock.acquire(0)
print("held", flush=True)
time.sleep(600)
"""


def hold_in_child(settings: StoreSettings) -> subprocess.Popen[str]:
    """A real process that takes the lock and keeps it until killed."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, settings.model_dump_json()],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "held", process.communicate()[1]
    return process


def kill(process: subprocess.Popen[str]) -> None:
    os.kill(process.pid, signal.SIGKILL)  # no clean-up runs: what a crash or OOM kill leaves behind
    process.communicate()  # reaps it and closes the pipes
