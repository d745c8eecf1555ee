"""Operator commands: `python -m store stats [--json]` and `python -m store list [--scope S] [--json]`."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from typing import Any

from logsetup import configure_logging
from store.errors import StoreError
from store.library import open_library
from store.settings import BriefbotSettings
from store.settings_errors import EXIT_BAD_SETTINGS, BadSettings, load_settings


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _print_stats(stats: dict[str, Any]) -> None:
    print(f"collection      {stats['collection']}")
    print(f"embedding model {stats['embedding_model']}")
    print(f"briefs          {stats['briefs']}")
    print(f"chunks          {stats['chunks']}")
    print(f"last indexed    {stats['last_indexed'] or 'never'}")
    for key, label in (("by_lang", "languages"), ("by_source", "sources")):
        counts = ", ".join(
            f"{name or '?'} {n}" for name, n in sorted(stats[key].items(), key=lambda kv: -kv[1])
        )
        print(f"{label:<15} {counts or '-'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m store", description="Inspect the brief index.")
    sub = parser.add_subparsers(dest="command", required=True)
    stats = sub.add_parser("stats", help="counts, embedding model, last index time")
    stats.add_argument("--json", action="store_true", help="one JSON object on stdout")
    listing = sub.add_parser("list", help="indexed briefs, newest first")
    listing.add_argument("--scope", help="only briefs of this sync scope (a folder, a feed, a channel)")
    listing.add_argument("--json", action="store_true", help="one JSON object per brief on stdout")
    args = parser.parse_args(argv)

    try:
        settings = load_settings(BriefbotSettings)
    except BadSettings as exc:
        print(exc.message(), file=sys.stderr)
        return EXIT_BAD_SETTINGS
    # The shared setup, not basicConfig: it scrubs the Chroma token and API key from every line.
    configure_logging(settings.log_level, settings.log_format, secrets=settings.store.secret_values())
    try:
        library = open_library(settings.store)
        try:
            if args.command == "stats":
                data = _jsonable(asdict(library.stats()))
                print(json.dumps(data, ensure_ascii=False)) if args.json else _print_stats(data)
            else:
                for info in library.list_briefs(args.scope):
                    row = _jsonable(asdict(info))
                    if args.json:
                        print(json.dumps(row, ensure_ascii=False))
                    else:
                        print(
                            f"{row['published'] or '----------'}  {info.lang:<3} "
                            f"{info.source[:18]:<18} {info.id}  {info.title}"
                        )
        finally:
            library.close()
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
