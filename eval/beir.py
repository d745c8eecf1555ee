"""Read a retrieval test collection in the BEIR folder layout.

A folder holds `corpus.jsonl` (`_id`, `text`, optional `title`), queries (`queries.jsonl` or
`queries-<split>.jsonl`, each `_id`, `text`, optional `split`) and relevance judgements as a TSV file
(`qrels.tsv`, `qrels-<split>.tsv` or `qrels/<split>.tsv`; `query-id corpus-id score`, header optional).
Datasets in the wild mix these conventions, so every variant is accepted and problems are reported with the
file and line that caused them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)


class BeirFormatError(ValueError):
    """The folder is not a readable BEIR collection; the message names the file and line."""


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    title: str = ""


@dataclass(frozen=True)
class Query:
    id: str
    text: str
    split: str | None = None
    answer: str = ""
    """The question's answer when the file gives one (FacQA does): enables the reader-side score."""


@dataclass
class BeirDataset:
    """Documents, the queries to evaluate and which documents are relevant to each query."""

    corpus: dict[str, Document]
    queries: dict[str, Query]
    qrels: dict[str, dict[str, int]] = field(default_factory=dict)
    """query id -> {document id: relevance grade}; only grades > 0 are kept."""

    def judged_queries(self) -> list[Query]:
        """Queries that have at least one relevant document in the corpus, in file order."""
        return [q for q in self.queries.values() if any(d in self.corpus for d in self.qrels.get(q.id, {}))]


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, object]]]:
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BeirFormatError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
            if not isinstance(record, dict):
                raise BeirFormatError(f"{path}:{number}: expected a JSON object")
            yield number, record


def _text_field(record: dict[str, object], key: str, path: Path, number: int, required: bool = True) -> str:
    value = record.get(key)
    if value is None:
        if required:
            raise BeirFormatError(f"{path}:{number}: missing field {key!r}")
        return ""
    # Some converters write numeric ids; treat them as the same string a qrels file would hold.
    return str(value)


def read_corpus(path: Path) -> dict[str, Document]:
    corpus: dict[str, Document] = {}
    for number, record in _read_jsonl(path):
        doc = Document(
            id=_text_field(record, "_id", path, number),
            text=_text_field(record, "text", path, number),
            title=_text_field(record, "title", path, number, required=False),
        )
        if doc.id in corpus:
            logger.warning("duplicate corpus id=%s file=%s line=%s; keeping the first", doc.id, path, number)
            continue
        corpus[doc.id] = doc
    return corpus


def read_queries(path: Path, qrels: dict[str, dict[str, int]] | None = None) -> dict[str, Query]:
    """Queries by id. Records that name their passage (`corpus_id` or a `corpus_ids` list, as hand-written
    question files do) add those judgements to `qrels`, so such a file needs no qrels file of its own."""
    queries: dict[str, Query] = {}
    for number, record in _read_jsonl(path):
        if qrels is not None:
            named = record.get("corpus_ids") or ([record["corpus_id"]] if record.get("corpus_id") else [])
            if not isinstance(named, list):
                raise BeirFormatError(f"{path}:{number}: corpus_ids must be a list of ids")
            for doc_id in named:
                qrels.setdefault(_text_field(record, "_id", path, number), {})[str(doc_id)] = 1
        split = record.get("split")
        query = Query(
            id=_text_field(record, "_id", path, number),
            text=_text_field(record, "text", path, number),
            split=str(split) if split is not None else None,
            answer=record["answer"] if isinstance(record.get("answer"), str) else "",
        )
        queries[query.id] = query
    return queries


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            parts = line.rstrip("\r\n").split("\t")
            if len(parts) == 1:
                parts = parts[0].split()  # space-separated qrels (TREC style)
            # TREC qrels have an extra "iteration" column: query 0 doc grade.
            if len(parts) == 4:
                parts = [parts[0], parts[2], parts[3]]
            if len(parts) not in (2, 3):
                raise BeirFormatError(f"{path}:{number}: expected 'query-id, corpus-id, score' columns")
            grade_text = parts[2].strip() if len(parts) == 3 else "1"
            try:
                grade = int(float(grade_text))
            except ValueError:
                if number == 1:
                    continue  # a header line such as "query-id corpus-id score"
                raise BeirFormatError(f"{path}:{number}: score {grade_text!r} is not a number") from None
            if grade > 0:
                qrels.setdefault(parts[0].strip(), {})[parts[1].strip()] = grade
    return qrels


def _first_existing(candidates: list[Path]) -> Path | None:
    return next((p for p in candidates if p.is_file()), None)


def load_beir(folder: Path, split: str | None = None, queries_file: Path | None = None) -> BeirDataset:
    """Load `folder`; with `split`, keep only that split's queries (by file name or their `split` field)."""
    if not folder.is_dir():
        raise BeirFormatError(f"{folder}: not a folder")
    corpus_path = folder / "corpus.jsonl"
    if not corpus_path.is_file():
        raise BeirFormatError(f"{folder}: no corpus.jsonl")

    by_split = [folder / f"queries-{split}.jsonl", folder / "queries" / f"{split}.jsonl"] if split else []
    queries_path = queries_file or _first_existing([*by_split, folder / "queries.jsonl"])
    if queries_path is None or not queries_path.is_file():
        raise BeirFormatError(f"{folder}: no queries file (queries.jsonl or queries-<split>.jsonl)")

    qrels_by_split = [folder / f"qrels-{split}.tsv", folder / "qrels" / f"{split}.tsv"] if split else []
    qrels_path = _first_existing([*qrels_by_split, folder / "qrels.tsv"])

    qrels = read_qrels(qrels_path) if qrels_path else {}
    queries = read_queries(queries_path, qrels)
    if split:
        # A split-specific file holds only that split even when its records carry no split field.
        queries = {k: q for k, q in queries.items() if q.split in (None, split)}
    if not qrels:
        raise BeirFormatError(
            f"{folder}: no judgements: add qrels.tsv (or qrels-<split>.tsv, qrels/<split>.tsv), "
            "or give each query a corpus_id"
        )
    dataset = BeirDataset(corpus=read_corpus(corpus_path), queries=queries, qrels=qrels)
    logger.info(
        "loaded folder=%s docs=%s queries=%s judged=%s qrels=%s",
        folder,
        len(dataset.corpus),
        len(dataset.queries),
        len(dataset.judged_queries()),
        qrels_path.name if qrels_path else "in the queries file",
    )
    return dataset
