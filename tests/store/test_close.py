"""A closed library lets go of Chroma: no file of its folder stays open, no connection to its server."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest

from harness.chroma import ChromaServer
from store.embedding.base import Embedder
from tests.support.briefs import LibraryFactory, briefs
from tests.support.fake_embedder import HashedWords

pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="reads /proc (Linux)")


@pytest.fixture
def library_embedder() -> Embedder:
    """What the library holds open does not depend on the vectors."""
    return HashedWords()


def _open_targets() -> list[str]:
    """What this process's file descriptors point at (files, `socket:[inode]`)."""
    targets = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            targets.append(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:  # closed meanwhile (the listing's own descriptor)
            continue
    return targets


def _connections_to(port: int) -> set[str]:
    """This process's established TCP connections to `port` on any address (their socket inodes)."""
    sockets = {t[len("socket:[") : -1] for t in _open_targets() if t.startswith("socket:[")}
    found = set()
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        if not Path(table).exists():
            continue
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            remote_port, state, inode = int(fields[2].rsplit(":", 1)[1], 16), fields[3], fields[9]
            if remote_port == port and state == "01" and inode in sockets:
                found.add(inode)
    return found


def test_a_closed_embedded_library_holds_no_file_of_its_chroma_folder(
    make_library: LibraryFactory, tmp_path: Path
) -> None:
    library = make_library()
    library.sync(briefs(), "folder")
    assert library.search("Scale AI", k=1)
    chroma = str(tmp_path / "var" / "chroma")
    assert any(t.startswith(chroma) for t in _open_targets())  # what the check below relies on

    library.close()
    gc.collect()  # only what the library still references may stay open
    assert [t for t in _open_targets() if t.startswith(chroma)] == []


@pytest.mark.server
def test_a_closed_server_library_keeps_no_connection(
    make_library: LibraryFactory, chroma_server: ChromaServer
) -> None:
    # The server is shared by the session: libraries of earlier tests may still hold connections to it.
    earlier = _connections_to(chroma_server.port)
    library = make_library(
        chroma_host=chroma_server.host, chroma_port=chroma_server.port, collection="closing"
    )
    library.sync(briefs(), "folder")
    assert library.search("Scale AI", k=1)
    assert _connections_to(chroma_server.port) - earlier  # what the check below relies on

    library.close()
    gc.collect()
    assert _connections_to(chroma_server.port) - earlier == set()
