"""The session's library of the sample briefs (real Chroma, real model), for answering and console tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.library import open_library
from store.settings import StoreSettings
from tests.bot.answering.briefs import sample_briefs


def sample_library_dir(factory: pytest.TempPathFactory) -> Path:
    """The data folder of the session's sample library, indexed on first use."""
    folder = factory.getbasetemp() / "briefbot-sample-library"
    library = open_library(StoreSettings(data_dir=folder))
    library.sync(sample_briefs(), scope="data/briefs")  # unchanged briefs embed nothing on re-use
    return folder
