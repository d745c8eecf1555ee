"""What Telegram would reject in an HTML message: unknown tags, unbalanced tags, over-long text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from bot.telegram.split import TELEGRAM_LIMIT, utf16_len

ALLOWED = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-spoiler",
    "span",
    "tg-emoji",
}


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED:
            self.problems.append(f"tag <{tag}> not allowed")
        if tag == "a" and not any(k == "href" for k, _ in attrs):
            self.problems.append("<a> without href")
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> does not close {self.stack[-1:] or 'anything'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text += data


def telegram_html_problems(html: str) -> list[str]:
    """Empty when `html` is a message Telegram's HTML parser would accept."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    problems = list(checker.problems)
    if checker.stack:
        problems.append(f"unclosed tags {checker.stack}")
    if re.search(r"&(?!#?\w+;)", html) or re.search(r"<(?!/?[a-z-]+[\s>])", html):
        problems.append("a bare & or < outside a tag or entity")
    if utf16_len(html) > TELEGRAM_LIMIT:
        problems.append(f"{utf16_len(html)} UTF-16 units is over the limit")
    if not checker.text.strip():
        problems.append("no visible text")
    return problems


def visible_text(html: str) -> str:
    checker = _Checker()
    checker.feed(html)
    checker.close()
    return checker.text
