"""Health check and operator stats without Telegram: `python -m bot.health [--json]`.

Exit status 0 when the settings load and the brief library answers, 1 otherwise; the container's HEALTHCHECK
runs it. With `--json` it prints the store's counts and, if the bot has answered anything yet, the usage
summary: the operator's `/stats` for shells, cron jobs and monitoring agents.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import asdict
from typing import Any

from pydantic import ValidationError

from bot.settings import BotSettings
from bot.usage import UsageLog
from store.errors import StoreError
from store.settings import settings_problems

logger = logging.getLogger(__name__)

HEALTHY, UNHEALTHY = 0, 1


def collect(settings: BotSettings) -> dict[str, Any]:
    """Ask the store for its counts (raises StoreError when it cannot) and read usage if there is any."""
    from store.library import open_library

    library = open_library(settings.store)
    report: dict[str, Any] = {"status": "ok", "store": asdict(library.stats())}
    usage_path = settings.store.data_dir / "usage.sqlite3"
    # Never create the usage database from a probe: only report it once the bot has written it.
    if usage_path.exists():
        usage = UsageLog(usage_path)
        try:
            report["usage"] = asdict(usage.summary())
        finally:
            usage.close()
    return report


def check() -> tuple[int, dict[str, Any]]:
    try:
        settings = BotSettings()  # type: ignore[call-arg]  # fields come from the environment
    except ValidationError as exc:
        return UNHEALTHY, {"status": "error", "error": f"settings do not load: {settings_problems(exc)}"}
    try:
        return HEALTHY, collect(settings)
    except StoreError as exc:
        # StoreError messages are written to be shown as they are.
        return UNHEALTHY, {"status": "error", "error": str(exc)}


def _human(report: dict[str, Any]) -> str:
    if report["status"] != "ok":
        return f"unhealthy: {report['error']}"
    store = report["store"]
    lines = [
        f"ok: {store['briefs']} briefs, {store['chunks']} chunks in {store['collection']!r}",
        f"model: {store['embedding_model']}, last indexed: {store['last_indexed'] or 'never'}",
    ]
    if "usage" in report:
        usage = report["usage"]
        lines.append(f"questions: {usage['questions']}, not in the briefs: {usage['abstentions']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.health", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    args = parser.parse_args(argv)
    # Quiet by default: a probe that runs every minute must not flood the container log.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    status, report = check()
    print(json.dumps(report, default=str) if args.json else _human(report))
    return status


if __name__ == "__main__":
    sys.exit(main())
