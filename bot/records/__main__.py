"""`python -m bot.records`: manage the records database named by BRIEFBOT_RECORDS__URL.

python -m bot.records upgrade                      create or migrate the schema (the bot also does at start)
python -m bot.records copy-sqlite var/usage.sqlite3   copy an existing SQLite usage file into it (repeatable)
python -m bot.records where                        which database the settings name (password hidden)
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import logsetup
from bot.settings import BotSettings
from bot.usage import RecordsError, open_usage


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.records", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("upgrade", help="create or migrate the schema")
    commands.add_parser("where", help="print the configured database (password hidden)")
    copy = commands.add_parser("copy-sqlite", help="copy a usage.sqlite3 file into the configured database")
    copy.add_argument("path", type=Path, help="the SQLite usage file, e.g. /data/usage.sqlite3")
    args = parser.parse_args(argv)
    settings = BotSettings()  # fields come from the environment
    logsetup.configure_logging("WARNING", settings.log_format, secrets=settings.secret_values())
    try:
        usage = open_usage(settings)
    except RecordsError as exc:
        print(exc, file=sys.stderr)
        return 1
    try:
        if args.command == "where":
            print(usage.where)
        elif args.command == "upgrade":
            print(f"{usage.where}: schema at revision {usage.revision}")
        else:
            from bot.records.copy import copy_sqlite

            if settings.records.url is None:
                print("BRIEFBOT_RECORDS__URL is not set: nothing to copy into.", file=sys.stderr)
                return 2
            try:
                report = copy_sqlite(args.path, usage)
            except FileNotFoundError as exc:
                print(exc, file=sys.stderr)
                return 1
            print(json.dumps({"into": usage.where, **asdict(report)}))
    finally:
        usage.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
