"""The files of a source folder, and what happens to the symbolic links in it.

A link may point anywhere: a curator's `notes.txt -> /etc/secret.txt` must not end up quoted by the bot,
so links that leave the source folder are skipped (and said so) unless `follow_links` is set. A link to a
folder inside the source is skipped too: its files are indexed where they really are. Links that lead back
to themselves or to a folder containing them (loops) and links whose target is gone are failures with a
reason, never silence.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path

OUTSIDE = (
    "symbolic link to outside the source folder, not followed "
    "(set BRIEFBOT_INGEST__FOLLOW_LINKS=true to allow it)"
)
INSIDE_FOLDER = "symbolic link to a folder inside the source folder, whose files are indexed there already"
LOOP = "symbolic link loop: the link leads back to itself"
FOLDER_LOOP = "symbolic link loop: the folder links back to a folder that contains it"
BROKEN = "broken symbolic link (its target does not exist)"


@dataclass
class Walk:
    files: list[Path] = field(default_factory=list)
    """Paths as found under the root (through links that were followed), sorted."""
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)


def walk(root: Path, *, follow_links: bool) -> Walk:
    """Every non-hidden file under `root`, deciding about each symbolic link on the way."""
    found = Walk()
    real_root = root.resolve()
    _visit(root, real_root, real_root, follow_links, found)
    return found


def _target(link: Path) -> tuple[Path | None, str]:
    try:
        return link.resolve(strict=True), ""
    except RuntimeError:  # Python 3.11 reports a loop this way
        return None, LOOP
    except OSError as exc:
        return None, LOOP if exc.errno == errno.ELOOP else BROKEN


def _visit(folder: Path, real_folder: Path, real_root: Path, follow: bool, found: Walk) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        found.failed.append((folder, f"cannot read the folder ({exc.strerror})"))
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue  # hidden files and folders (.git, editor swap files) are not briefs
        path = folder / entry.name
        if not entry.is_symlink():
            if entry.is_dir(follow_symlinks=False):
                _visit(path, real_folder / entry.name, real_root, follow, found)
            elif entry.is_file(follow_symlinks=False):
                found.files.append(path)
            continue
        target, problem = _target(path)
        if target is None:
            found.failed.append((path, problem))
        elif not target.is_dir():
            if target.is_relative_to(real_root) or follow:
                found.files.append(path)
            else:
                found.skipped.append((path, OUTSIDE))
        elif real_folder.is_relative_to(target):
            found.failed.append((path, FOLDER_LOOP))
        elif target.is_relative_to(real_root):
            found.skipped.append((path, INSIDE_FOLDER))
        elif follow:
            _visit(path, target, real_root, follow, found)
        else:
            found.skipped.append((path, OUTSIDE))
