"""A store of N chunks on one host: build, search, first search, one write seen by another process, a
no-change sync pass, cold answers and the bot process's memory, printed as one JSON object.

    python -m benchmarks.scale --chunks N [--real 1000] [--json] [--keep DIR [--reuse]] [--answers 30]
                               [--server] [--reload background|wait]

`--real` FacQA passages are indexed for real (`sync`, vectors through the embedding cache in `--cache-dir`);
the rest are synthetic briefs of `--chunks-per-brief` chunks: ~120 words drawn from the real passages' own
word stream (so term frequencies look like the corpus's) and random unit vectors, written straight into the
serving collection with the store's own metadata, after which the pointer is moved as another host's writer
would. The query and write paths are the real ones:

- `build_s`: the real sync, the synthetic writes, and the keyword index catching up (the first search;
  `keyword_catch_up_s` of it).
  `--keep DIR --reuse` measures the rest again on the store a `--keep DIR` run left (no build_s), after
  adding synthetic chunks up to N when it holds fewer (`grown_from`, `grow_s`): a large store can be built
  in steps. The probe brief of each run is new, so its write is a real one.
- A "bot" child process opens the store (`first_search_s`: open_library to the first search's result), runs
  `search_p50_ms`/`search_p95_ms` (hybrid `BriefLibrary.search`, 200 FacQA questions whose passage is real),
  then `answer_cold_p50_s` (`Answerer.answer` as the bot runs it, reader on unless --reader off, on questions
  not asked before) and reports `rss_mb`, its peak resident memory.
- `write_one_brief_s`: this process upserts one new brief while the running bot child searches for its words;
  from the upsert's start to the bot's keyword leg returning it.
- `noop_sync_s`: this process runs what `python -m ingest` runs for a folder of the 1,000 unchanged real
  briefs (`scopes_of` the ids it yields, then `sync` of the scope).

`--server`: the build writes through embedded Chroma as above; then a `chroma run` server is started on the
same folder and everything after the build (the bot, the write, the sync) goes through it, as a host of
several processes would run; `server_rss_mb` is the server's peak memory (it holds the vector index).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import DEFAULT_CORPUS, add_synthetic, peak_rss_mb, read_records
from eval.metrics import percentile
from store.analysis import Analyzer
from store.keyword_sync import index_path
from store.library import keyword_file_name, open_library
from store.settings import StoreSettings
from store.types import Brief

SCOPE = "bench"
SYNTHETIC_WORDS = 120  # about a 220-token chunk
PROBE_WORD = "zirkoniumtambangbaru"


def settings_for(work: Path, port: int | None = None) -> StoreSettings:
    """The store in `work`: embedded Chroma, or a `chroma run` server on `port` serving the same folder."""
    if port is None:
        return StoreSettings(data_dir=work, chroma_path=work / "chroma")
    return StoreSettings(
        data_dir=work, chroma_path=work / "chroma", chroma_host="127.0.0.1", chroma_port=port
    )


class ChromaServer:
    """`chroma run` over the store's folder (`--server`): one process holds the vector index for all."""

    def __init__(self, work: Path) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        chroma = Path(sys.executable).parent / "chroma"
        command = [
            str(chroma),
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--path",
            str(work / "chroma"),
        ]
        with (work / "chroma-server.log").open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"chroma run ended (exit {self.process.returncode}); see {work}/chroma-server.log"
                )
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.2)
        self.stop()
        raise SystemExit("chroma run did not listen within 120 s")

    def peak_rss_mb(self) -> int:
        return peak_rss_mb(self.process.pid)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def real_briefs(records: list[dict[str, Any]]) -> list[Brief]:
    return [
        Brief(
            id=str(r["_id"]),
            title="",
            text=str(r["text"]),
            lang="id",
            scope=SCOPE,
            origin=f"{SCOPE}/{r['_id']}",
        )
        for r in records
    ]


def questions_on(real: set[str], corpus: Path) -> list[str]:
    """FacQA questions whose relevant passage is among the real ones, in file order."""
    wanted: set[str] = set()
    for line in (corpus.parent / "qrels.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        query, doc, *_ = line.split("\t")
        if doc in real:
            wanted.add(query)
    out = []
    for line in (corpus.parent / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            if row["_id"] in wanted:
                out.append(str(row["text"]))
    return out


# -- the bot process -----------------------------------------------------------------------------------------


def serve(work: Path, reader: str, port: int | None = None, reload: str = "background") -> None:
    """The "bot": answers commands from stdin, one JSON object per line, on stdout."""
    from bot.answering.engine import Answerer
    from bot.answering.types import expect_answer
    from bot.settings import BotSettings

    started = time.perf_counter()
    settings = settings_for(work, port).model_copy(update={"reload_in_background": reload == "background"})
    library = open_library(settings)
    library.search("harga saham")
    say({"first_search_s": round(time.perf_counter() - started, 2)})
    settings = BotSettings()  # type: ignore[call-arg]
    answerer = Answerer(library, settings.answer.model_copy(update={"reader": reader == "on"}), settings.llm)
    for line in sys.stdin:
        command = json.loads(line)
        if command["do"] == "search":
            latencies = []
            for question in command["questions"]:
                mark = time.perf_counter()
                library.search(question)
                latencies.append((time.perf_counter() - mark) * 1000)
            say({"search_p50_ms": round(percentile(latencies, 50), 1),
                 "search_p95_ms": round(percentile(latencies, 95), 1)})  # fmt: skip
        elif command["do"] == "wait_for":
            say({"waiting": True})
            deadline = time.time() + command["timeout"]
            found_at = None
            while time.time() < deadline:
                hits = library.search(command["word"], k=3)
                if any(p.brief.id == command["brief"] and p.keyword_score for p in hits):
                    found_at = time.time()
                    break
            say({"found_at": found_at})
        elif command["do"] == "answer":
            totals, modes = [], {}
            for question in command["questions"]:
                mark = time.perf_counter()
                answer = expect_answer(answerer.answer(question))
                totals.append(time.perf_counter() - mark)
                modes[answer.mode] = modes.get(answer.mode, 0) + 1
            say({"answer_cold_p50_s": round(percentile(totals, 50), 3),
                 "answer_cold_p95_s": round(percentile(totals, 95), 3), "answered_as": modes})  # fmt: skip
        elif command["do"] == "quit":
            say({"rss_mb": peak_rss_mb()})
            return


def partial(out: dict[str, Any]) -> None:
    """The figures so far, on stderr: a run cut short by a time limit still leaves what it measured."""
    print(json.dumps({"partial": out}), file=sys.stderr, flush=True)


def say(payload: dict[str, Any]) -> None:
    print(json.dumps(payload), flush=True)


class Bot:
    def __init__(self, work: Path, reader: str, port: int | None, reload: str) -> None:
        env = {**os.environ, "BRIEFBOT_LOG_LEVEL": "WARNING"}
        server = ["--server-port", str(port)] if port is not None else []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.scale", "--serve", str(work), "--reader", reader,
             "--reload", reload, *server],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip

    def send(self, command: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()

    def read(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"the bot process ended (exit {self.process.wait()})")
        return dict(json.loads(line))

    def close(self) -> None:
        """Wait for the process (after "quit") and close our ends of its pipes."""
        self.process.wait(timeout=60)
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


# -- the run -------------------------------------------------------------------------------------------------


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    records = read_records(args.corpus, min(args.real, args.chunks))
    briefs = real_briefs(records)
    questions = questions_on({b.id for b in briefs}, args.corpus)
    cache = args.cache_dir.resolve() / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    if not (work / "cache").is_symlink():
        (work / "cache").symlink_to(cache)  # the embedding cache: real passages are embedded once per machine
    out: dict[str, Any] = {"chunks": args.chunks, "real_briefs": len(briefs)}

    started = time.perf_counter()
    library = open_library(settings_for(work))
    words = [w for r in records for w in str(r["text"]).split() if w.isalpha()]
    if args.reuse:
        out["build_s"] = None
        held, missing = library.stats().chunks, args.chunks - library.stats().chunks
        if missing > 0:
            first = sum(b.chunk_count for b in library.list_briefs("synthetic"))
            add_synthetic(library, missing, words, words=SYNTHETIC_WORDS, per_brief=args.chunks_per_brief,
                          first=first)  # fmt: skip
            out["grown_from"] = held
    else:
        library.sync(briefs, SCOPE)
        synthetic = args.chunks - library.stats().chunks
        if synthetic > 0:
            add_synthetic(library, synthetic, words, words=SYNTHETIC_WORDS, per_brief=args.chunks_per_brief)
    writes_done = time.perf_counter()
    library.search("harga saham")  # the keyword index catches up with the synthetic writes
    library._serving.wait_idle()
    out["keyword_catch_up_s"] = round(time.perf_counter() - writes_done, 1)  # part of build_s (grow_s)
    if not args.reuse:
        out["build_s"] = round(time.perf_counter() - started, 1)
    elif "grown_from" in out:
        out["grow_s"] = round(time.perf_counter() - started, 1)
    out["chunks"] = library.stats().chunks
    out["keyword_file_mb"] = round(keyword_path(work, None).stat().st_size / 2**20)
    partial(out)

    server = None
    if args.server:
        # The build wrote through embedded Chroma (faster); from here on every process goes through a server
        # on the same folder. The keyword file is named after where Chroma lives: the built one is reused.
        embedded_file = keyword_path(work, None)
        library.close()
        server = ChromaServer(work)
        shutil.copyfile(embedded_file, keyword_path(work, server.port))
        library = open_library(settings_for(work, server.port))
        library.search("harga saham")
    bot = Bot(work, args.reader, server.port if server else None, args.reload)
    out.update(bot.read())  # first_search_s
    bot.send({"do": "search", "questions": questions[: args.queries]})
    out.update(bot.read())
    partial(out)

    nonce = "".join(random.choices("bcdfghjklmnpqrstvwxz", k=8))  # a new brief and word in every run
    word = PROBE_WORD + nonce
    probe = Brief(id=f"probe-{nonce}", title="Tambang baru", lang="id", scope="channel", origin="channel/1",
                  text=f"Perusahaan membuka tambang {word} di Kalimantan Tengah.")  # fmt: skip
    bot.send({"do": "wait_for", "word": word, "brief": probe.id, "timeout": 120})
    bot.read()
    time.sleep(0.5)  # the bot is polling
    mark = time.time()
    library.upsert([probe])
    found_at = bot.read()["found_at"]
    out["write_one_brief_s"] = round(found_at - mark, 2) if found_at else None
    partial(out)

    noop = briefs[: args.noop]
    mark = time.perf_counter()
    library.scopes_of([b.id for b in noop])  # as `ingest.runner.write`: who owns the ids, then the sync
    report = library.sync(noop, SCOPE, remove_missing=len(noop) == len(briefs))
    out["noop_sync_s"] = round(time.perf_counter() - mark, 2)
    out["noop_sync_briefs"] = len(report.unchanged)
    partial(out)

    bot.send({"do": "answer", "questions": questions[args.queries : args.queries + args.answers]})
    out.update(bot.read())
    bot.send({"do": "quit"})
    out.update(bot.read())
    bot.close()
    library.close()
    if server is not None:
        out["server_rss_mb"] = server.peak_rss_mb()
        server.stop()
        copy = keyword_path(work, server.port)  # named after this run's port: no later run opens it
        for path in (copy, Path(f"{copy}-wal"), Path(f"{copy}-shm")):
            path.unlink(missing_ok=True)
    return out


def keyword_path(work: Path, port: int | None) -> Path:
    settings = settings_for(work, port)
    return index_path(settings.resolved_keyword_path(), keyword_file_name(settings), Analyzer())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__)
    parser.add_argument("--chunks", type=int, default=20_000, help="chunks in the store")
    parser.add_argument("--real", type=int, default=1000, help="real FacQA passages among them")
    parser.add_argument("--chunks-per-brief", type=int, default=5, help="chunks of each synthetic brief")
    parser.add_argument("--queries", type=int, default=200, help="questions timed for search")
    parser.add_argument("--answers", type=int, default=30, help="questions answered (cold)")
    parser.add_argument("--noop", type=int, default=1000, help="unchanged briefs synced")
    parser.add_argument("--reader", choices=["on", "off"], default="on")
    parser.add_argument(
        "--reload",
        choices=["background", "wait"],
        default="background",
        help="the bot's BRIEFBOT_STORE__RELOAD_IN_BACKGROUND (embedded Chroma): true, or false (wait)",
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="BEIR corpus.jsonl")
    parser.add_argument("--cache-dir", type=Path, default=Path("var/eval-cache"), help="embedding cache")
    parser.add_argument("--keep", type=Path, default=None, help="build the store here and keep it")
    parser.add_argument("--reuse", action="store_true", help="measure the store --keep DIR holds, no build")
    parser.add_argument("--json", action="store_true", help="print only the JSON object")
    parser.add_argument("--server", action="store_true", help="measure through a `chroma run` server")
    parser.add_argument("--serve", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--server-port", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve is not None:
        serve(args.serve, args.reader, args.server_port, args.reload)
        return 0
    if args.reuse and (args.keep is None or not (args.keep / "chroma").is_dir()):
        parser.error("--reuse needs --keep DIR holding a store an earlier --keep run built")
    if args.keep is not None:
        if not args.reuse:
            shutil.rmtree(args.keep, ignore_errors=True)
            args.keep.mkdir(parents=True)
        out = run(args, args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="briefbot-scale-") as tmp:
            out = run(args, Path(tmp))
    print(json.dumps(out, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
