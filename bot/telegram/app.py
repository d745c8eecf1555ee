"""Composition root of the Telegram front end: wires handlers to services and runs polling or a webhook.

On (re)start the backlog is kept but bounded (`bot.telegram.backlog`): questions older than
`backlog_max_age` are skipped, and of the rest only each sender's last question in a chat is answered;
`backlog_max_age=0` drops the whole backlog at Telegram's end. Updates are processed concurrently, so one
slow answer or a running /reindex never holds up other chats; per-user order is kept by the
one-question-at-a-time rule.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from aiohttp import web
from telegram import BotCommand, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest

from bot.coordination import Coordination, namespace_of, open_coordination
from bot.ingest_runner import IngestRunner
from bot.settings import BotSettings
from bot.telegram import admin, ask, buttons, channel, info
from bot.telegram.access import Access
from bot.telegram.backlog import BacklogFilter
from bot.telegram.errors import on_error
from bot.telegram.ports import AnswerEngine, BotLibrary
from bot.telegram.sender import Sender
from bot.telegram.services import BotApp, BotContext, Services
from bot.telegram.settings import TelegramSettings
from bot.telegram.webhook import WebhookServer
from bot.usage import UsageLog, open_usage

logger = logging.getLogger(__name__)

_COMMANDS = [
    BotCommand("ask", "Ask a question / Ajukan pertanyaan"),
    BotCommand("sources", "Briefs I hold / Ringkasan yang tersedia"),
    BotCommand("help", "How to ask / Cara bertanya"),
]


def build_application(
    settings: BotSettings,
    library: BotLibrary,
    answerer: AnswerEngine,
    *,
    usage: UsageLog | None = None,
    runner: IngestRunner | None = None,
    request: BaseRequest | None = None,
    coordination: Coordination | None = None,
) -> BotApp:
    """An Application with every handler wired; `request` replaces the HTTP layer (tests).

    Without `coordination` the configured backend is opened (in-process unless settings name Redis)."""
    tg = settings.telegram
    if tg.token is None:
        raise ValueError("BRIEFBOT_TELEGRAM__TOKEN is not set")
    builder = (
        ApplicationBuilder()
        .token(tg.token.get_secret_value())
        .base_url(tg.base_url)
        .context_types(ContextTypes(context=BotContext))
        .concurrent_updates(True)
        .post_init(_announce_commands)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    app: BotApp = builder.build()  # type: ignore[assignment]
    access = Access(tg)
    namespace = namespace_of(tg.token.get_secret_value())
    if coordination is None:
        coordination = open_coordination(settings.coordination, access, namespace, tg.questions_per_minute)
    app.bot_data["services"] = Services(
        settings=settings,
        library=library,
        answerer=answerer,
        usage=usage or open_usage(settings),
        access=access,
        sender=Sender(app.bot, retries=tg.flood_retries, floods=coordination),
        runner=runner or IngestRunner(),
        coordination=coordination,
        namespace=namespace,
    )
    # Group -1 runs before every handler: the backlog filter drops what must not be answered.
    app.add_handler(TypeHandler(Update, BacklogFilter(tg.backlog_max_age)), group=-1)
    _add_handlers(app, tg.channels)
    return app


def _add_handlers(app: BotApp, channels: list[str]) -> None:
    new_message = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler(["start", "help"], info.on_help, filters=new_message))
    app.add_handler(CommandHandler("ask", ask.on_ask, filters=new_message))
    app.add_handler(CommandHandler("sources", info.on_sources, filters=new_message))
    app.add_handler(CommandHandler("reindex", admin.on_reindex, filters=new_message))
    app.add_handler(CommandHandler("stats", admin.on_stats, filters=new_message))
    if channels:
        curated = filters.Chat(username=[c.lstrip("@") for c in channels])
        app.add_handler(MessageHandler(filters.UpdateType.CHANNEL_POSTS & curated, channel.on_channel_post))
    private = filters.ChatType.PRIVATE & new_message
    app.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, ask.on_private_text))
    app.add_handler(MessageHandler(private & filters.COMMAND, info.on_help))  # unknown commands: show help
    app.add_handler(MessageHandler(private & ~filters.TEXT, _on_private_other))
    app.add_handler(MessageHandler(filters.ChatType.GROUPS & new_message & filters.TEXT, ask.on_group_text))
    app.add_handler(CallbackQueryHandler(buttons.on_passages, pattern=r"^pas:"))
    app.add_handler(CallbackQueryHandler(buttons.on_vote, pattern=r"^vote:"))
    app.add_handler(CallbackQueryHandler(buttons.on_sources_page, pattern=r"^src:"))
    app.add_error_handler(on_error)


async def _on_private_other(update: Update, context: BotContext) -> None:
    """An empty text is a (blank) question; anything else (sticker, photo, voice) is not text at all."""
    message = update.effective_message
    if message is not None and message.text is not None:
        await ask.answer_message(message, context, message.text)
    else:
        await info.on_not_text(update, context)


async def _announce_commands(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    await app.bot.set_my_commands(_COMMANDS)


class AnotherPollerError(Exception):
    """Another process polls Telegram with this token; shown to the operator as it is."""


def serve(
    settings: BotSettings, library: BotLibrary, answerer: AnswerEngine, runner: IngestRunner | None = None
) -> None:
    """Serve Telegram (webhook or polling) with the configured backends until SIGINT or SIGTERM."""
    # Bot API URLs contain the token: keep the HTTP client's request log quiet (the process's log handler,
    # set up in `bot.__main__`, also scrubs the token from anything else).
    logging.getLogger("httpx").setLevel(logging.WARNING)
    app = build_application(settings, library, answerer, runner=runner)
    asyncio.run(_serve(app, settings.telegram))


async def _serve(app: BotApp, tg: TelegramSettings) -> None:
    services: Services = app.bot_data["services"]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    drop_backlog = tg.backlog_max_age == 0
    try:
        async with app:
            await _announce_commands(app)
            await app.start()
            try:
                if tg.webhook_url:
                    await _serve_webhook(app, services, tg, drop_backlog, stop)
                else:
                    await _serve_polling(app, services, tg, drop_backlog, stop)
            finally:
                if services.reindex is not None and not services.reindex.done():
                    services.reindex.cancel()  # its child job is killed; its lock is released
                await app.stop()
    finally:
        await services.coordination.aclose()
        await asyncio.to_thread(services.usage.close)


async def _serve_webhook(
    app: BotApp, services: Services, tg: TelegramSettings, drop_backlog: bool, stop: asyncio.Event
) -> None:
    secret = tg.webhook_secret.get_secret_value() if tg.webhook_secret else None
    server = WebhookServer(app, services.coordination, path=tg.webhook_path, secret=secret)
    runner = web.AppRunner(server.web_app(), access_log=None, handle_signals=False)
    await runner.setup()
    await web.TCPSite(runner, tg.webhook_listen, tg.webhook_port).start()
    logger.info("telegram webhook mode listen=%s port=%s", tg.webhook_listen, tg.webhook_port)
    try:
        # Every replica sets the same URL (the load balancer's); Telegram keeps one, so this is idempotent.
        await app.bot.set_webhook(
            tg.webhook_url,
            secret_token=secret,
            allowed_updates=Update.ALL_TYPES,
            drop_pending_updates=drop_backlog,
            max_connections=tg.webhook_max_connections,
        )
        await stop.wait()
    finally:
        # The webhook stays set: the other replicas keep receiving updates through it.
        await runner.cleanup()


async def _serve_polling(
    app: BotApp, services: Services, tg: TelegramSettings, drop_backlog: bool, stop: asyncio.Event
) -> None:
    lease = await services.coordination.hold_poller()
    if lease is None:
        raise AnotherPollerError(
            "Another briefbot process is already polling Telegram with this bot token (its lease is held in"
            f" Redis and expires {services.settings.coordination.lock_ttl:.0f} s after that process stops)."
            " Run a single polling process, or run every replica in webhook mode behind a load balancer"
            " (set BRIEFBOT_TELEGRAM__WEBHOOK_URL)."
        )
    assert app.updater is not None
    logger.info("telegram polling mode poll_interval=%s", tg.poll_interval)
    try:
        await app.updater.start_polling(
            poll_interval=tg.poll_interval,
            allowed_updates=Update.ALL_TYPES,
            drop_pending_updates=drop_backlog,
        )
        await stop.wait()
        await app.updater.stop()
    finally:
        await lease.release()
