"""Copy an existing `usage.sqlite3` into the configured records database (PostgreSQL, usually).

Rows keep their ids, so answers' buttons sent before the move (votes, "Show passages") keep working. Rows the
target already holds are left alone, so the copy can be run again (after a partial run, or to pick up what a
still-running old bot wrote meanwhile) without doubling anything. The source file is opened read-only.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Table, create_engine, inspect, select, text
from sqlalchemy.dialects import postgresql, sqlite

from bot.records.schema import answers, citations, votes
from bot.usage import UsageLog

logger = logging.getLogger(__name__)

_BATCH = 1000
# Parents first: votes and citations refer to answers.
_TABLES: tuple[Table, ...] = (answers, votes, citations)


@dataclass(frozen=True)
class CopyReport:
    copied: dict[str, int]
    already_there: dict[str, int]


def _batches(source: Connection, table: Table, present: set[str]) -> Iterator[Sequence[dict[str, Any]]]:
    # Only the columns this schema knows and the file has: files from older versions lack some tables.
    columns = [c for c in table.columns if c.name in present]
    result = source.execute(select(*columns).order_by(*table.primary_key.columns))
    while rows := result.fetchmany(_BATCH):
        yield [dict(row._mapping) for row in rows]


def copy_sqlite(path: Path, target: UsageLog) -> CopyReport:
    """Copy every row of the SQLite usage file at `path` that `target` lacks."""
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist")
    source_engine = create_engine(f"sqlite:///file:{path.resolve()}?mode=ro&uri=true")
    engine = target.engine
    dialect: Any = postgresql if engine.dialect.name == "postgresql" else sqlite
    copied: dict[str, int] = {}
    skipped: dict[str, int] = {}
    try:
        with source_engine.connect() as source, engine.begin() as db:
            tables = set(inspect(source).get_table_names())
            for table in _TABLES:
                copied[table.name] = skipped[table.name] = 0
                if table.name not in tables:
                    continue
                present = {c["name"] for c in inspect(source).get_columns(table.name)}
                for batch in _batches(source, table, present):
                    key = next(iter(table.primary_key.columns))
                    insert = dialect.insert(table).values(batch).on_conflict_do_nothing().returning(key)
                    inserted = len(db.execute(insert).all())  # rowcount is not reliable across drivers
                    copied[table.name] += inserted
                    skipped[table.name] += len(batch) - inserted
            if engine.dialect.name == "postgresql":
                # New citations must number after the copied ones (pruning keeps the newest by number).
                db.execute(
                    text(
                        "SELECT setval(pg_get_serial_sequence('citations', 'seq'),"
                        " COALESCE((SELECT MAX(seq) FROM citations), 0) + 1, false)"
                    )
                )
    finally:
        source_engine.dispose()
    logger.info("records copied from=%s copied=%s already_there=%s", path, copied, skipped)
    return CopyReport(copied, skipped)
