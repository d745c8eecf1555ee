"""Hybrid retrieval as a llama-index BaseRetriever, composed into llama-index's own CitationQueryEngine."""

from __future__ import annotations

from datetime import date

from llama_index.core.llms import MockLLM
from llama_index.core.query_engine import CitationQueryEngine

from bot.answering.llama_retriever import BriefRetriever
from store.embedding.base import Embedder
from store.types import BriefInfo, Passage, SearchFilters

BRIEF = BriefInfo("b1", "Meta buys into Scale AI", "Asia Markets Brief", "https://x.example/b1",
                  date(2025, 6, 13), "en", "data/briefs", "file", "h", 1)  # fmt: skip
PASSAGE = Passage("b1#0", BRIEF, "Meta bought 49% of Scale AI for US$14.3 billion.", 10, 58, 0, 0.7)


class OnePassageLibrary:
    def __init__(self) -> None:
        self.calls: list[tuple[str, int | None, SearchFilters | None]] = []

    @property
    def embedder(self) -> Embedder:
        raise NotImplementedError

    def search(self, query: str, k: int | None = None, filters: SearchFilters | None = None) -> list[Passage]:
        self.calls.append((query, k, filters))
        return [PASSAGE]

    def list_briefs(self, scope: str | None = None) -> list[BriefInfo]:
        return [BRIEF]

    def passages_of(self, brief_id: str) -> list[Passage]:
        return [PASSAGE]


def test_passages_become_scored_nodes_with_offsets_and_brief_facts() -> None:
    library = OnePassageLibrary()
    filters = SearchFilters(since=date(2025, 1, 1))
    [found] = BriefRetriever(library, k=3, filters=filters).retrieve("how much did Meta pay?")
    assert library.calls == [("how much did Meta pay?", 3, filters)]
    assert found.score == 0.7 and found.node.node_id == "b1#0"
    assert (found.node.start_char_idx, found.node.end_char_idx) == (10, 58)
    assert found.node.metadata["title"] == BRIEF.title and found.node.metadata["published"] == "2025-06-13"


def test_the_retriever_drives_a_citation_query_engine_without_global_settings() -> None:
    engine = CitationQueryEngine.from_args(
        index=None, retriever=BriefRetriever(OnePassageLibrary()), llm=MockLLM()
    )
    response = engine.query("how much did Meta pay?")
    assert [n.node.get_content() for n in response.source_nodes] == ["Source 1:\n" + PASSAGE.text + "\n"]
