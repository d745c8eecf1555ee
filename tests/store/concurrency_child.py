"""Child processes of the concurrency tests: `python -m tests.store.concurrency_child rebuild|write DIR`.

`rebuild` rebuilds the "folder" scope and, once it is embedding, announces itself (DIR/started) and waits
for DIR/go, so a test can make other processes write at exactly that moment. `write` makes the writes a
rebuild must not lose: a new brief of another scope, a changed one, a removed one and a channel post.
Both open the library from the environment, as `python -m ingest` and the bot do.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

from store.library import open_library
from store.settings import BriefbotSettings
from tests.support.briefs import briefs

WAIT_SECONDS = 120.0


def other_scope() -> list:  # type: ignore[type-arg]
    """Briefs of the scope "other" that exist before the rebuild starts."""
    return [replace(b, id=f"other-{b.id}") for b in briefs("other")[:3]]


def written() -> tuple[list, list, str, str]:  # type: ignore[type-arg]
    """What `write` does: (added, changed, removed id, channel post id)."""
    base = briefs("other")
    added = [
        replace(
            base[3],
            id="other-added",
            title="Gudang kopi baru di Toraja",
            text="Koperasi petani membuka gudang kopi baru di Toraja untuk menyimpan biji arabika sebelum "
            "diekspor ke Jepang.",
        )
    ]
    changed = [
        replace(other_scope()[0], text=other_scope()[0].text + " Kabar terbaru: nilai transaksi naik.")
    ]
    post = replace(base[4], id="tg-briefs-77", scope="telegram:briefs", title="Posting kanal baru")
    return added + changed, [post], other_scope()[1].id, post.id


def rebuild(folder: Path) -> None:
    library = open_library(BriefbotSettings().store)  # type: ignore[call-arg]
    announced = False

    def hold(done: int, total: int, stage: str) -> None:
        nonlocal announced
        if stage != "embedding" or announced:
            return
        announced = True
        (folder / "started").touch()
        deadline = time.monotonic() + WAIT_SECONDS
        while not (folder / "go").exists() and time.monotonic() < deadline:
            time.sleep(0.05)

    report = library.rebuild(briefs("folder"), ["folder"], progress=hold)
    print(f"rebuilt added={len(report.added)} removed={len(report.removed)}", flush=True)


def write() -> None:
    library = open_library(BriefbotSettings().store)  # type: ignore[call-arg]
    syncs, posts, removed, _ = written()
    library.sync(syncs, "other", remove_missing=False)
    library.upsert(posts)
    library.remove([removed])
    print("written", flush=True)


def seed() -> None:
    library = open_library(BriefbotSettings().store)  # type: ignore[call-arg]
    library.sync(briefs("folder")[:2], "folder")
    library.sync(other_scope(), "other")


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "rebuild":
        rebuild(Path(sys.argv[2]))
    elif command == "write":
        write()
    else:
        seed()
