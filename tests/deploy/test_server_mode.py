"""Chroma server mode end to end: the real `python -m ingest` writes into a real `chroma run`, the library
searches it, and a server restart in the middle of an ingest run loses nothing that was reported as ingested.
The library object opened before the restart keeps working afterwards without being re-created."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.health import main as health_main
from harness.chroma import ChromaServer, running_chroma
from harness.servers import free_port
from store.errors import StoreUnavailable
from store.library import BriefLibrary, open_library
from store.settings import StoreSettings

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.server, pytest.mark.slow]

FIRST = {
    "palm-levy": (
        "Palm oil export levy raised",
        "Indonesia raised its crude palm oil export levy to 10 percent to "
        "fund the biodiesel programme. Exporters expect shipments to India to slow.",
    ),
    "nikel-smelter": (
        "Smelter nikel baru di Sulawesi",
        "Sebuah smelter nikel baru mulai beroperasi di Morowali, "
        "Sulawesi Tengah. Kapasitasnya 60 ribu ton per tahun.",
    ),
    "port-dwelling": (
        "Port dwelling time falls",
        "Average container dwelling time at Tanjung Priok fell to 2.8 days after the customs system upgrade.",
    ),
}
# Enough extra text that the second run is still embedding when the server goes down.
SECOND = {
    f"warehouse-{n:02d}": (
        f"Warehouse number {n} opens",
        f"A logistics firm opened warehouse number {n} with "
        f"{n * 1000} square metres of cold storage. It serves {n + 3} regional retailers.",
    )
    for n in range(1, 25)
}


def _write_briefs(folder: Path, briefs: dict[str, tuple[str, str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for brief_id, (title, text) in briefs.items():
        front = {"id": brief_id, "title": title, "source": "Test Wire", "published": "2025-06-01"}
        (folder / f"{brief_id}.md").write_text(
            f"---\n{yaml.safe_dump(front)}---\n\n{text}\n", encoding="utf-8"
        )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    """Our own server (not the session one): these tests stop and restart it."""
    with running_chroma(tmp_path_factory.mktemp("chroma-restart") / "data") as srv:
        yield srv


@pytest.fixture(scope="module")
def settings(server: ChromaServer, tmp_path_factory: pytest.TempPathFactory) -> StoreSettings:
    data_dir = tmp_path_factory.mktemp("server-mode-data")
    return StoreSettings(
        data_dir=data_dir, chroma_host=server.host, chroma_port=server.port, collection="srvtest"
    )


@pytest.fixture(scope="module")
def brief_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One curated folder (one ingest scope) that the tests add files to."""
    return tmp_path_factory.mktemp("briefs")


@pytest.fixture(scope="module")
def library(settings: StoreSettings) -> Iterator[BriefLibrary]:
    lib = open_library(settings)
    try:
        yield lib
    finally:
        lib.close()


@dataclass(frozen=True)
class Deployment:
    server: ChromaServer
    settings: StoreSettings
    library: BriefLibrary
    folder: Path


@pytest.fixture(scope="module")
def deployment(
    server: ChromaServer, settings: StoreSettings, library: BriefLibrary, brief_folder: Path
) -> Deployment:
    return Deployment(server, settings, library, brief_folder)


def _ingest_env(settings: StoreSettings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEFBOT_")}
    env.update(
        PYTHONPATH=str(ROOT),
        BRIEFBOT_STORE__DATA_DIR=str(settings.data_dir),
        BRIEFBOT_STORE__CHROMA_HOST=str(settings.chroma_host),
        BRIEFBOT_STORE__CHROMA_PORT=str(settings.chroma_port),
        BRIEFBOT_STORE__COLLECTION=settings.collection,
    )
    return env


def _start_ingest(settings: StoreSettings, folder: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "ingest", "--json", str(folder)],
        env=_ingest_env(settings),
        cwd=settings.data_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _events(lines: list[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in lines if line.startswith("{")]


def _summary(lines: list[str]) -> dict[str, Any] | None:
    found = [e for e in _events(lines) if e.get("event") == "summary"]
    return found[-1] if found else None


def _stored_ids(library: BriefLibrary) -> set[str]:
    return {info.id for info in library.list_briefs()}


def _probe_command(port: int) -> list[str]:
    """compose.yaml's Chroma healthcheck, with compose's `$$` escape undone and the port made ours."""
    spec = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    test = [
        part.replace("$$", "$").replace("/8000", f"/{port}")
        for part in spec["services"]["chroma"]["healthcheck"]["test"]
    ]
    assert test[0] == "CMD"
    return test[1:]


def test_compose_healthcheck_probe_tells_up_from_down(server: ChromaServer) -> None:
    probe = _probe_command(server.port)
    assert subprocess.run(probe, capture_output=True, timeout=10, check=False).returncode == 0
    closed = _probe_command(free_port())
    assert subprocess.run(closed, capture_output=True, timeout=10, check=False).returncode != 0


def test_ingest_then_search_through_the_server(
    settings: StoreSettings, library: BriefLibrary, brief_folder: Path
) -> None:
    _write_briefs(brief_folder, FIRST)
    proc = _start_ingest(settings, brief_folder)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    summary = _summary(out.splitlines())
    assert summary is not None and sorted(summary["added"]) == sorted(FIRST)
    assert _stored_ids(library) == set(FIRST)
    top = library.search("palm oil export levy for biodiesel", k=3)
    assert top and top[0].brief.id == "palm-levy"


def test_restart_mid_ingest_loses_nothing_reported_and_library_reconnects(
    deployment: Deployment, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server, settings, library, brief_folder = (
        deployment.server,
        deployment.settings,
        deployment.library,
        deployment.folder,
    )
    reported_before = _stored_ids(library)
    assert reported_before == set(FIRST), "runs after test_ingest_then_search_through_the_server"
    _write_briefs(brief_folder, SECOND)  # the curator adds files; the next run syncs the folder

    proc = _start_ingest(settings, brief_folder)
    assert proc.stdout is not None
    lines: list[str] = []
    for line in proc.stdout:  # stop the server as soon as the run starts embedding
        lines.append(line)
        if '"embedding"' in line:
            break
    server.stop()
    rest, err = proc.communicate(timeout=300)
    lines += rest.splitlines()
    interrupted = _summary(lines)
    assert proc.returncode in (0, 1), err
    assert "Traceback" not in err, "an outage must end in a clear message, not a crash"
    if proc.returncode == 1:  # the usual case: the server went away while the run was embedding
        assert "not reachable" in err

    # While the server is down: a polite error from the library, an unhealthy probe.
    with pytest.raises(StoreUnavailable):
        library.search("palm oil levy")
    for key, value in _ingest_env(settings).items():
        if key.startswith("BRIEFBOT_"):
            monkeypatch.setenv(key, value)
    monkeypatch.delenv("BRIEFBOT_STORE__CHROMA_PATH", raising=False)
    assert health_main([]) == 1
    assert "not reachable" in capsys.readouterr().out

    server.start()
    deadline = time.monotonic() + 30
    while True:  # the same library object, not a new one
        try:
            after = _stored_ids(library)
            break
        except StoreUnavailable:
            assert time.monotonic() < deadline, "the library did not reconnect to the restarted server"
            time.sleep(0.5)
    reported = set(reported_before)
    if interrupted is not None:
        reported |= set(interrupted["added"]) | set(interrupted["updated"]) | set(interrupted["unchanged"])
    assert reported <= after, f"lost after restart: {sorted(reported - after)}"
    assert library.search("palm oil export levy for biodiesel", k=3)[0].brief.id == "palm-levy"
    assert health_main([]) == 0

    # Running the job again completes the interrupted work; what was already there is not re-embedded.
    proc = _start_ingest(settings, brief_folder)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    summary = _summary(out.splitlines())
    assert summary is not None and not summary["failed"]
    assert set(FIRST) <= set(summary["unchanged"])
    assert _stored_ids(library) == set(FIRST) | set(SECOND)
    assert library.search("warehouse number 7 cold storage", k=3)[0].brief.id == "warehouse-07"
