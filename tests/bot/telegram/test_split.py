"""`split_html` on many generated messages (nested tags, links, emoji, entities, words longer than a message):
every part is one that Telegram accepts (within the limit, tags balanced) and no visible character is lost."""

from __future__ import annotations

import random
import re

import pytest

from bot.telegram.split import split_html, utf16_len
from tests.bot.telegram.html_check import telegram_html_problems, visible_text

# ---------------------------------------------------------------- generated messages

_WORDS = (  # noqa: SIM905 (one line of words reads better than 28 list items)
    "Telkomsel meluncurkan jaringan 5G di Jakarta OpenAI stopped working with Scale AI [1] [2] Rp 7 miliar "
    "😀 🇮🇩 👍🏽 naïve café “quoted” — x 1.5% e.g. U.S."
).split()
_ENTITIES = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#128512;"]
_GAPS = [" ", " ", " ", " ", "  ", "\t", ". ", "! ", "? ", "… ", ".\t", "\n", "\n\n", ", "]
_TAGS = [
    ("<b>", "</b>"),
    ("<i>", "</i>"),
    ("<code>", "</code>"),
    ("<pre>", "</pre>"),
    ("<blockquote>", "</blockquote>"),
    ('<a href="https://example.com/brief?id=42&amp;lang=id">', "</a>"),
    ('<a href="tg://user?id=7">', "</a>"),
]


def _long_word(rng: random.Random, limit: int) -> str:
    """A run with no break in it, sometimes longer than a whole message (and sometimes all emoji)."""
    alphabet = rng.choice(["abcdefghij", "😀👍🇮", "aé😀-"])
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(limit // 3, limit * 2)))


def _content(rng: random.Random, budget: int, depth: int, limit: int) -> str:
    out: list[str] = []
    size = 0
    while size < budget:
        roll = rng.random()
        if roll < 0.08 and depth < 3:
            start, end = rng.choice(_TAGS)
            piece = start + _content(rng, rng.randint(5, budget // 2 + 5), depth + 1, limit) + end
        elif roll < 0.11:
            piece = _long_word(rng, limit)
        elif roll < 0.18:
            piece = rng.choice(_ENTITIES)
        elif roll < 0.55:
            piece = rng.choice(_WORDS)
        else:
            piece = rng.choice(_GAPS)
        out.append(piece)
        size += len(piece)
    return "".join(out)


def _generated(seed: int) -> tuple[str, int]:
    rng = random.Random(seed)
    # Limits stay well above three nested links' worth of tags, where splitting still makes sense.
    limit = rng.choice([300, 350, 500, 777, 1000, 4096])
    html = _content(rng, rng.randint(limit // 2, limit * 6), 0, limit)
    return html, limit


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _assert_valid_split(html: str, limit: int) -> list[str]:
    parts = split_html(html, limit)
    for part in parts:
        assert utf16_len(part) <= limit
        assert [p for p in telegram_html_problems(part) if "UTF-16" not in p] == []
    assert _squash("".join(visible_text(p) for p in parts)) == _squash(visible_text(html))
    return parts


SEEDS = range(400)


@pytest.mark.parametrize("seed", SEEDS)
def test_every_part_is_valid_and_nothing_visible_is_lost(seed: int) -> None:
    _assert_valid_split(*_generated(seed))


def test_generated_messages_cover_the_hard_cases() -> None:
    """The generator really produces what the property test is meant to exercise."""
    cases = [_generated(seed) for seed in SEEDS]
    split = [(html, limit) for html, limit in cases if utf16_len(html) > limit]
    assert len(split) > 300
    assert sum(1 for html, _ in split if "<a href" in html and "<pre>" in html and "&amp;" in html) > 50
    assert sum(1 for html, limit in split if any(len(w) > limit for w in re.split(r"[\s<>]", html))) > 30
    assert sum(1 for html, _ in split if re.search(r"(<\w+[^>]*>[^<]*){3}", html)) > 50  # nested three deep
    assert sum(1 for html, _ in cases if "😀" in html) > 300


def test_real_answer_shapes_split_into_valid_parts() -> None:
    answer = "\n\n".join(
        f'<b>[{n}]</b> <a href="https://x.id/{n}?a=1&amp;b=2">Ringkasan {n}</a> — ZONA, 2025-06-1{n % 9}\n'
        f"<blockquote>{'Kalimat panjang tentang Telkomsel &amp; 5G 😀. ' * (n % 7 + 3)}</blockquote>"
        for n in range(1, 120)
    )
    for limit in (4096, 1000):
        assert len(_assert_valid_split(answer, limit)) > 3
