"""`python -m ingest SOURCE... [--rebuild] [--dry-run] [--json] [--every SECONDS]`: the ingestion job's CLI.

The only place that builds settings, configures logging, opens the store and turns errors into messages.
Exit code 0 when the run completed (even with failed files), 3 when it completed but a whole source could
not be read (a missing folder, a feed that did not answer: its briefs are kept), 1 when it could not run
(store unavailable, another run in progress), 2 when the settings are bad.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import Any

from ingest.lock import one_run_at_a_time
from ingest.logs import configure_logging
from ingest.report import BarProgress, JsonProgress, error_line, human_summary, silent_progress, summary_line
from ingest.runner import run
from ingest.schedule import KeptOpen, StopRequest, install_stop_handlers, repeat
from ingest.settings import IngestSettings
from store.errors import StoreError
from store.settings_errors import EXIT_BAD_SETTINGS, BadSettings, load_settings
from store.types import EXIT_SOURCES_UNREADABLE, Progress

logger = logging.getLogger("ingest")

EXIT_OK = 0
EXIT_CANNOT_RUN = 1


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m ingest",
        description="Load briefs from folders, files, feeds and article URLs into the brief library.",
    )
    parser.add_argument(
        "sources", nargs="*", metavar="SOURCE", help="folder, file, RSS/Atom feed URL or article URL "
        "(default: BRIEFBOT_INGEST__SOURCES)"
    )  # fmt: skip
    parser.add_argument(
        "--rebuild", action="store_true", help="write a fresh collection, switch when complete"
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="load and clean, report what would change, write nothing"
    )
    parser.add_argument(
        "--json", action="store_true", help="one JSON object per line on stdout (for /reindex)"
    )
    parser.add_argument(
        "--wait",
        action="store_true",
        help="when another ingest run holds the store, wait for it instead of exiting",
    )
    parser.add_argument(
        "--every",
        type=float,
        metavar="SECONDS",
        help="keep running: re-sync every SECONDS until SIGTERM/Ctrl-C",
    )
    args = parser.parse_args(argv)
    if args.every is not None and args.every <= 0:
        parser.error("--every needs a positive number of seconds")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = load_settings(IngestSettings)
    except BadSettings as exc:
        _fail(args.json, exc.message())
        return EXIT_BAD_SETTINGS
    configure_logging(settings)
    sources = list(args.sources or settings.ingest.sources)
    stop = StopRequest()
    # One library for every pass of a schedule: the embedding model is loaded once, not once per pass.
    library: KeptOpen[Any] = KeptOpen(lambda: _open_library(settings, dry_run=args.dry_run))

    def one_pass() -> int:
        return _run_once(settings, sources, args, stop, library)

    try:
        if args.every is None:
            try:
                return one_pass()
            except KeyboardInterrupt:
                _fail(args.json, "Interrupted; briefs written so far are kept, re-run to finish.")
                return EXIT_CANNOT_RUN
        install_stop_handlers(stop)
        return repeat(one_pass, args.every, stop)
    finally:
        library.drop()
        stop.close()


def _run_once(
    settings: IngestSettings,
    sources: list[str],
    args: argparse.Namespace,
    stop: StopRequest,
    library: KeptOpen[Any],
) -> int:
    progress = _progress(args.json)
    try:
        store = library.get()
        with one_run_at_a_time(None if args.dry_run else store, wait=args.wait, progress=progress):
            report = run(
                store,
                sources,
                settings.ingest,
                rebuild=args.rebuild,
                dry_run=args.dry_run,
                progress=progress,
                stop=stop,
            )
    except StoreError as exc:
        library.drop()  # the next pass reconnects: the server may be back by then
        logger.error("ingestion could not run error=%s", type(exc).__name__)
        _fail(args.json, str(exc))
        return EXIT_CANNOT_RUN
    except BaseException:
        library.drop()  # whatever broke may have left the library unusable; `repeat` logs it and goes on
        raise
    finally:
        if isinstance(progress, BarProgress):
            progress.close()
    if args.json:
        print(summary_line(report, dry_run=args.dry_run), flush=True)
    else:
        print(human_summary(report, dry_run=args.dry_run), flush=True)
    return EXIT_SOURCES_UNREADABLE if report.unreadable else EXIT_OK


def _open_library(settings: IngestSettings, *, dry_run: bool) -> Any:
    """The store; None for a dry run when no local store exists yet, so that nothing gets created."""
    store = settings.store
    if dry_run and not store.chroma_host and not store.resolved_chroma_path().exists():
        return None
    from store.library import open_library

    return open_library(store)


def _progress(as_json: bool) -> Progress:
    if as_json:
        return JsonProgress()
    if sys.stderr.isatty():
        return BarProgress()
    return silent_progress


def _fail(as_json: bool, message: str) -> None:
    if as_json:
        print(error_line(message), flush=True)
    print(f"python -m ingest: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
