"""Load test of several bot replicas on one token: `python benchmarks/telegram_load.py --replicas 2 [--json]`.

N bot processes in webhook mode behind a round-robin proxy, sharing a real Redis (coordination) and a real
PostgreSQL (records), driven through the Bot API emulator (which sends a failed webhook call again, like
Telegram). `users` simulated users ask `questions` questions each, all at once (each waits for the answer,
then presses 👍 on it); when half the questions are answered one replica is killed with SIGKILL. Reported:
`answered` (questions with an answer), `duplicates` (extra answers to one question), `lost_votes` (👍 pressed
but not in PostgreSQL), `p50_s`/`p95_s` (send -> answer visible), and how long the survivors took to pick up
what the killed replica held. With `--json` the last line is one JSON object.

The replicas run `python -m bot` over a real Chroma server holding the sample briefs (the real engine), or,
with `--fake-engine`, the multi-replica tests' stand-in (`tests.bot.telegram.replica_main`), which answers in
milliseconds: the coordination cost alone. Needs redis-server and PostgreSQL (`scripts/install --servers`),
node + `npm ci` in tests/telegram_emulator, and the `chroma` CLI for the real engine.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bot.ingest_runner import IngestRunner
from bot.usage import UsageLog
from harness.chroma import ChromaServer
from harness.emulator import Emulator, TgUser, buttons_of, start_emulator
from harness.proxy import RoundRobinProxy
from harness.servers import PostgresServer, RedisServer, free_port

ROOT = Path(__file__).resolve().parents[1]
LOCK_TTL = 10.0  # short, to see the takeover; long enough for replicas starved of CPU to renew in time
POLL = 0.25  # seconds between two looks at the chat: 20 users x 4/s keeps the emulator itself out of the way
FAILURE_MARKERS = ("Sorry", "Maaf", "unavailable", "Still working", "asking faster")


def say(message: str, *, quiet: bool) -> None:
    if not quiet:
        print(message, flush=True)


def _reply_to(message: dict[str, Any]) -> int | None:
    reply = message.get("reply_parameters")
    if isinstance(reply, str):
        reply = json.loads(reply)
    return int(reply["message_id"]) if reply else None


class Fleet:
    """The replica processes, the proxy in front of them, and what they share."""

    def __init__(self, work: Path, env: dict[str, str], count: int, fake: bool) -> None:
        self.work = work
        self.env = env
        self.ports = [free_port() for _ in range(count)]
        self.proxy = RoundRobinProxy([f"http://127.0.0.1:{p}" for p in self.ports])
        self.command = [sys.executable, "-m", "tests.bot.telegram.replica_main" if fake else "bot"]
        self.procs: list[subprocess.Popen[bytes]] = []

    async def start(self, within: float) -> None:
        proxy_port = free_port()
        await self.proxy.start(proxy_port)
        for index, port in enumerate(self.ports):
            env = self.env | {
                "BRIEFBOT_TELEGRAM__WEBHOOK_URL": f"http://127.0.0.1:{proxy_port}/telegram",
                "BRIEFBOT_TELEGRAM__WEBHOOK_LISTEN": "127.0.0.1",
                "BRIEFBOT_TELEGRAM__WEBHOOK_PORT": str(port),
                "REPLICA_NAME": f"r{index}",
            }
            with (self.work / f"replica{index}.log").open("ab") as log:
                self.procs.append(
                    subprocess.Popen(  # noqa: ASYNC220 - started once; then only HTTP
                        self.command,
                        cwd=ROOT,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                    )
                )
        deadline = time.monotonic() + within
        async with httpx.AsyncClient() as http:
            for index, port in enumerate(self.ports):
                while True:
                    if self.procs[index].poll() is not None:
                        raise SystemExit((self.work / f"replica{index}.log").read_text()[-3000:])
                    with contextlib.suppress(httpx.HTTPError):
                        if (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                            break
                    if time.monotonic() > deadline:
                        raise SystemExit(f"replica {index} did not start within {within}s")
                    await asyncio.sleep(0.2)

    def kill(self, index: int) -> None:
        self.procs[index].send_signal(signal.SIGKILL)
        self.procs[index].wait()

    async def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        await self.proxy.stop()


class Tally:
    def __init__(self, total: int) -> None:
        self.total = total
        self.answered = 0
        self.latencies: list[float] = []
        self.problems: list[str] = []
        self.votes: set[str] = set()
        self.asked: list[tuple[TgUser, int]] = []
        self.half = asyncio.Event()

    def done(self, seconds: float) -> None:
        self.answered += 1
        self.latencies.append(seconds)
        if self.answered * 2 >= self.total:
            self.half.set()


async def ask_all(user: TgUser, questions: list[str], tally: Tally, within: float) -> None:
    chat = int(user.user["id"])
    for question in questions:
        started = time.monotonic()
        asked = await user.say(question)
        tally.asked.append((user, int(asked["message_id"])))
        messages = await _wait_for_reply(user, chat, int(asked["message_id"]), within)
        if messages is None:
            tally.problems.append(f"user {chat}: no answer to {question!r}")
            continue
        tally.done(time.monotonic() - started)
        first = next(m for m in messages if _reply_to(m) == asked["message_id"])
        if any(marker in first["text"] for marker in FAILURE_MARKERS):
            tally.problems.append(f"user {chat}: {first['text'][:100]!r}")
        later = messages[messages.index(first) :]
        voted = next((buttons_of(m).get("👍") for m in later if buttons_of(m).get("👍")), None)
        if voted is not None:
            carrier = next(m for m in later if buttons_of(m).get("👍") == voted)
            await user.press(voted, carrier)
            tally.votes.add(voted.split(":")[1])


async def _wait_for_reply(
    user: TgUser, chat: int, message_id: int, within: float
) -> list[dict[str, Any]] | None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            messages = await user.bot_messages(chat)
        except httpx.HTTPError:  # the emulator dropped a connection under load: look again
            await asyncio.sleep(POLL)
            continue
        if any(_reply_to(m) == message_id for m in messages):
            return messages
        await asyncio.sleep(POLL)
    return None


async def count_duplicates(tally: Tally) -> int:
    duplicates = 0
    seen: dict[int, list[dict[str, Any]]] = {}
    for user, message_id in tally.asked:
        chat = int(user.user["id"])
        if chat not in seen:
            seen[chat] = await user.bot_messages(chat)
        duplicates += max(0, sum(_reply_to(m) == message_id for m in seen[chat]) - 1)
    return duplicates


def percentile(values: list[float], share: float) -> float | None:
    ordered = sorted(values)
    return round(ordered[max(0, math.ceil(share * len(ordered)) - 1)], 2) if ordered else None


async def run(
    replicas: int, users: int, per_user: int, *, brief_count: int, fake: bool, quiet: bool
) -> dict[str, Any]:
    from benchmarks.telegram_load import QUESTIONS

    work = Path(tempfile.mkdtemp(prefix="tg-replicas-"))
    redis, postgres = RedisServer(), PostgresServer()
    chroma: ChromaServer | None = None
    fleet: Fleet | None = None
    try:
        redis.start()
        postgres.start()
        records_url = postgres.create_database()
        env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFBOT_")} | {
            "BRIEFBOT_STORE__DATA_DIR": str(work / "var"),
            "BRIEFBOT_COORDINATION__BACKEND": "redis",
            "BRIEFBOT_COORDINATION__REDIS_URL": redis.url,
            "BRIEFBOT_COORDINATION__LOCK_TTL": str(LOCK_TTL),
            "BRIEFBOT_RECORDS__URL": records_url,
            "BRIEFBOT_TELEGRAM__QUESTIONS_PER_MINUTE": "1000",  # throughput is measured, not the limit
            "BRIEFBOT_LOG_LEVEL": "INFO",
        }
        if not fake:
            chroma = ChromaServer(work / "chroma", free_port())
            chroma.start()
            briefs = work / "briefs"
            briefs.mkdir()
            for path in sorted((ROOT / "data" / "briefs").glob("*.md"))[:brief_count]:
                shutil.copy(path, briefs / path.name)
            env |= {
                "BRIEFBOT_STORE__CHROMA_HOST": chroma.host,
                "BRIEFBOT_STORE__CHROMA_PORT": str(chroma.port),
                "BRIEFBOT_INGEST__SOURCES": json.dumps([str(briefs)]),
            }
            say(f"indexing {brief_count} sample briefs ...", quiet=quiet)
            await IngestRunner(env=env, cwd=str(ROOT)).run()
        with start_emulator() as emulator:
            return await _drive(
                emulator,
                work=work,
                env=env,
                replicas=replicas,
                users=users,
                per_user=per_user,
                fake=fake,
                quiet=quiet,
                records_url=records_url,
                questions=QUESTIONS,
            )
    finally:
        if chroma is not None:
            chroma.stop()
        postgres.stop()
        redis.stop()
        if os.environ.get("BRIEFBOT_BENCH_KEEP"):
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
        del fleet


async def _drive(
    emulator: Emulator,
    *,
    work: Path,
    env: dict[str, str],
    replicas: int,
    users: int,
    per_user: int,
    fake: bool,
    quiet: bool,
    records_url: str,
    questions: list[str],
) -> dict[str, Any]:
    token = emulator.new_token()
    fleet = Fleet(
        work,
        env | {"BRIEFBOT_TELEGRAM__TOKEN": token, "BRIEFBOT_TELEGRAM__BASE_URL": emulator.base_url},
        replicas,
        fake,
    )
    say(f"starting {replicas} replicas ({'fake' if fake else 'real'} engine) ...", quiet=quiet)
    await fleet.start(within=60 if fake else 300)
    try:
        warm = TgUser(emulator, token, user_id=9, name="warmup")
        warm_tally = Tally(len(questions))
        await ask_all(warm, questions, warm_tally, within=300)  # each replica embeds what it retrieves once
        await warm.close()
        say(f"warm-up: median {statistics.median(warm_tally.latencies):.2f}s", quiet=quiet)

        clients = [TgUser(emulator, token, user_id=1000 + i, name=f"user{i}") for i in range(users)]
        plans = [[questions[(i + j) % len(questions)] for j in range(per_user)] for i in range(users)]
        tally = Tally(users * per_user)
        killed: dict[str, Any] = {}

        async def killer() -> None:
            await tally.half.wait()
            if os.environ.get("BRIEFBOT_BENCH_NO_KILL"):
                return
            fleet.kill(0)
            killed["at_answered"] = tally.answered
            killed["at_s"] = round(time.monotonic() - started, 1)
            say(f"killed replica 0 (SIGKILL) after {tally.answered} answers", quiet=quiet)

        started = time.monotonic()
        kill_task = asyncio.create_task(killer())
        await asyncio.gather(*(ask_all(c, plans[i], tally, within=240) for i, c in enumerate(clients)))
        wall = time.monotonic() - started
        kill_task.cancel()
        await asyncio.sleep(2.0)  # a duplicate answer or a late vote would have landed by now
        duplicates = await count_duplicates(tally)
        records = UsageLog.from_url(records_url)
        try:
            recorded = sum(records.votes_for(answer_id).get("up", 0) for answer_id in tally.votes)
            summary = records.summary()
        finally:
            records.close()
        for client in clients:
            await client.close()
        retried = await _webhook_retries(emulator, token)
    finally:
        async with httpx.AsyncClient() as http:
            await http.post(f"{emulator.base_url}{token}/deleteWebhook")
        await fleet.stop()
    return {
        "replicas": replicas,
        "engine": "fake" if fake else "real",
        "users": users,
        "questions_per_user": per_user,
        "asked": users * per_user,
        "answered": tally.answered,
        "duplicates": duplicates,
        "votes_pressed": len(tally.votes),
        "lost_votes": len(tally.votes) - recorded,
        "recorded_questions": summary.questions,
        "problems": tally.problems[:10],
        "killed": killed,
        "webhook_calls_retried": retried,
        "p50_s": round(statistics.median(tally.latencies), 2) if tally.latencies else None,
        "p95_s": percentile(tally.latencies, 0.95),
        "max_s": round(max(tally.latencies), 2) if tally.latencies else None,
        "wall_s": round(wall, 1),
        "lock_ttl_s": LOCK_TTL,
    }


async def _webhook_retries(emulator: Emulator, token: str) -> int:
    async with httpx.AsyncClient() as http:
        answer = await http.post(f"http://127.0.0.1:{emulator.port}/webhookLog", json={"token": token})
    return sum(1 for attempt in answer.json()["result"] if attempt["status"] != 200)


def main(args: Any) -> int:
    result = asyncio.run(
        run(
            args.replicas,
            args.users,
            args.questions,
            brief_count=args.briefs,
            fake=args.fake_engine,
            quiet=args.json,
        )
    )
    ok = result["answered"] == result["asked"] and not result["duplicates"] and not result["lost_votes"]
    if args.json:
        print(json.dumps(result))
    else:
        print(json.dumps(result, indent=2))
        print("RESULT:", "all answered once, no vote lost" if ok else "FAILED", flush=True)
    return 0 if ok else 1
