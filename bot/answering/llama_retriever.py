"""briefbot's hybrid retrieval as a llama-index `BaseRetriever`, for people composing their own pipelines.

    from llama_index.core.query_engine import CitationQueryEngine
    from bot.answering.llama_retriever import BriefRetriever
    engine = CitationQueryEngine(retriever=BriefRetriever(library, k=5), llm=my_llm)

Each result is a `NodeWithScore` whose node is the passage (exact text and offsets in its brief, the brief's
title, publisher, date, link and language as metadata) and whose score is the hybrid search's. Filters
(`SearchFilters`: dates, sources) pass through. Nothing here needs an LLM or llama-index's global Settings.
"""

from __future__ import annotations

from typing import Any

from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from bot.answering.ports import EngineLibrary
from store.types import Passage, SearchFilters


def node_of(passage: Passage) -> NodeWithScore:
    """A passage as llama-index sees one: text, offsets in the brief, the brief's facts as metadata."""
    brief = passage.brief
    metadata: dict[str, Any] = {
        "brief_id": brief.id,
        "title": brief.title,
        "source": brief.source,
        "url": brief.url or "",
        "published": brief.published.isoformat() if brief.published else "",
        "lang": brief.lang,
    }
    node = TextNode(
        id_=passage.chunk_id,
        text=passage.text,
        start_char_idx=passage.start,
        end_char_idx=passage.end,
        metadata=metadata,
        excluded_embed_metadata_keys=list(metadata),
        excluded_llm_metadata_keys=["brief_id", "url", "lang"],
    )
    return NodeWithScore(node=node, score=passage.score)


class BriefRetriever(BaseRetriever):
    def __init__(self, library: EngineLibrary, k: int = 5, filters: SearchFilters | None = None) -> None:
        super().__init__()
        self._library = library
        self._k = k
        self._filters = filters

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [node_of(p) for p in self._library.search(query_bundle.query_str, self._k, self._filters)]
