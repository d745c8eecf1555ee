"""`python -m bot`: serve Telegram when a token is set, else chat in the console; `ask` and `chat` directly.

    python -m bot                          run: Telegram if BRIEFBOT_TELEGRAM__TOKEN is set, else console chat
    python -m bot ask "question" [--json]  answer one question and exit
    python -m bot ask --questions FILE     one question per line -> one JSON object per line
    python -m bot chat                     interactive console chat

This is the composition root of the bot process: settings are built once here, logging is configured only
here, and both front ends start through one runtime (`bot.runtime.open_runtime`).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import logsetup
from bot import console
from bot.runtime import open_runtime
from bot.settings import BotSettings
from store.errors import StoreError
from store.settings_errors import EXIT_BAD_SETTINGS, BadSettings, load_settings

logger = logging.getLogger(__name__)

NO_TOKEN_HINT = (
    "No Telegram token configured: chatting in the console. To connect Telegram, create a bot with "
    "@BotFather and set BRIEFBOT_TELEGRAM__TOKEN (in .env or the environment), then run `python -m bot`."
)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Ask the briefs, with cited answers.")
    commands = parser.add_subparsers(dest="command")
    ask = commands.add_parser("ask", help="answer one question (or a file of them) and exit")
    ask.add_argument("question", nargs="?", help="the question, in Indonesian or English")
    ask.add_argument("--json", action="store_true", help="print the whole answer as JSON")
    ask.add_argument("--questions", type=Path, help="file with one question per line; prints JSON lines")
    commands.add_parser("chat", help="interactive console chat")
    commands.add_parser("run", help="Telegram if a token is configured, else console chat (the default)")
    args = parser.parse_args(argv)
    if args.command == "ask" and not (args.question or args.questions):
        parser.error("ask needs a question or --questions FILE")
    return args


def configure_logging(settings: BotSettings, interactive: bool) -> None:
    """Configure logging once for the process, scrubbing every configured secret from every line."""
    # At the console, informational logs would drown the answers; they go to stderr from WARNING up.
    level = "WARNING" if interactive and settings.log_level in ("INFO", "DEBUG") else settings.log_level
    logsetup.configure_logging(level, settings.log_format, secrets=settings.secret_values())


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = load_settings(BotSettings)
    except BadSettings as exc:
        print(exc.message(), file=sys.stderr)
        return EXIT_BAD_SETTINGS
    command = args.command or "run"
    telegram = command == "run" and settings.telegram.token is not None
    configure_logging(settings, interactive=not telegram)
    try:
        if telegram:
            from bot.coordination import CoordinationError
            from bot.runtime import LoggedStart
            from bot.telegram.app import AnotherPollerError, serve
            from bot.usage import RecordsError

            runtime = open_runtime(settings, LoggedStart())
            try:
                serve(settings, runtime.library, runtime.answerer)
            except (AnotherPollerError, CoordinationError, RecordsError) as exc:  # written to be shown as is
                print(exc, file=sys.stderr)
                return 1
            return 0
        # In a chat, sentence vectors are embedded in the background while the first question is typed.
        answerer = open_runtime(settings, console.PrintedStart(), warm_up=command != "ask").answerer
    except StoreError as exc:
        print(console.user_message(exc), file=sys.stderr)
        return 1
    if command == "ask" and args.questions:
        with args.questions.open(encoding="utf-8") as questions:
            return console.ask_many(answerer, questions, sys.stdout)
    if command == "ask":
        return console.ask_once(answerer, args.question, sys.stdout, as_json=args.json)
    console.chat(answerer, input, sys.stdout, greeting=NO_TOKEN_HINT if command == "run" else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
