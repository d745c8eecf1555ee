"""Split Telegram HTML into messages of at most 4,096 UTF-16 code units, each one valid HTML on its own.

Telegram counts message length in UTF-16 code units, so an emoji counts twice. A cut never falls inside a tag
or an entity (`&amp;`); tags still open at a cut are closed at the end of one part and reopened at the start
of the next, so formatting and links survive the split. Cuts prefer paragraph ends, then line ends, then
sentence ends, then spaces; a single word longer than a message is cut between characters as a last resort.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Sequence
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
    size: int  # UTF-16 units of `text`


def _atom(text: str, kind: str, priority: int) -> _Atom:
    return _Atom(text, kind, priority, utf16_len(text))


def _atoms(html: str) -> list[_Atom]:
    atoms: list[_Atom] = []
    for match in _ATOM.finditer(html):
        piece = match.group(0)
        if not piece:
            continue
        if piece.startswith("</"):
            atoms.append(_atom(piece, "close", _NONE))
        elif piece.startswith("<"):
            atoms.append(_atom(piece, "open", _NONE))
        elif piece == "\n\n":
            atoms.append(_atom(piece, "text", _PARAGRAPH))
        elif piece == "\n":
            atoms.append(_atom(piece, "text", _LINE))
        elif piece.startswith("&"):
            atoms.append(_atom(piece, "text", _NONE))
        elif re.search(r"[.!?…]\s+$", piece):
            atoms.append(_atom(piece, "text", _SENTENCE))
        elif piece[-1].isspace():
            atoms.append(_atom(piece, "text", _SPACE))
        else:
            atoms.append(_atom(piece, "text", _NONE))
    return atoms


def _closer(tag: str) -> str:
    return f"</{_TAG_NAME.match(tag).group(1)}>"  # type: ignore[union-attr]


def _closing(stack: list[str]) -> str:
    return "".join(_closer(tag) for tag in reversed(stack))


def _hard_pieces(text: str, room: int) -> list[str]:
    """Cut an unbreakable run into pieces of at most `room` units, never between a surrogate pair."""
    pieces, current, size = [], "", 0
    for char in text:
        width = 2 if ord(char) > 0xFFFF else 1
        if size + width > room and current:
            pieces.append(current)
            current, size = "", 0
        current += char
        size += width
    if current:
        pieces.append(current)
    return pieces


class _Part:
    """The message being filled, with running UTF-16 sizes, so trying one more atom costs the same however
    long the part already is (recomputing them per atom made splitting quadratic in the message length)."""

    def __init__(self, opened: list[str], atoms: Sequence[_Atom] = ()) -> None:
        self.opened = opened  # tags open at the start of the part, outermost first
        self.atoms: list[_Atom] = []
        self._stack = list(opened)  # tags open after the last atom
        self._closers = [utf16_len(_closer(tag)) for tag in opened]  # size of each one's closing tag
        self._closing = sum(self._closers)
        self._filled = sum(utf16_len(tag) for tag in opened)
        for atom in atoms:
            self.add(atom)

    def size(self) -> int:
        """Size of the part as it would be sent now: reopened tags, atoms, closing tags."""
        return self._filled + self._closing

    def closing_after(self, atom: _Atom) -> int:
        """Size of the closing tags the part would need after `atom`."""
        if atom.kind == "open":
            return self._closing + utf16_len(_closer(atom.text))
        if atom.kind == "close" and self._stack:
            return self._closing - self._closers[-1]
        return self._closing

    def size_with(self, atom: _Atom) -> int:
        return self._filled + atom.size + self.closing_after(atom)

    def add(self, atom: _Atom) -> None:
        self.atoms.append(atom)
        self._filled += atom.size
        if atom.kind == "open":
            self._stack.append(atom.text)
            self._closers.append(utf16_len(_closer(atom.text)))
            self._closing += self._closers[-1]
        elif atom.kind == "close" and self._stack:
            self._stack.pop()
            self._closing -= self._closers.pop()

    def cut(self, upto: int) -> tuple[str, _Part]:
        """The HTML of the first `upto` atoms as a message, and a part holding the rest."""
        head = self.atoms[:upto]
        stack = _stack_after(self.opened, head)
        text = "".join(self.opened) + "".join(a.text for a in head).strip() + _closing(stack)
        return text, _Part(stack, self.atoms[upto:])


def split_html(html: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split `html` into parts of at most `limit` UTF-16 units; short texts come back as one part."""
    if utf16_len(html) <= limit:
        return [html] if _visible(html) else []
    parts: list[str] = []
    part = _Part([])
    pending = deque(_atoms(html))
    while pending:
        atom = pending.popleft()
        if part.size_with(atom) <= limit:
            part.add(atom)
            continue
        cut = _best_cut(part.atoms, limit) or len(part.atoms)
        if cut:
            text, part = part.cut(cut)
            if _visible(text):
                parts.append(text)
            pending.appendleft(atom)
            continue
        # The atom alone is longer than a message: only a run of text can be; cut it between characters.
        # (The reopened tags' closers count twice here, as they always have: the pieces keep some slack.)
        room = max(limit - part.size() - part.closing_after(atom), 1)
        pending.extendleft(
            reversed([_atom(piece, "text", _SPACE) for piece in _hard_pieces(atom.text, room)])
        )
    if part.atoms:
        text, _ = part.cut(len(part.atoms))
        if _visible(text):
            parts.append(text)
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
        filled += atom.size
        if atom.priority > _NONE:
            breaks.append((atom.priority, index, filled))
    late = [b for b in breaks if b[2] >= limit // 2]
    if late:
        return max(late)[1]
    return breaks[-1][1] if breaks else 0
