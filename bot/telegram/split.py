"""Split Telegram HTML into messages of at most 4,096 UTF-16 code units, each one valid HTML on its own.

Telegram counts message length in UTF-16 code units, so an emoji counts twice. A cut never falls inside a tag
or an entity (`&amp;`); tags still open at a cut are closed at the end of one part and reopened at the start
of the next, so formatting and links survive the split. Cuts prefer paragraph ends, then line ends, then
sentence ends, then spaces; a single word longer than a message is cut between characters as a last resort.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TELEGRAM_LIMIT = 4096

_ATOM = re.compile(r"<[^>]*>|&#?\w+;|\n\n|\n|[^<&\n]*?(?:[.!?…]+[ \t]+|[ \t]+|(?=[<&\n])|$)")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][\w-]*)")

# Break priorities: how good a place to cut is *after* an atom.
_PARAGRAPH, _LINE, _SENTENCE, _SPACE, _NONE = 4, 3, 2, 1, 0


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: characters outside the BMP take two units."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class _Atom:
    text: str
    kind: str  # "open", "close", "text"
    priority: int


def _atoms(html: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    for match in _ATOM.finditer(html):
        piece = match.group(0)
        if not piece:
            continue
        if piece.startswith("</"):
            atoms.append(_Atom(piece, "close", _NONE))
        elif piece.startswith("<"):
            atoms.append(_Atom(piece, "open", _NONE))
        elif piece == "\n\n":
            atoms.append(_Atom(piece, "text", _PARAGRAPH))
        elif piece == "\n":
            atoms.append(_Atom(piece, "text", _LINE))
        elif piece.startswith("&"):
            atoms.append(_Atom(piece, "text", _NONE))
        elif re.search(r"[.!?…]\s+$", piece):
            atoms.append(_Atom(piece, "text", _SENTENCE))
        elif piece[-1].isspace():
            atoms.append(_Atom(piece, "text", _SPACE))
        else:
            atoms.append(_Atom(piece, "text", _NONE))
    return atoms


def _closing(stack: list[str]) -> str:
    return "".join(f"</{_TAG_NAME.match(tag).group(1)}>" for tag in reversed(stack))  # type: ignore[union-attr]


def _hard_pieces(text: str, room: int) -> list[str]:
    """Cut an unbreakable run into pieces of at most `room` units, never between a surrogate pair."""
    pieces, current, size = [], "", 0
    for char in text:
        width = utf16_len(char)
        if size + width > room and current:
            pieces.append(current)
            current, size = "", 0
        current += char
        size += width
    if current:
        pieces.append(current)
    return pieces


def split_html(html: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split `html` into parts of at most `limit` UTF-16 units; short texts come back as one part."""
    if utf16_len(html) <= limit:
        return [html] if _visible(html) else []
    parts: list[str] = []
    opened: list[str] = []  # tags open at the start of the current part, outermost first
    current: list[_Atom] = []
    pending = _atoms(html)

    def size_with(atoms: list[_Atom]) -> int:
        stack = _stack_after(opened, atoms)
        return (
            sum(utf16_len(t) for t in opened)
            + sum(utf16_len(a.text) for a in atoms)
            + utf16_len(_closing(stack))
        )

    def emit(upto: int) -> None:
        nonlocal current, opened
        head, current = current[:upto], current[upto:]
        stack = _stack_after(opened, head)
        text = "".join(opened) + "".join(a.text for a in head).strip() + _closing(stack)
        if _visible(text):
            parts.append(text)
        opened = stack

    while pending:
        atom = pending.pop(0)
        if size_with([*current, atom]) <= limit:
            current.append(atom)
            continue
        cut = _best_cut(current, limit) or len(current)
        if cut:
            emit(cut)
            pending.insert(0, atom)
            continue
        # The atom alone is longer than a message: only a run of text can be; cut it between characters.
        room = max(limit - size_with([]) - utf16_len(_closing(_stack_after(opened, [atom]))), 1)
        pending[0:0] = [_Atom(piece, "text", _SPACE) for piece in _hard_pieces(atom.text, room)]
    if current:
        emit(len(current))
    return parts


def _visible(text: str) -> bool:
    return bool(re.sub(r"<[^>]*>", "", text).strip())


def _stack_after(stack: list[str], atoms: list[_Atom]) -> list[str]:
    result = list(stack)
    for atom in atoms:
        if atom.kind == "open":
            result.append(atom.text)
        elif atom.kind == "close" and result:
            result.pop()
    return result


def _best_cut(current: list[_Atom], limit: int) -> int:
    """Index just after the best break: the strongest in the second half of the part, else the last one."""
    breaks: list[tuple[int, int, int]] = []  # (priority, index, filled)
    filled = 0
    for index, atom in enumerate(current, start=1):
        filled += utf16_len(atom.text)
        if atom.priority > _NONE:
            breaks.append((atom.priority, index, filled))
    late = [b for b in breaks if b[2] >= limit // 2]
    if late:
        return max(late)[1]
    return breaks[-1][1] if breaks else 0
