"""The knowledge store: briefs, their chunks, embeddings and hybrid search over ChromaDB.

`store` is the shared core: `ingest` writes into it and `bot` reads from it; it imports neither.
Entry point: `store.library.open_library(settings) -> BriefLibrary`.
"""
