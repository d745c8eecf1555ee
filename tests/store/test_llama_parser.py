"""The chunker as a llama-index NodeParser: whole sentences, exact offsets, the source kept."""

from __future__ import annotations

from llama_index.core import Document
from llama_index.core.schema import NodeRelationship

from store.llama_parser import BriefNodeParser

TEXT = "".join(
    f"OpenAI menghentikan kerja sama nomor {i} dengan Scale AI. Meta berinvestasi US$14,{i} miliar, kata PT. "
    f"Contoh Tbk. Google juga mempertimbangkan langkah serupa ke-{i}. "
    for i in range(12)
)


def test_nodes_are_exact_slices_of_the_document_and_point_back_to_it() -> None:
    document = Document(text=TEXT, metadata={"title": "seed"})
    nodes = BriefNodeParser(chunk_size=60, chunk_overlap=10).get_nodes_from_documents([document])
    assert len(nodes) > 3
    for node in nodes:
        assert TEXT[node.start_char_idx : node.end_char_idx] == node.get_content()
        assert node.get_content().endswith(".")  # whole sentences
        assert node.metadata["title"] == "seed"
        assert node.relationships[NodeRelationship.SOURCE].node_id == document.doc_id
    assert nodes[0].start_char_idx == 0 and nodes[-1].end_char_idx == len(TEXT.rstrip())
