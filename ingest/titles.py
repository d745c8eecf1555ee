"""A readable title for a brief that came without one, taken from its first sentence."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")
# "OpenAI, perusahaan di balik ChatGPT, menyatakan…": an aside between commas right after a short subject.
_APPOSITIVE = re.compile(r"^([^,]{2,40}?),\s[^,]{3,80},\s(?=\w)")
_MAX_CHARS = 90
_MIN_CLAUSE_CHARS = 30


def derive_title(text: str, max_chars: int = _MAX_CHARS) -> str:
    """First sentence, minus a leading aside, cut at a clause or word boundary to at most `max_chars`."""
    first_line = next((line.strip() for line in text.split("\n") if line.strip()), "")
    sentence = _SENTENCE_END.split(first_line, maxsplit=1)[0].strip().rstrip(".!?")
    subject = _APPOSITIVE.match(sentence)
    if subject:
        sentence = f"{subject.group(1)} {sentence[subject.end() :]}"
    if len(sentence) <= max_chars:
        return sentence
    head = sentence[: max_chars + 1]
    comma = head.rfind(",")
    if comma >= _MIN_CLAUSE_CHARS:
        return head[:comma].rstrip()
    space = head.rfind(" ")
    return (head[:space] if space > 0 else head[:max_chars]).rstrip(" ,;:") + "…"
