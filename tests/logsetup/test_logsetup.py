"""Operators read these logs: JSON lines parse, facts from `extra=` survive, and secrets never appear."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import httpx
import pytest

from logsetup import REDACTED, configure_logging

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0"


@pytest.fixture
def captured() -> Iterator[tuple[io.StringIO, list[logging.Handler]]]:
    """Run each test with a fresh root configuration and restore the previous one afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    saved_levels = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    root.handlers = []
    stream = io.StringIO()
    installed: list[logging.Handler] = []
    yield stream, installed
    for handler in installed:
        root.removeHandler(handler)
    root.handlers, root.level = saved_handlers, saved_level
    for name, level in saved_levels.items():
        logging.getLogger(name).setLevel(level)


def test_json_lines_carry_message_level_and_extra_facts(
    captured: tuple[io.StringIO, list[logging.Handler]],
) -> None:
    stream, installed = captured
    installed.append(configure_logging("INFO", "json", stream=stream))
    log = logging.getLogger("bot.answering")
    log.info("answered chat=%s", 42, extra={"seconds": 0.41, "retrieve_s": 0.12})
    log.debug("not shown at INFO")
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["message"] == "answered chat=42"
    assert entry["level"] == "INFO"
    assert entry["logger"] == "bot.answering"
    assert entry["seconds"] == 0.41 and entry["retrieve_s"] == 0.12
    assert entry["ts"].endswith("+00:00")


def test_text_format_appends_facts_as_key_value(captured: tuple[io.StringIO, list[logging.Handler]]) -> None:
    stream, installed = captured
    installed.append(configure_logging("INFO", "text", stream=stream))
    logging.getLogger("ingest").warning("sync done", extra={"added": 3})
    line = stream.getvalue().strip()
    assert "WARNING ingest: sync done added=3" in line


def test_tokens_and_keys_are_scrubbed_everywhere(captured: tuple[io.StringIO, list[logging.Handler]]) -> None:
    stream, installed = captured
    installed.append(configure_logging("INFO", "json", secrets=["sk-local-llm-key-1234"], stream=stream))
    log = logging.getLogger("bot.telegram")
    log.info("calling https://api.telegram.org/bot%s/getMe", TOKEN)
    log.info("llm key %s", "sk-local-llm-key-1234", extra={"url": f"/bot{TOKEN}/sendMessage"})
    log.info("headers Authorization: Bearer abc.def.ghi")
    try:
        raise RuntimeError(f"request to /bot{TOKEN}/getUpdates failed")
    except RuntimeError:
        log.exception("polling failed")
    text = stream.getvalue()
    assert TOKEN not in text
    assert "sk-local-llm-key-1234" not in text
    assert "abc.def.ghi" not in text
    entries = [json.loads(line) for line in text.splitlines()]
    assert len(entries) == 4
    assert all(REDACTED in json.dumps(entry) for entry in entries)
    assert "RuntimeError" in entries[-1]["exc"]


def test_configuring_twice_does_not_duplicate_lines(
    captured: tuple[io.StringIO, list[logging.Handler]],
) -> None:
    stream, installed = captured
    installed.append(configure_logging("INFO", "text", stream=stream))
    installed.append(configure_logging("INFO", "text", stream=stream))
    logging.getLogger("bot").info("once")
    assert stream.getvalue().count("once") == 1


class _Ok(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:  # the server's own stderr chatter
        pass


def test_http_client_request_lines_with_the_token_stay_out(
    captured: tuple[io.StringIO, list[logging.Handler]],
) -> None:
    """httpx logs every request URL at INFO; Bot API URLs contain the token."""
    stream, installed = captured
    installed.append(configure_logging("DEBUG", "text", stream=stream))
    server = HTTPServer(("127.0.0.1", 0), _Ok)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        response = httpx.get(f"http://127.0.0.1:{server.server_port}/bot{TOKEN}/getMe")
        assert response.status_code == 200
    finally:
        server.shutdown()
        server.server_close()
    assert TOKEN not in stream.getvalue()
    assert "getMe" not in stream.getvalue()
