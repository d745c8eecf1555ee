"""The image as an operator relies on it: slim, non-root, offline, state on /data, the two entry points."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.settings import IngestOptions
from tests.deploy.dockerfile import Stage, dockerignore, ignored, parse

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    _, parsed = parse(ROOT / "Dockerfile")
    return parsed


def test_multi_stage_with_a_slim_python_311_runtime(stages: list[Stage]) -> None:
    assert len(stages) == 2
    builder, final = stages
    assert builder.name == "builder"
    assert final.base.startswith("python:3.11-slim")
    # The runtime gets the finished virtualenv, not a compiler or the pip cache.
    copies = [ins for ins in final.all("COPY") if ins.options().get("from") == "builder"]
    assert [ins.exec_form()[-2:] for ins in copies] == [["/opt/venv", "/opt/venv"]]
    assert not any("pip install" in ins.args for ins in final.all("RUN"))


def test_builder_installs_the_dependencies_then_the_project_itself(stages: list[Stage]) -> None:
    """Dependencies in a layer of their own, keyed on pyproject.toml only; then the code, without deps."""
    builder = stages[0]
    keywords = [(ins.keyword, ins.args) for ins in builder.instructions]
    installs = [
        i for i, (kw, args) in enumerate(keywords) if kw == "RUN" and "pip install" in args and '".' in args
    ]
    assert len(installs) == 2
    deps, project = installs
    copies = [i for i, (kw, _) in enumerate(keywords) if kw == "COPY"]
    code = [
        i
        for i in copies
        if builder.instructions[i].exec_form()[0].rstrip("/") in {"logsetup", "store", "ingest", "bot"}
    ]
    assert len(code) == 4 and deps < min(code) < max(code) < project
    assert "--no-deps" in keywords[project][1] and "--no-deps" not in keywords[deps][1]


def test_runs_as_an_unprivileged_user_before_starting(stages: list[Stage]) -> None:
    final = stages[1]
    keywords = [ins.keyword for ins in final.instructions]
    user = final.last("USER").args
    assert user not in {"root", "0"} and not user.startswith("0:")
    assert keywords.index("USER") < keywords.index("CMD")
    assert any("useradd" in ins.args and user in ins.args for ins in final.all("RUN"))


def test_offline_environment_and_data_volume(stages: list[Stage]) -> None:
    final = stages[1]
    env = final.env()
    assert env["HF_HUB_OFFLINE"] == "1"
    assert env["ANONYMIZED_TELEMETRY"] == "False"
    assert env["BRIEFBOT_STORE__DATA_DIR"] == "/data"
    assert env["PATH"].startswith("/opt/venv/bin:")
    assert final.last("VOLUME").args == "/data"
    # /data must belong to the runtime user, or the first write fails on a fresh volume.
    assert any("chown" in ins.args and "/data" in ins.args for ins in final.all("RUN"))


def test_entry_points_and_health_check(stages: list[Stage]) -> None:
    final = stages[1]
    assert final.last("CMD").exec_form() == ["python", "-m", "bot"]
    health = final.last("HEALTHCHECK")
    assert health.exec_form() == ["python", "-m", "bot.health"]
    assert {"interval", "timeout", "start-period", "retries"} <= set(health.options())


def test_sample_briefs_ship_where_the_default_source_points(stages: list[Stage]) -> None:
    final = stages[1]
    workdir = final.last("WORKDIR").args
    targets = [ins.operands() for ins in final.all("COPY") if "from" not in ins.options()]
    assert ["data/briefs/", "data/briefs/"] in targets
    # The default source is a relative path: it must resolve against the image's working directory.
    assert "data/briefs" in IngestOptions().sources
    assert workdir == "/app"


def test_build_context_keeps_secrets_and_state_out() -> None:
    patterns = dockerignore(ROOT / ".dockerignore")
    for path in (
        ".env",
        "var/chroma/chroma.sqlite3",
        ".venv/bin/python",
        "models/x.gguf",
        "tests/deploy/x.py",
    ):
        assert ignored(patterns, path), f"{path} would be sent to the builder"
    for path in ("pyproject.toml", "bot/__main__.py", "store/types.py", "data/briefs/one.md"):
        assert not ignored(patterns, path), f"{path} is needed in the image"
    assert ignored(patterns, "bot/__pycache__/x.cpython-311.pyc")


def test_everything_the_dockerfile_copies_exists_and_is_in_the_context(stages: list[Stage]) -> None:
    patterns = dockerignore(ROOT / ".dockerignore")
    for stage in stages:
        for ins in stage.all("COPY"):
            if "from" in ins.options():
                continue
            words = ins.operands()
            for source in words[:-1]:
                assert (ROOT / source).exists(), f"COPY {source}: missing from the repository"
                assert not ignored(patterns, source.rstrip("/")), f"COPY {source}: excluded by .dockerignore"
