"""Two bot replicas on one token, in webhook mode behind a round-robin proxy, sharing a real Redis
(coordination) and a real PostgreSQL (records), driven through the Bot API emulator.

Each replica is its own process (`replica_main`: the production serving path over the fake engine), so one
can be killed with SIGKILL mid-answer. The emulator sends a failed webhook call again, as Telegram does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.telegram import texts
from bot.usage import UsageLog
from harness.emulator import Emulator, TgUser, buttons_of
from harness.proxy import RoundRobinProxy
from harness.servers import PostgresServer, RedisServer, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.replicas]

REPO = Path(__file__).resolve().parents[3]
ADMIN = 42
SECRET = "replica-webhook-secret"
PER_MINUTE = 3
LOCK_TTL = 4.0


@dataclass
class Cluster:
    emulator: Emulator
    token: str
    proxy: RoundRobinProxy
    records_url: str
    redis: RedisServer
    postgres: PostgresServer
    folder: Path
    ports: list[int]
    procs: list[subprocess.Popen[bytes] | None] = field(default_factory=list)

    def env(self, name: str, port: int, *, webhook: bool = True) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFBOT_")}
        env |= {
            "BRIEFBOT_TELEGRAM__TOKEN": self.token,
            "BRIEFBOT_TELEGRAM__BASE_URL": self.emulator.base_url,
            "BRIEFBOT_TELEGRAM__ADMIN_IDS": f"[{ADMIN}]",
            "BRIEFBOT_TELEGRAM__QUESTIONS_PER_MINUTE": str(PER_MINUTE),
            "BRIEFBOT_TELEGRAM__PROGRESS_EVERY": "0.5",
            "BRIEFBOT_TELEGRAM__POLL_INTERVAL": "0.05",
            "BRIEFBOT_COORDINATION__BACKEND": "redis",
            "BRIEFBOT_COORDINATION__REDIS_URL": self.redis.url,
            "BRIEFBOT_COORDINATION__LOCK_TTL": str(LOCK_TTL),
            "BRIEFBOT_RECORDS__URL": self.records_url,
            "BRIEFBOT_STORE__DATA_DIR": str(self.folder / name),
            "BRIEFBOT_LOG_LEVEL": "INFO",
            "REPLICA_NAME": name,
            "REPLICA_SLOW_SECONDS": "6",
            "REPLICA_INGEST_SECONDS": "4",
        }
        if webhook:
            env |= {
                "BRIEFBOT_TELEGRAM__WEBHOOK_URL": f"{self.proxy_url}/telegram",
                "BRIEFBOT_TELEGRAM__WEBHOOK_SECRET": SECRET,
                "BRIEFBOT_TELEGRAM__WEBHOOK_LISTEN": "127.0.0.1",
                "BRIEFBOT_TELEGRAM__WEBHOOK_PORT": str(port),
            }
        return env

    proxy_url: str = ""

    def log_of(self, index: int) -> Path:
        return self.folder / f"replica{index}.log"

    def start(self, index: int) -> None:
        with self.log_of(index).open("ab") as log:
            proc = subprocess.Popen(
                [sys.executable, "-m", "tests.bot.telegram.replica_main"],
                cwd=REPO,
                env=self.env(f"r{index}", self.ports[index]),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        while len(self.procs) <= index:
            self.procs.append(None)
        self.procs[index] = proc

    async def wait_ready(self, index: int, within: float = 240) -> None:
        deadline = time.monotonic() + within
        async with httpx.AsyncClient() as http:
            while True:
                proc = self.procs[index]
                assert proc is not None and proc.poll() is None, self.log_of(index).read_text()[-3000:]
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(f"http://127.0.0.1:{self.ports[index]}/healthz")).status_code == 200:
                        return
                assert time.monotonic() < deadline, f"replica {index} never served its webhook"
                await asyncio.sleep(0.1)

    def kill(self, index: int) -> None:
        proc = self.procs[index]
        assert proc is not None
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)

    def stop(self, index: int) -> None:
        proc = self.procs[index]
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def logs(self) -> str:
        return "".join(self.log_of(i).read_text() for i in range(len(self.ports)) if self.log_of(i).exists())


@pytest.fixture(scope="module")
async def cluster(
    emulator: Emulator,
    redis_server: RedisServer,
    postgres_server: PostgresServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Cluster]:
    ports = [free_port(), free_port()]
    proxy = RoundRobinProxy([f"http://127.0.0.1:{p}" for p in ports])
    proxy_port = free_port()
    await proxy.start(proxy_port)
    cluster = Cluster(
        emulator=emulator,
        token=emulator.new_token(),
        proxy=proxy,
        records_url=postgres_server.create_database(),
        redis=redis_server,
        postgres=postgres_server,
        folder=tmp_path_factory.mktemp("replicas"),
        ports=ports,
        proxy_url=f"http://127.0.0.1:{proxy_port}",
    )
    try:
        for index in range(2):
            cluster.start(index)
        for index in range(2):
            await cluster.wait_ready(index)
        admin = TgUser(emulator, cluster.token, user_id=ADMIN, name="admin")
        deadline = time.monotonic() + 30
        while len(await admin.calls("setWebhook")) < 2:
            assert time.monotonic() < deadline, "the replicas never set the webhook"
            await asyncio.sleep(0.1)
        await admin.close()
        yield cluster
    finally:
        for index in range(len(ports)):
            cluster.stop(index)
        async with httpx.AsyncClient() as http:  # a webhook left behind would be called forever
            await http.post(f"{emulator.base_url}{cluster.token}/deleteWebhook")
        await proxy.stop()
    logs = cluster.logs()
    for secret in (cluster.token, redis_server.password, postgres_server.password, SECRET):
        assert secret not in logs, "a secret reached the replicas' logs"


def _replies_to(messages: list[dict[str, Any]], message_id: int) -> list[dict[str, Any]]:
    out = []
    for message in messages:
        reply = message.get("reply_parameters")
        if isinstance(reply, str):
            reply = json.loads(reply)
        if reply and int(reply["message_id"]) == message_id:
            out.append(message)
    return out


async def _ask(user: TgUser, question: str, within: float = 30) -> tuple[dict[str, Any], dict[str, Any]]:
    """Send a question and wait for the bot's reply to it; the question and the reply."""
    asked = await user.say(question)
    chat = int(user.user["id"])
    messages = await user.wait_for(lambda ms: bool(_replies_to(ms, asked["message_id"])), chat, within)
    return asked, _replies_to(messages, asked["message_id"])[0]


async def test_each_question_answered_once_and_the_rate_limit_holds_across_replicas(cluster: Cluster) -> None:
    users = [TgUser(cluster.emulator, cluster.token, user_id=1000 + i, name=f"u{i}") for i in range(4)]

    async def session(user: TgUser) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        return [await _ask(user, f"Why did OpenAI stop working with Scale AI, take {n}?") for n in range(4)]

    started = len(cluster.proxy.log)
    results = await asyncio.gather(*(session(u) for u in users))
    await asyncio.sleep(1.0)  # anything answered twice would have arrived by now
    for user, asked_and_answered in zip(users, results, strict=True):
        messages = await user.bot_messages(int(user.user["id"]))
        for n, (asked, reply) in enumerate(asked_and_answered):
            assert len(_replies_to(messages, asked["message_id"])) == 1, "a question was answered twice"
            if n < PER_MINUTE:
                assert "[1]" in reply["text"], reply["text"]
            else:  # the 4th in a minute, although the questions were spread over both replicas
                assert "asking faster" in reply["text"], reply["text"]
        await user.close()
    backends = {hop.backend for hop in cluster.proxy.log[started:] if hop.path == "/telegram"}
    assert backends == {0, 1}, "the proxy did not spread the questions"
    logs = [cluster.log_of(i).read_text() for i in range(2)]
    assert all("answered chat_id=" in log for log in logs), "one replica answered nothing"


async def test_buttons_work_on_the_replica_that_did_not_answer(cluster: Cluster) -> None:
    asker = TgUser(cluster.emulator, cluster.token, user_id=2001, name="asker")
    other = TgUser(cluster.emulator, cluster.token, user_id=2002, name="other")
    _, answer = await _ask(asker, "What did Meta buy?")
    buttons = buttons_of(answer)
    passages = next(data for data in buttons.values() if data.startswith("pas:"))
    before = len(cluster.proxy.log)
    for _ in range(2):  # round robin: one of the two presses lands on the replica that did not answer
        await asker.press(passages, answer)
    await asker.wait_for(
        lambda ms: sum("Quote" in m["text"] or "OpenAI ended" in m["text"] for m in ms) >= 2, 2001
    )
    presses = [hop.backend for hop in cluster.proxy.log[before:] if b"callback_query" in hop.body]
    assert sorted(presses) == [0, 1]
    await asker.press(buttons["👍"], answer)
    await other.press(buttons["👎"], {**answer, "chat_id": 2001})
    answer_id = passages.split(":", 1)[1]
    records = UsageLog.from_url(cluster.records_url)
    try:
        deadline = time.monotonic() + 10
        while records.votes_for(answer_id) != {"up": 1, "down": 1}:
            assert time.monotonic() < deadline, records.votes_for(answer_id)
            await asyncio.sleep(0.1)
    finally:
        records.close()
    await asker.close()
    await other.close()


async def test_a_second_reindex_on_the_other_replica_is_refused(cluster: Cluster) -> None:
    admin = TgUser(cluster.emulator, cluster.token, user_id=ADMIN, name="admin")
    first = await admin.say("/reindex")
    await admin.wait_for(lambda ms: bool(_replies_to(ms, first["message_id"])), ADMIN)
    hops = len(cluster.proxy.log)
    second = await admin.say("/reindex")
    messages = await admin.wait_for(lambda ms: bool(_replies_to(ms, second["message_id"])), ADMIN)
    running = texts.ADMIN_EN.reindex_running.split(".")[0]
    assert running in _replies_to(messages, second["message_id"])[0]["text"]
    first_backend = next(h.backend for h in cluster.proxy.log if first["message_id"] == _message_id(h.body))
    second_backend = next(
        h.backend for h in cluster.proxy.log[hops:] if second["message_id"] == _message_id(h.body)
    )
    assert first_backend != second_backend, "both commands went to the same replica"
    done = await admin.wait_for(
        lambda ms: "done" in _replies_to(ms, first["message_id"])[0]["text"], ADMIN, within=30
    )
    assert "Added: 1" in _replies_to(done, first["message_id"])[0]["text"]
    third = await admin.say("/reindex")  # the lock went with the finished run
    after = await admin.wait_for(lambda ms: bool(_replies_to(ms, third["message_id"])), ADMIN)
    assert running not in _replies_to(after, third["message_id"])[0]["text"]
    await admin.wait_for(
        lambda ms: "done" in _replies_to(ms, third["message_id"])[0]["text"], ADMIN, within=30
    )
    await admin.close()


def _message_id(body: bytes) -> int | None:
    try:
        return int(json.loads(body)["message"]["message_id"])
    except (ValueError, KeyError, TypeError):
        return None


async def test_killing_a_replica_mid_answer_loses_nothing(cluster: Cluster) -> None:
    voter = TgUser(cluster.emulator, cluster.token, user_id=3001, name="voter")
    slow = TgUser(cluster.emulator, cluster.token, user_id=3002, name="slow")
    later = TgUser(cluster.emulator, cluster.token, user_id=3003, name="later")
    _, answer = await _ask(voter, "Who bought a stake in Scale AI?")
    buttons = buttons_of(answer)
    await voter.press(buttons["👍"], answer)
    answer_id = buttons["👍"].split(":")[1]

    asked = await slow.say("A slow question about Scale AI?")
    deadline = time.monotonic() + 15
    victim = None
    while victim is None:
        assert time.monotonic() < deadline, "no replica started the slow answer"
        for index in range(2):
            if "question=A slow question" in cluster.log_of(index).read_text():
                victim = index
        await asyncio.sleep(0.05)
    cluster.kill(victim)
    killed_at = time.monotonic()

    # The update comes back (the call to the dead replica failed) and the survivor answers it, once, as soon
    # as the dead replica's claim on it has expired.
    messages = await slow.wait_for(lambda ms: bool(_replies_to(ms, asked["message_id"])), 3002, within=40)
    recovered = time.monotonic() - killed_at
    reply = _replies_to(messages, asked["message_id"])
    assert len(reply) == 1 and "[1]" in reply[0]["text"]
    print(f"\nslow question answered {recovered:.1f}s after its replica was killed (lock ttl {LOCK_TTL}s)")
    attempts = [a for a in await _webhook_log(cluster) if a["status"] != 200]
    assert attempts, "the emulator never had to send the update again"

    _, fresh = await _ask(later, "Who leads Scale AI now?")  # the survivor keeps answering
    assert "[1]" in fresh["text"]
    await asyncio.sleep(1.0)
    assert len(_replies_to(await slow.bot_messages(3002), asked["message_id"])) == 1

    records = UsageLog.from_url(cluster.records_url)
    try:
        assert records.votes_for(answer_id) == {"up": 1}  # the vote taken before the kill is there
        assert records.saved_answer(answer_id) is not None  # and its passages can still be shown
    finally:
        records.close()
    before = len(await voter.bot_messages(3001))
    await voter.press(buttons[next(k for k, v in buttons.items() if v.startswith("pas:"))], answer)
    await voter.wait_for(lambda ms: len(ms) > before, 3001)

    cluster.start(victim)  # back to two replicas for whatever runs next
    await cluster.wait_ready(victim)
    for user in (voter, slow, later):
        await user.close()


async def _webhook_log(cluster: Cluster) -> list[dict[str, Any]]:
    async with httpx.AsyncClient() as http:
        answer = await http.post(
            f"http://127.0.0.1:{cluster.emulator.port}/webhookLog", json={"token": cluster.token}
        )
    result: list[dict[str, Any]] = answer.json()["result"]
    return result


async def test_a_second_poller_on_the_same_token_is_refused(
    emulator: Emulator, redis_server: RedisServer, postgres_server: PostgresServer, tmp_path: Path
) -> None:
    cluster = Cluster(
        emulator=emulator,
        token=emulator.new_token(),
        proxy=RoundRobinProxy([]),
        records_url=postgres_server.create_database(),
        redis=redis_server,
        postgres=postgres_server,
        folder=tmp_path,
        ports=[0, 0],
    )
    first = subprocess.Popen(  # noqa: ASYNC220 - started once; the test then only waits
        [sys.executable, "-m", "tests.bot.telegram.replica_main"],
        cwd=REPO,
        env=cluster.env("p1", 0, webhook=False),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        user = TgUser(emulator, cluster.token)
        deadline = time.monotonic() + 240  # a start takes seconds, minutes on a machine starved of CPU
        while not await user.calls("getUpdates"):
            assert first.poll() is None and time.monotonic() < deadline, "the first poller never polled"
            await asyncio.sleep(0.1)
        second = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "tests.bot.telegram.replica_main"],
            cwd=REPO,
            env=cluster.env("p2", 0, webhook=False),
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        assert second.returncode == 1
        assert "Another briefbot process is already polling Telegram" in second.stderr
        assert "webhook" in second.stderr and redis_server.password not in second.stderr
        _, reply = await _ask(user, "Still answering?")
        assert "[1]" in reply["text"]  # the first poller was not disturbed
        await user.close()
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=20)
