"""Dependencies point one way: `bot -> store <- ingest`; `store` reaches neither Telegram nor ingestion; the
logging setup all of them use imports none of them; the test and benchmark harness is never imported."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Package -> top-level modules it must never import.
FORBIDDEN = {
    "store": {"bot", "ingest", "telegram", "harness", "tests"},
    "ingest": {"bot", "telegram", "harness", "tests"},
    "bot": {"ingest", "chromadb", "harness", "tests"},  # the bot reaches the index only through the store
    "logsetup": {"bot", "ingest", "store", "telegram"},
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_package_imports_point_one_way(package: str) -> None:
    offenders = []
    for path in sorted((REPO / package).rglob("*.py")):
        bad = imported_roots(path) & FORBIDDEN[package]
        if bad:
            offenders.append(f"{path.relative_to(REPO)} imports {sorted(bad)}")
    assert not offenders, "\n".join(offenders)


def test_the_checker_sees_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    source = "import ingest.runner\nfrom telegram import Bot\nfrom . import sibling\n"
    sample.write_text(source, encoding="utf-8")
    assert imported_roots(sample) == {"ingest", "telegram"}


def test_the_answer_engine_knows_no_front_end() -> None:
    """The engine (`bot/answering`, `bot/reader`) is a library: no Telegram, no front end, no process root,
    and no wording (it returns statements and codes; `bot.answer_words` words them for the front ends)."""
    front_ends = (
        "telegram",
        "bot.telegram",
        "bot.console",
        "bot.console_texts",
        "bot.answer_words",
        "bot.settings",
        "bot.runtime",
        "bot.usage",
    )
    offenders = []
    for package in ("answering", "reader"):
        for path in sorted((REPO / "bot" / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                bad = [n for n in names if any(n == f or n.startswith(f + ".") for f in front_ends)]
                offenders += [f"{path.relative_to(REPO)} imports {n}" for n in bad]
    assert not offenders, "\n".join(offenders)


def test_no_module_imports_a_test_module_or_a_conftest() -> None:
    """What tests share lives in `tests/support/` (or next to its tests as a helper module): importing a test
    module runs its tests' module code and hides where a helper lives; pytest loads a conftest by itself."""
    offenders = []
    for package in ("tests", "benchmarks", "eval"):
        for path in sorted((REPO / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    names = [node.module]
                ours = [n for n in names if n.split(".")[0] in ("tests", "benchmarks", "eval")]
                last = [n.rsplit(".", 1)[-1] for n in ours]
                bad = [n for n in last if n.startswith("test_") or n == "conftest"]
                offenders += [f"{path.relative_to(REPO)} imports {n}" for n in bad]
    assert not offenders, "\n".join(offenders)
