"""Bring a records database to the newest schema with Alembic (SQLite and PostgreSQL alike).

Every process that opens the records calls `upgrade(engine)`: a database already at the newest revision costs
one small query; otherwise the missing migrations run, on PostgreSQL under an advisory lock so replicas that
start together do not migrate twice.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


@functools.cache
def head() -> str:
    """The newest revision the code knows."""
    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None
    return revision


def current(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Run the migrations the database lacks (none, usually)."""
    if current(engine) == head():
        return
    config = _config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    logger.info("records schema upgraded dialect=%s revision=%s", engine.dialect.name, head())
