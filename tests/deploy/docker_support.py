"""What the tests that need Docker share: an engine and the local base image, or a skip that says why."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def sh(*command: str, timeout: float = 600, **env: str) -> subprocess.CompletedProcess[str]:
    """Run a command in the checkout; Docker builds use the classic builder (BuildKit may not be installed,
    and it would fetch the Dockerfile's `# syntax=` frontend from Docker Hub)."""
    return subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "DOCKER_BUILDKIT": "0", "COMPOSE_DOCKER_CLI_BUILD": "0", **env},
    )


def engine_and_base_image() -> str:
    """Start the engine if needed and make (or reuse) the local base image; its name. Skips the test where
    there is none, with the reason, or when BRIEFBOT_SKIP_DOCKER=1."""
    if os.environ.get("BRIEFBOT_SKIP_DOCKER") == "1":
        pytest.skip("BRIEFBOT_SKIP_DOCKER=1")
    engine = sh(str(ROOT / "scripts" / "docker-engine"), timeout=120)
    if engine.returncode != 0:
        pytest.skip(engine.stderr.strip().splitlines()[-1] if engine.stderr.strip() else "no Docker engine")
    made = sh(str(ROOT / "scripts" / "docker-base"), timeout=900)
    if made.returncode != 0:
        pytest.skip(made.stderr.strip().splitlines()[-1] if made.stderr.strip() else "no base image")
    return made.stdout.strip().splitlines()[-1]
