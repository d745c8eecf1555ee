"""The job's log never shows configured secrets, and stays on stderr (stdout carries the JSON lines)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from ingest.logs import configure_logging
from ingest.settings import IngestSettings


@pytest.fixture
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.usefixtures("restore_root_logger")
def test_secrets_are_masked_and_logs_go_to_stderr(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BRIEFBOT_STORE__CHROMA_TOKEN", "tok-very-secret-123")
    monkeypatch.setenv("BRIEFBOT_LOG_FORMAT", "json")
    configure_logging(IngestSettings())  # type: ignore[call-arg]

    logging.getLogger("ingest.test").warning("fetch failed url=%s", "http://h/?token=tok-very-secret-123")

    out, err = capsys.readouterr()
    assert out == ""
    assert "tok-very-secret-123" not in err
    assert '"message": "fetch failed url=http://h/?token=<redacted>"' in err
