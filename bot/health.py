"""Health check and operator stats without Telegram: `python -m bot.health [--json]`.

Exit status 0 when the settings load, Chroma answers, the active collection exists, an indexing run has
completed into it, it was built with the configured embedding model, that model's package is installed and the
usage log (if any) reads; 1 otherwise.
The container's HEALTHCHECK runs it every minute, so it loads neither the embedding model nor the keyword
index (see `store.probe`). With `--json` it prints the store's counts, each check's outcome and, if the bot
has answered anything yet, the usage summary: the operator's `/stats` for shells, cron jobs and monitoring.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import asdict
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

import logsetup
from bot.settings import BotSettings
from bot.usage import RecordsError, UsageLog, open_usage
from store.errors import EmbeddingFailed, EmbeddingMismatch, IndexMissing, StoreError, StoreUnavailable
from store.settings_errors import EXIT_BAD_SETTINGS, BadSettings, load_settings

logger = logging.getLogger(__name__)

HEALTHY, UNHEALTHY = 0, 1
CHECKS = ("settings", "chroma", "collection", "embedding_model", "model_package", "usage")
# Which check a store error means failed; the probe runs them in this order and stops at the first failure.
_FAILED_CHECK: tuple[tuple[type[StoreError], str], ...] = (
    (StoreUnavailable, "chroma"),
    (IndexMissing, "collection"),
    (EmbeddingMismatch, "embedding_model"),
    (EmbeddingFailed, "model_package"),
)


class UsageUnreadableError(Exception):
    """The usage database exists but cannot be read."""


def collect(settings: BotSettings) -> dict[str, Any]:
    """Probe the store (raises StoreError when a check fails) and read the usage log if there is one."""
    from store.probe import probe_library

    probe = probe_library(settings.store)
    store = asdict(probe)
    for internal in ("mode", "model_checked", "model_package"):
        store.pop(internal)
    store["chroma"] = probe.mode
    checks = {name: "ok" for name in CHECKS}
    if not probe.model_checked:
        checks["embedding_model"] = checks["model_package"] = "not checked (backend registered at run time)"
    elif probe.model_package is None:
        checks["model_package"] = "not needed (remote backend)"
    report: dict[str, Any] = {"status": "ok", "store": store, "checks": checks}
    usage_path = settings.store.data_dir / "usage.sqlite3"
    # Never create the usage database from a probe: only report it once the bot has written it.
    if settings.records.url is None and not usage_path.exists():
        checks["usage"] = "none yet"
        return report
    try:
        usage: UsageLog = open_usage(settings, upgrade=False)  # a probe reads; the bot migrates
    except RecordsError as exc:
        raise UsageUnreadableError(f"The usage database cannot be read: {exc}") from exc
    try:
        report["usage"] = asdict(usage.summary())
    except SQLAlchemyError as exc:
        raise UsageUnreadableError(
            f"The usage database {usage.where} cannot be read ({type(exc).__name__})."
        ) from exc
    finally:
        usage.close()
    return report


def _failure(check: str, message: str) -> dict[str, Any]:
    return {"status": "error", "error": message, "failed_check": check}


def check(settings: BotSettings) -> tuple[int, dict[str, Any]]:
    try:
        return HEALTHY, collect(settings)
    except StoreError as exc:
        # StoreError messages are written to be shown as they are.
        failed = next((name for kind, name in _FAILED_CHECK if isinstance(exc, kind)), "store")
        return UNHEALTHY, _failure(failed, str(exc))
    except UsageUnreadableError as exc:
        return UNHEALTHY, _failure("usage", str(exc))
    except Exception as exc:  # a probe reports, it does not crash: anything else is unhealthy too
        logger.warning("health probe failed unexpectedly", exc_info=True)
        return UNHEALTHY, _failure("store", f"unexpected error: {type(exc).__name__}")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _human(report: dict[str, Any]) -> str:
    if report["status"] != "ok":
        return f"unhealthy: {report['error']}"
    store = report["store"]
    lines = [
        f"ok: {_count(store['briefs'], 'brief')}, {_count(store['chunks'], 'chunk')}"
        f" in {store['collection']!r} ({store['chroma']})",
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
    try:
        settings = load_settings(BotSettings)
    except BadSettings as exc:
        status, report = EXIT_BAD_SETTINGS, _failure("settings", exc.message())
    else:
        # Quiet (a probe that runs every minute must not flood the container log) and scrubbed of secrets.
        logsetup.configure_logging("WARNING", settings.log_format, secrets=settings.secret_values())
        status, report = check(settings)
    print(json.dumps(report, default=str) if args.json else _human(report))
    return status


if __name__ == "__main__":
    sys.exit(main())
