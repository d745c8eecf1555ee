"""Load test of the Telegram front end through the Bot API emulator.

20 simulated users ask 5 questions each, all at once (each user waits for an answer before the next question,
as people do); then the same again while an admin's `/reindex full` runs. Reports p50/p95 answer latency
(user's send -> answer visible in the emulator) and checks every question was answered without an error.

    .venv/bin/python benchmarks/telegram_load.py [--users 20] [--questions 5] [--briefs 46]
    .venv/bin/python benchmarks/telegram_load.py --replicas 2 [--json] [--fake-engine]  # replicas_load.py

Needs node + `npm ci` in tests/telegram_emulator and the `chroma` CLI (a Chroma server is started in a temp
folder, since the reindex child process and the bot write the same index). Everything listens on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pydantic import SecretStr  # noqa: E402
from telegram import Update  # noqa: E402

from bot.answering.engine import build_answerer  # noqa: E402
from bot.ingest_runner import IngestRunner  # noqa: E402
from bot.settings import BotSettings  # noqa: E402
from bot.telegram.app import build_application  # noqa: E402
from bot.telegram.settings import TelegramSettings  # noqa: E402
from harness.chroma import ChromaServer  # noqa: E402
from harness.emulator import TgUser, start_emulator  # noqa: E402
from harness.servers import free_port  # noqa: E402
from store.library import open_library  # noqa: E402
from store.settings import StoreSettings  # noqa: E402

ADMIN = 1
QUESTIONS = [
    "Why did OpenAI stop working with Scale AI?",
    "Berapa Meta bayar untuk saham Scale AI?",
    "Siapa CEO sementara Scale AI?",
    "What is QRIS Tap?",
    "Kapan UU PDP berlaku penuh?",
    "Why did LG leave the battery project?",
    "How much did DeepSeek wipe off Nvidia?",
    "Apa itu Danantara?",
    "When did Starlink launch in Indonesia?",
    "Berapa investasi Microsoft untuk cloud di Indonesia?",
]
FAILURE_MARKERS = ("Sorry", "Maaf", "unavailable", "still working", "Still working", "asking faster")


async def ask_all(user: TgUser, chat_id: int, questions: list[str]) -> tuple[list[float], list[str]]:
    latencies, problems = [], []
    for question in questions:
        before = len(await user.bot_messages(chat_id))
        started = time.monotonic()
        await user.say(question)
        try:
            messages = await user.wait_for(lambda ms, n=before: len(ms) > n, chat_id=chat_id, within=180)
        except AssertionError as exc:
            problems.append(f"user {chat_id}: no answer to {question!r}: {exc}")
            continue
        latencies.append(time.monotonic() - started)
        text = messages[before]["text"]
        if any(marker in text for marker in FAILURE_MARKERS):
            problems.append(f"user {chat_id}: {text[:120]!r}")
    return latencies, problems


async def round_of_questions(
    emulator: Any, token: str, users: int, per_user: int, first_id: int
) -> dict[str, Any]:
    # Fresh user ids per round, so the per-user rate limit (questions per minute) is not what gets measured.
    clients = [TgUser(emulator, token, user_id=first_id + i, name=f"user{i}") for i in range(users)]
    plans = [[QUESTIONS[(i + j) % len(QUESTIONS)] for j in range(per_user)] for i in range(users)]
    started = time.monotonic()
    results = await asyncio.gather(*(ask_all(c, first_id + i, plans[i]) for i, c in enumerate(clients)))
    wall = time.monotonic() - started
    for client in clients:
        await client.close()
    latencies = sorted(x for lat, _ in results for x in lat)
    problems = [p for _, ps in results for p in ps]
    return {
        "asked": users * per_user,
        "answered": len(latencies),
        "problems": problems,
        "p50_s": round(statistics.median(latencies), 2) if latencies else None,
        "p95_s": round(latencies[max(0, math.ceil(0.95 * len(latencies)) - 1)], 2) if latencies else None,
        "wall_s": round(wall, 1),
    }


async def main(users: int, per_user: int, brief_count: int) -> int:
    work = Path(tempfile.mkdtemp(prefix="tg-load-"))
    server = ChromaServer(work / "chroma", free_port())
    server.start()
    try:
        briefs = work / "briefs"
        briefs.mkdir()
        for path in sorted((ROOT / "data" / "briefs").glob("*.md"))[:brief_count]:
            shutil.copy(path, briefs / path.name)
        store = StoreSettings(data_dir=work / "var", chroma_host=server.host, chroma_port=server.port)
        env = {
            "BRIEFBOT_STORE__DATA_DIR": str(store.data_dir),
            "BRIEFBOT_STORE__CHROMA_HOST": server.host,
            "BRIEFBOT_STORE__CHROMA_PORT": str(server.port),
            "BRIEFBOT_INGEST__SOURCES": json.dumps([str(briefs)]),
        }
        print(f"indexing {brief_count} sample briefs ...", flush=True)
        await IngestRunner(env=env, cwd=str(ROOT)).run()
        # The bot's /reindex full re-embeds everything (no vector cache), so it really competes for the CPU.
        runner = IngestRunner(env=env | {"BRIEFBOT_STORE__EMBEDDING__CACHE": "false"}, cwd=str(ROOT))
        library = open_library(store)
        with start_emulator() as emulator:
            token = emulator.new_token()
            tg = TelegramSettings(
                token=SecretStr(token),
                base_url=emulator.base_url,
                admin_ids=[ADMIN],
                poll_interval=0.02,
                questions_per_minute=1000,  # measured here: throughput, not the per-user limit
            )
            settings = BotSettings(store=store, telegram=tg, _env_file=None)  # type: ignore[call-arg]
            app = build_application(
                settings, library, build_answerer(settings.answer, settings.llm, library), runner=runner
            )
            await app.initialize()
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.02, allowed_updates=Update.ALL_TYPES)
            try:
                # Warm-up: the engine embeds retrieved passages' sentences once; first asks pay for it.
                warm = TgUser(emulator, token, user_id=9, name="warmup")
                cold, problems = await ask_all(warm, 9, QUESTIONS)
                await warm.close()
                print(
                    "warm-up (each question once, alone):",
                    json.dumps(
                        {
                            "max_s": round(max(cold), 2),
                            "median_s": round(statistics.median(cold), 2),
                            "problems": problems,
                        }
                    ),
                    flush=True,
                )
                quiet = await round_of_questions(emulator, token, users, per_user, 1000)
                print("quiet:", json.dumps(quiet), flush=True)
                admin = TgUser(emulator, token, user_id=ADMIN, name="admin")
                await admin.say("/reindex full")
                busy = await round_of_questions(emulator, token, users, per_user, 2000)
                status = await admin.bot_messages(ADMIN)
                busy["reindex_running_at_round_end"] = bool(status) and "⏳" in status[0]["text"]
                final = await admin.wait_for(
                    lambda ms: bool(ms) and ("done" in ms[0]["text"] or "failed" in ms[0]["text"]),
                    chat_id=ADMIN,
                    within=600,
                )
                busy["reindex"] = final[0]["text"].splitlines()[0]
                print("during /reindex full:", json.dumps(busy), flush=True)
                await admin.close()
            finally:
                await app.updater.stop()
                await app.stop()
                await app.shutdown()
        library.close()
        ok = all(r["answered"] == r["asked"] and not r["problems"] for r in (quiet, busy))
        print("RESULT:", "all answered, no errors" if ok else "FAILED", flush=True)
        return 0 if ok else 1
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--briefs", type=int, default=46)
    parser.add_argument(
        "--replicas", type=int, default=0, help="N webhook replicas on Redis + PostgreSQL, one killed halfway"
    )
    parser.add_argument(
        "--json", action="store_true", help="with --replicas: the last line is one JSON object"
    )
    parser.add_argument(
        "--fake-engine", action="store_true", help="with --replicas: the tests' instant engine"
    )
    args = parser.parse_args()
    if args.replicas:
        from benchmarks import replicas_load

        sys.exit(replicas_load.main(args))
    sys.exit(asyncio.run(main(args.users, args.questions, args.briefs)))
