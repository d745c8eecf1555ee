"""Errors the store raises. Their messages are written to be shown to users and operators as they are.

StoreError
├── StoreUnavailable        the Chroma server cannot be reached (try again later)
├── EmbeddingMismatch       the collection was built with another embedding model or dimension
├── EmbeddingFailed         the embedding backend failed (bad config, endpoint down)
├── IndexMissing            no serving collection to look at (raised by probes, which create nothing)
└── StoreBusy               another process holds a lock it did not release in time (another ingest run)
"""


class StoreError(Exception):
    """Base class; the message is safe to show to a user."""


class StoreUnavailable(StoreError):  # noqa: N818 (contract names, see docs/architecture.md)
    """The vector database cannot be reached right now."""


class EmbeddingMismatch(StoreError):  # noqa: N818 (contract names, see docs/architecture.md)
    """The collection holds vectors from another model; mixing them would silently break search."""


class EmbeddingFailed(StoreError):  # noqa: N818 (contract names, see docs/architecture.md)
    """The embedding backend could not embed the texts."""


class IndexMissing(StoreError):  # noqa: N818 (named like its siblings)
    """There is no brief index to serve yet, or the one the pointer names is gone."""


class StoreBusy(StoreError):  # noqa: N818 (named like its siblings)
    """Another process holds a store lock (another ingest run); the message says who and since when."""
