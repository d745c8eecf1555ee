"""Turn a file's bytes into text, refusing binaries and repairing or refusing mojibake.

Order: UTF-16/32 (by their byte-order mark, or without one by where the zero bytes fall), UTF-8 (with or
without BOM), then a charset guess (cp1252/latin-1 are the usual culprits for
scraped Indonesian text). Text that decodes but shows UTF-8-read-as-cp1252 damage ("â€™", "Ã©") is repaired
when the round trip is clean, and refused otherwise, so garbled words never reach the index.
"""

from __future__ import annotations

import codecs
import logging
import re
from pathlib import Path

from charset_normalizer import from_bytes

from ingest.loaders.base import LoadError

logger = logging.getLogger(__name__)

_SNIFF_BYTES = 8192
# Typical traces of UTF-8 bytes decoded as cp1252/latin-1: "Ã" or "Â" or "â€" followed by a continuation
# character.
_CONTINUATION = "\u0080-\u00bf\u2018-\u203a\u0152-\u0178™"
_MOJIBAKE = re.compile(f"[ÃÂ][{_CONTINUATION}]|â[€\u0080-\u009f][{_CONTINUATION}]")
# charset_normalizer's "chaos" above this means the guess is noise, not text.
_MAX_CHAOS = 0.3


def read_text(path: Path, max_bytes: int) -> str:
    """Read a text file; raise LoadError with a curator-readable reason when it cannot be used."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise LoadError(f"cannot read the file ({exc.strerror})") from exc
    if size > max_bytes:
        raise LoadError(f"file too large ({size:,} bytes; the limit is {max_bytes:,})")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"cannot read the file ({exc.strerror})") from exc
    text = decode_bytes(data)
    if not text.strip():
        raise LoadError("empty file")
    return text


def decode_bytes(data: bytes) -> str:
    """Decode bytes as text or raise LoadError (binary, unknown encoding, unrepairable mojibake)."""
    wide = wide_encoding(data)
    if wide is not None:
        try:
            text = data.decode(wide).removeprefix("\ufeff")
        except UnicodeDecodeError as exc:
            raise LoadError("binary file, not text") from exc
    elif b"\x00" in data[:_SNIFF_BYTES]:
        raise LoadError("binary file, not text")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = _decode_guessed(data)
    if _looks_binary(text):
        raise LoadError("binary file, not text")
    return repair_mojibake(text)


# UTF-32 first: its little-endian mark begins with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_MOSTLY_ZERO = 0.9
_SOME_ZERO = 0.3
_RARELY_ZERO = 0.05


def wide_encoding(data: bytes) -> str | None:
    """UTF-16 or UTF-32 (with the byte order) when `data` looks like it, else None.

    Without a byte-order mark the zero bytes tell: text in Latin script has a zero high byte in every
    character, so in UTF-16LE every odd byte is zero and in UTF-32LE three bytes of four; a binary has its
    zeros anywhere."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec
    sample = data[: _SNIFF_BYTES - _SNIFF_BYTES % 4]
    if b"\x00" not in sample:
        return None
    lanes = [sample[r::4].count(0) / max(1, len(sample[r::4])) for r in range(4)]
    if min(lanes[1:]) > _MOSTLY_ZERO and lanes[0] < _RARELY_ZERO:
        return "utf-32-le"
    if min(lanes[:3]) > _MOSTLY_ZERO and lanes[3] < _RARELY_ZERO:
        return "utf-32-be"
    even, odd = (lanes[0] + lanes[2]) / 2, (lanes[1] + lanes[3]) / 2
    if odd > _SOME_ZERO and even < _RARELY_ZERO:
        return "utf-16-le"
    if even > _SOME_ZERO and odd < _RARELY_ZERO:
        return "utf-16-be"
    return None


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 text that was once decoded as cp1252; refuse it when the damage cannot be undone."""
    damage = len(_MOJIBAKE.findall(text))
    if not damage:
        return text
    for wrong in ("cp1252", "latin-1"):
        try:
            repaired = text.encode(wrong).decode("utf-8")
        except UnicodeError:
            continue
        if len(_MOJIBAKE.findall(repaired)) < damage:
            logger.info("repaired mojibake via=%s traces=%s", wrong, damage)
            return repaired
    raise LoadError(f"garbled text (wrong encoding somewhere upstream: {damage} traces such as 'â€™')")


def _decode_guessed(data: bytes) -> str:
    best = from_bytes(data, cp_isolation=["cp1252", "latin_1", "iso8859_15", "utf_16", "cp1250"]).best()
    if best is None or best.chaos > _MAX_CHAOS:
        raise LoadError("unknown text encoding (not UTF-8, and no other encoding fits)")
    logger.info("decoded with guessed encoding=%s chaos=%.2f", best.encoding, best.chaos)
    return str(best)


def _looks_binary(text: str) -> bool:
    sample = text[:_SNIFF_BYTES]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls > max(2, len(sample) // 100)
