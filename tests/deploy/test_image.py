"""The image, built from the Dockerfile and run for real.

Builds the project's Dockerfile on the local base image that `scripts/docker-base` makes (Debian bookworm's
Python 3.11; Docker Hub is out of reach here) and runs it the way an operator would: the ingest job, the
console entry point and the HEALTHCHECK command, on a fresh named volume at /data. Every run step uses
`--network none`, so the only address a container can reach is its own 127.0.0.1. Needs a Docker engine
(`scripts/docker-engine`; `scripts/test` installs and starts one when it runs as root); skipped, with the
reason, where there is none, or when BRIEFBOT_SKIP_DOCKER=1. The build uses Docker's layer cache: a first
build takes minutes, a rebuild after a code change well under one.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.data_checks.sample_data import brief_paths
from tests.deploy.docker_support import engine_and_base_image

ROOT = Path(__file__).resolve().parents[2]
TAG = "briefbot:test"
SEED_QUESTION = "why did OpenAI leave Scale AI?"
INDONESIAN_QUESTION = "Mengapa OpenAI menghentikan kerja sama dengan Scale AI?"

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def _sh(*command: str, timeout: float = 600, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "DOCKER_BUILDKIT": "0"},  # the classic builder: BuildKit may not be installed
    )


def _show(request: pytest.FixtureRequest, line: str) -> None:
    """Print past pytest's output capture: the measurements belong in every run's log."""
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print(f"\n[image] {line}", flush=True)


def _mb(size: str) -> str:
    return f"{int(size) / 1e6:.0f} MB"


@dataclass(frozen=True)
class Built:
    tag: str
    base: str


@pytest.fixture(scope="module")
def image(request: pytest.FixtureRequest) -> Built:
    """The image, built from the current tree on the local base image (made once, then reused)."""
    base = engine_and_base_image()

    started = time.monotonic()
    build = _sh(
        "docker", "build", "--network", "host", "--build-arg", f"PYTHON_IMAGE={base}", "-t", TAG, ".",
        timeout=1800,
    )  # fmt: skip
    seconds = time.monotonic() - started
    assert build.returncode == 0, f"docker build failed:\n{build.stdout[-4000:]}\n{build.stderr[-4000:]}"
    steps = build.stdout.count("\nStep ")
    cached = build.stdout.count("Using cache")
    size = _sh("docker", "image", "inspect", "--format", "{{.Size}}", TAG).stdout.strip()
    base_size = _sh("docker", "image", "inspect", "--format", "{{.Size}}", base).stdout.strip()
    _show(
        request,
        f"{TAG}: {_mb(size)} (base {base}: {_mb(base_size)}); built in {seconds:.0f} s, "
        f"{cached} of {steps} steps from Docker's cache",
    )
    return Built(TAG, base)


@pytest.fixture
def volume(image: Built) -> Iterator[str]:
    """A fresh named volume for /data (a named volume takes /data's owner from the image: briefbot)."""
    name = f"briefbot-test-{uuid.uuid4().hex[:12]}"
    assert _sh("docker", "volume", "create", name).returncode == 0
    yield name
    for container in _sh("docker", "ps", "-aq", "--filter", f"volume={name}").stdout.split():
        _sh("docker", "rm", "-f", "-v", container)
    _sh("docker", "volume", "rm", "-f", name)


def _run(
    image: Built,
    volume: str | None,
    *command: str,
    name: str | None = None,
    stdin: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`docker run` with no network at all; kept (for `docker diff`) when named, removed otherwise."""
    args = ["docker", "run", "--network", "none"]
    args += ["--name", name] if name else ["--rm"]
    if volume:
        args += ["-v", f"{volume}:/data"]
    for key, value in (env or {}).items():
        args += ["-e", f"{key}={value}"]
    if stdin is not None:
        args.append("-i")
    return _sh(*args, image.tag, *command, stdin=stdin)


def _health(image: Built, volume: str) -> tuple[int, dict[str, object]]:
    done = _run(image, volume, "python", "-m", "bot.health", "--json")
    return done.returncode, json.loads(done.stdout)


def test_runs_as_the_unprivileged_user_with_nothing_to_build_with(image: Built) -> None:
    config = json.loads(_sh("docker", "image", "inspect", "--format", "{{json .Config}}", image.tag).stdout)
    assert config["User"] == "briefbot"
    assert config["Healthcheck"]["Test"] == ["CMD", "python", "-m", "bot.health"]
    probe = "id -u; id -gn; echo $(ls -A /app); command -v gcc cc c++ make || true"
    done = _run(image, None, "sh", "-c", probe)
    assert done.returncode == 0, done.stderr
    uid, group, app, *compilers = done.stdout.split("\n")
    assert (uid, group) == ("10001", "briefbot")
    assert app == "data"  # the sample briefs only: no sources, tests or eval data next to them
    assert not [line for line in compilers if line], f"build tools in the runtime image: {compilers}"


def test_the_reader_model_loads_from_the_installed_wheel(image: Built) -> None:
    """The answer path falls back quietly without the reader, so load it directly: its files must have
    travelled as package data into the wheel (the checkout is not in the image)."""
    load = (
        "from bot.reader.model import MODEL_DIR, Reader; "
        "r = Reader(); "
        "print(MODEL_DIR); "
        "print(r.read('who leads Scale AI?', ['Jason Droege leads Scale AI as interim CEO.'])[0].answerable)"
    )
    done = _run(image, None, "python", "-c", load)
    assert done.returncode == 0, done.stderr[-3000:]
    model_dir, answerable = done.stdout.split()
    assert model_dir == "/opt/venv/lib/python3.11/site-packages/bot/reader/model"
    assert float(answerable) > 0.5


def test_fresh_volume_to_cited_answers_offline(image: Built, volume: str) -> None:
    """What an operator does on a new volume, in order: the health check fails; the bot starts, and its
    first-start indexing finds nothing (a source that is not there): still unhealthy, though the bot opened
    an empty collection (the health check used to say ok here); the ingest job indexes the sample briefs, the
    health check passes, both questions get cited answers; then the store disappears and the health check
    fails again. The ingest and ask containers write nothing outside /data."""
    status, report = _health(image, volume)
    assert status == 1 and report["failed_check"] == "collection", report

    nothing = {"BRIEFBOT_INGEST__SOURCES": '["/data/not-there"]'}
    first = _run(image, volume, "python", "-m", "bot", "ask", "--json", SEED_QUESTION, env=nothing)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    assert "first start" in first.stderr and json.loads(first.stdout)["abstained"]
    status, report = _health(image, volume)
    assert status == 1 and report["failed_check"] == "collection", report
    assert "Nothing has been indexed yet" in str(report["error"])

    ingest = _run(image, volume, "python", "-m", "ingest", name=f"{volume}-ingest")
    assert ingest.returncode == 0, ingest.stdout[-3000:] + ingest.stderr[-3000:]
    assert "Indexing failed" not in ingest.stdout + ingest.stderr

    status, report = _health(image, volume)
    assert status == 0, report
    store = report["store"]
    assert isinstance(store, dict)
    assert store["briefs"] == len(brief_paths()) and store["last_indexed"]
    assert set(store["by_lang"]) == {"en", "id"}

    asked = _run(
        image,
        volume,
        "python", "-m", "bot", "ask", "--questions", "/dev/stdin",
        name=f"{volume}-ask",
        stdin=f"{SEED_QUESTION}\n{INDONESIAN_QUESTION}\n",
    )  # fmt: skip
    assert asked.returncode == 0, asked.stdout[-3000:] + asked.stderr[-3000:]
    english, indonesian = (json.loads(line) for line in asked.stdout.splitlines())
    for answer, lang in ((english, "en"), (indonesian, "id")):
        assert not answer["abstained"] and answer["lang"] == lang, answer
        assert "[1]" in answer["text"] and answer["citations"], answer
        cited = " ".join(c["quote"] + c["passage"]["brief"]["title"] for c in answer["citations"])
        assert "OpenAI" in cited, answer
    assert english["text"].startswith("From the briefs:")
    assert indonesian["text"].startswith("Menurut brief:")

    for container in (f"{volume}-ingest", f"{volume}-ask"):
        changed = _sh("docker", "diff", container).stdout.split("\n")
        assert not [line for line in changed if line], f"{container} wrote outside /data: {changed}"

    wiped = _run(image, volume, "sh", "-c", "rm -rf /data/chroma")
    assert wiped.returncode == 0, wiped.stderr
    status, report = _health(image, volume)
    assert status == 1 and report["failed_check"] == "collection", report
