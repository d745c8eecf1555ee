"""briefbot's chunker as a llama-index `NodeParser`, for people composing their own pipelines.

    from store.llama_parser import BriefNodeParser
    nodes = BriefNodeParser(chunk_size=220, chunk_overlap=30).get_nodes_from_documents(documents)

Each node is a run of whole sentences (Indonesian and English abbreviations understood) and keeps exact
offsets: `node.start_char_idx` / `node.end_char_idx` index the document's text, and
`document.text[node.start_char_idx:node.end_char_idx] == node.text`. Token counts default to the store's
approximation; pass `count_tokens=embedder.token_count`-style callables for the model's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from llama_index.core.node_parser import NodeParser
from llama_index.core.schema import BaseNode, NodeRelationship, TextNode
from pydantic import Field, PrivateAttr

from store.chunking import TokenCounter, approximate_tokens, chunk_text


class BriefNodeParser(NodeParser):
    chunk_size: int = Field(220, gt=0, description="Target chunk size in tokens.")
    chunk_overlap: int = Field(30, ge=0, description="Tokens of whole sentences shared by neighbours.")
    _count: TokenCounter = PrivateAttr()

    def __init__(self, count_tokens: TokenCounter = approximate_tokens, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._count = count_tokens

    @classmethod
    def class_name(cls) -> str:
        return "BriefNodeParser"

    def _parse_nodes(
        self, nodes: Sequence[BaseNode], show_progress: bool = False, **kwargs: Any
    ) -> list[BaseNode]:
        out: list[BaseNode] = []
        for node in nodes:
            text = node.get_content()
            for chunk in chunk_text(
                node.node_id, text, chunk_size=self.chunk_size, chunk_overlap=self.chunk_overlap,
                count_tokens=self._count,
            ):  # fmt: skip
                child = TextNode(
                    id_=chunk.id,
                    text=chunk.text,
                    start_char_idx=chunk.start,
                    end_char_idx=chunk.end,
                    metadata=dict(node.metadata),
                    excluded_embed_metadata_keys=list(node.excluded_embed_metadata_keys),
                    excluded_llm_metadata_keys=list(node.excluded_llm_metadata_keys),
                )
                child.relationships[NodeRelationship.SOURCE] = node.as_related_node_info()
                out.append(child)
        return out
