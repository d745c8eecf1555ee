"""Generated answers as data: the prompt, the JSON schema of a reply, and a tolerant reader of replies.

The model is asked for `{"answer": [{"passages": [n], "<sentence key>": "..."}], "not_in_passages": bool}`
(through the endpoint's structured-output support where it has one; see `llm.py`), never for prose with
inline [n] markers, which small models reduce to a bare "[2]". The sentence key names the asker's language
("sentence_in_english"), which steers small models to answer in it. Replies are read tolerantly: JSON inside
code fences or chatter, a bare list, and, failing JSON altogether, plain sentences with [n] markers.
`partial_sentences` reads an unfinished reply, so the text can be shown while it streams.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from bot.answering.citations import strip_markers
from bot.answering.sentence_vectors import PassageSentences
from store.sentences import split_sentences

MAX_STATEMENTS = 4
_DOUBLE_QUOTE = re.compile('["\u201c\u201d\u201e]')
_LANGUAGE_NAMES = {"id": "Indonesian (Bahasa Indonesia)", "en": "English"}
_SENTENCE_KEYS = {"en": "sentence_in_english", "id": "kalimat_dalam_bahasa_indonesia"}
_REFUSAL = re.compile(
    r"(don't know|do not know|not (mentioned|stated|provided|specified)|do(es)? not (say|mention|contain)|"
    r"no information|tidak (tahu|disebutkan|dijelaskan|ada informasi)|tidak menyebutkan)",
    re.I,
)


@dataclass(frozen=True)
class DraftStatement:
    text: str
    passages: list[int]
    """1-based numbers of the passages the model says the sentence rests on (unchecked)."""


@dataclass
class Draft:
    """What a reply says, before verification."""

    statements: list[DraftStatement] = field(default_factory=list)
    declined: bool = False
    """The model says the passages do not answer the question."""
    structured: bool = True
    """False when the reply was not JSON and was read as plain sentences."""


def sentence_key(lang: str) -> str:
    return _SENTENCE_KEYS.get(lang, "sentence")


def schema(lang: str, passages: int) -> dict[str, Any]:
    """JSON schema of a reply over `passages` numbered passages (llama.cpp turns it into a grammar)."""
    item = {
        "type": "object",
        "properties": {
            "passages": {
                "type": "array",
                "items": {"type": "integer", "enum": list(range(1, passages + 1))},
                "minItems": 1,
                "maxItems": 3,
            },
            sentence_key(lang): {"type": "string"},
        },
        "required": ["passages", sentence_key(lang)],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {
            "answer": {"type": "array", "items": item, "maxItems": MAX_STATEMENTS},
            "not_in_passages": {"type": "boolean"},
        },
        "required": ["answer", "not_in_passages"],
        "additionalProperties": False,
    }


@dataclass(frozen=True)
class Lead:
    """A sentence the reader found answering the question, pointed out to the model."""

    passage: int
    """1-based number of its passage in the prompt."""
    sentence: str
    phrase: str | None = None
    """The answer phrase inside it, where the reader is confident."""


def build_prompt(
    question: str, lang: str, groups: list[PassageSentences], leads: list[Lead] | None = None
) -> tuple[str, str]:
    """(system, user) messages: numbered passages with their brief's title, publisher and date, and the
    sentences the reader found answering (`leads`): a small model told where the answer is restates it
    instead of the first sentence on the topic."""
    language = _LANGUAGE_NAMES.get(lang, "the language of the question")
    key = sentence_key(lang)
    system = (
        "You answer questions using only the numbered news passages you are given. Reply with a JSON "
        f'object only. Its "answer" is a list of items; each item has "{key}": one short sentence in '
        f'{language} that states a fact from the passages, and "passages": the numbers of the passages that '
        "sentence comes from. Keep names and numbers exactly as the passages give them; translate scale "
        "words correctly (juta = million, miliar = billion, triliun = trillion). Give at most "
        f'{MAX_STATEMENTS - 1} items, the one that answers the question first. Set "not_in_passages" to '
        'true, with an empty "answer", only if the passages do not answer the question.'
    )
    blocks = []
    for number, group in enumerate(groups, 1):
        brief = group.passage.brief
        meta = ", ".join(x for x in (brief.title, brief.source, str(brief.published or "")) if x)
        blocks.append(f"[{number}] ({meta})\n{plain_quotes(group.passage.text.strip())}")
    pointers = "".join(f"\n{_pointer(lead)}" for lead in leads or [])
    user = (
        "Passages:\n\n"
        + "\n\n".join(blocks)
        + f"\n\nQuestion: {question}{pointers}\nAnswer in {language}, as JSON with the passage numbers."
    )
    return system, user


def _pointer(lead: Lead) -> str:
    said = f'Passage [{lead.passage}] answers it in this sentence: "{plain_quotes(lead.sentence.strip())}"'
    return said + (f' (the answer: "{plain_quotes(lead.phrase)}").' if lead.phrase else ".")


def plain_quotes(text: str) -> str:
    """`text` with double quotes (straight or typographic) made single. A small model copying
    `divisi "superintelligence"` into a JSON string wrote the quote unescaped, which ends the string there
    (the grammar then closes the reply): the sentence arrived cut off at the name that answered the question.
    Typographic quotes did not help: translating, the model made them straight again; single ones it keeps.
    """
    return _DOUBLE_QUOTE.sub("'", text)


def is_refusal(text: str) -> bool:
    """Plain text saying the passages do not answer (and saying little else)."""
    return bool(_REFUSAL.search(text)) and len(split_sentences(text)) <= 2


def parse(reply: str, lang: str) -> Draft:
    """Read a whole reply: JSON where there is any, plain marked sentences otherwise."""
    data = first_json(reply)
    if isinstance(data, list):
        data = {"answer": data}
    if isinstance(data, dict):
        items = data.get("answer")
        items = items if isinstance(items, list) else []
        statements = [s for s in (_statement(item, lang) for item in items) if s is not None]
        declined = bool(data.get("not_in_passages")) and not statements
        return Draft(statements[:MAX_STATEMENTS], declined)
    drafts = [strip_markers(s.text) for s in split_sentences(reply)]
    statements = [DraftStatement(t, n) for t, n in drafts if t and not _REFUSAL.search(t)]
    return Draft(statements[:MAX_STATEMENTS], not statements and is_refusal(reply), structured=False)


def translations(reply: str) -> list[str]:
    """The strings of a `{"translations": [...]}` reply (or of a bare list), in order."""
    data = first_json(reply)
    items = data.get("translations") if isinstance(data, dict) else data
    return [x.strip() for x in items if isinstance(x, str) and x.strip()] if isinstance(items, list) else []


def first_json(text: str) -> Any:
    decoder = json.JSONDecoder()
    for match in re.finditer(r"[\[{]", text):
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except ValueError:
            continue
        if isinstance(value, dict) or (
            isinstance(value, list) and value and all(isinstance(v, dict | str) for v in value)
        ):
            return value  # a list of numbers is a "[1]" marker, not a reply
    return None


def _statement(item: object, lang: str) -> DraftStatement | None:
    if isinstance(item, str):
        text, numbers = strip_markers(item)
        return DraftStatement(text, numbers) if text else None
    if not isinstance(item, dict):
        return None
    value = item.get(sentence_key(lang))
    if not isinstance(value, str):  # another key for the sentence: take the first string there is
        value = next((v for v in item.values() if isinstance(v, str)), "")
    text, marked = strip_markers(value)
    cited = item.get("passages", [])
    cited = cited if isinstance(cited, list) else [cited]
    numbers = [int(n) for n in cited if isinstance(n, int | str) and str(n).strip().isdigit()]
    return DraftStatement(text, numbers + marked) if text else None


_STRING_START = re.compile(r'"(?:sentence[a-z_]*|kalimat[a-z_]*|text)"\s*:\s*"')
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "/": "/", "b": "", "f": "", "r": ""}


def partial_sentences(buffer: str) -> list[str]:
    """The sentences of an unfinished JSON reply so far (the last one possibly cut short)."""
    found = []
    for match in _STRING_START.finditer(buffer):
        chars: list[str] = []
        at = match.end()
        while at < len(buffer):
            char = buffer[at]
            if char == '"':
                break
            if char == "\\":
                if at + 1 >= len(buffer):
                    break
                code = buffer[at + 1]
                if code == "u":
                    digits = buffer[at + 2 : at + 6]
                    if len(digits) < 4:
                        break
                    chars.append(chr(int(digits, 16)) if re.fullmatch(r"[0-9a-fA-F]{4}", digits) else "")
                    at += 6
                    continue
                chars.append(_ESCAPES.get(code, code))
                at += 2
                continue
            chars.append(char)
            at += 1
        text = "".join(chars).strip()
        if text:
            found.append(text)
    return found
