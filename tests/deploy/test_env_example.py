"""`.env.example` names every setting the two processes read, and nothing else, under the real env names."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_args

import pytest
from pydantic import BaseModel, SecretStr
from pydantic_settings import BaseSettings

from bot.settings import BotSettings
from deploy import settings_doc
from ingest.settings import IngestSettings

ROOT = Path(__file__).resolve().parents[2]
ENV_EXAMPLE = ROOT / ".env.example"
OPERATIONS = ROOT / "docs" / "operations.md"
# An assignment, commented out or not: `# BRIEFBOT_X__Y=value`.
ASSIGNMENT = re.compile(r"^#?\s*(BRIEFBOT_[A-Z0-9_]+)=(.*)$")


def _leaf_paths(model: type[BaseModel], path: tuple[str, ...] = ()) -> dict[str, tuple[str, ...]]:
    """Walk a settings tree independently of the generator: env name -> attribute path."""
    found: dict[str, tuple[str, ...]] = {}
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found |= _leaf_paths(annotation, (*path, name))
        else:
            found["BRIEFBOT_" + "__".join(p.upper() for p in (*path, name))] = (*path, name)
    return found


def _documented() -> dict[str, str]:
    entries: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        match = ASSIGNMENT.match(line)
        if match:
            assert match.group(1) not in entries, f"{match.group(1)} is listed twice"
            entries[match.group(1)] = match.group(2)
    return entries


def _lookup(settings: BaseModel, path: tuple[str, ...]) -> Any:
    value: Any = settings
    for part in path:
        value = getattr(value, part)
    return value


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A developer's own BRIEFBOT_* variables must not leak into these comparisons."""
    import os

    for name in list(os.environ):
        if name.startswith("BRIEFBOT_"):
            monkeypatch.delenv(name)


def test_every_setting_is_documented_and_nothing_else() -> None:
    expected = set(_leaf_paths(BotSettings)) | set(_leaf_paths(IngestSettings))
    documented = set(_documented())
    assert expected - documented == set(), "settings missing from .env.example"
    assert documented - expected == set(), ".env.example names settings that do not exist"


def test_every_setting_has_a_description_line_above_it() -> None:
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if ASSIGNMENT.match(line):
            comment = lines[number - 1]
            assert comment.startswith("# ") and not ASSIGNMENT.match(comment), f"no description for {line}"
            assert "(no description)" not in comment, f"field without Field(description=...): {line}"


def _secret_envs(model: type[BaseModel], prefix: str = "BRIEFBOT_") -> set[str]:
    found: set[str] = set()
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found |= _secret_envs(annotation, f"{prefix}{name.upper()}__")
        elif SecretStr in get_args(annotation) or annotation is SecretStr:
            found.add(f"{prefix}{name.upper()}")
    return found


def test_secrets_carry_no_value() -> None:
    documented = _documented()
    secrets = _secret_envs(BotSettings) | _secret_envs(IngestSettings)
    assert {"BRIEFBOT_TELEGRAM__TOKEN", "BRIEFBOT_LLM__API_KEY"} <= secrets
    for env in secrets:
        assert documented[env] == "", f"{env} must be empty in the example"


@pytest.mark.parametrize("tree", [BotSettings, IngestSettings], ids=["bot", "ingest"])
def test_documented_defaults_read_back_as_the_real_defaults(
    tree: type[BaseSettings], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Uncommenting a line unchanged must not change behaviour (or fail validation)."""
    paths = _leaf_paths(tree)
    defaults = tree(_env_file=None)  # type: ignore[call-arg]
    for env, value in _documented().items():
        if env in paths and value != "":
            monkeypatch.setenv(env, value)
    from_example = tree(_env_file=None)  # type: ignore[call-arg]
    for env, path in paths.items():
        assert _lookup(from_example, path) == _lookup(defaults, path), env


def test_documented_names_really_reach_the_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """The env names are the ones pydantic-settings reads, nested levels included."""
    monkeypatch.setenv("BRIEFBOT_STORE__EMBEDDING__BATCH_SIZE", "7")
    monkeypatch.setenv("BRIEFBOT_TELEGRAM__ADMIN_IDS", "[42, 43]")
    monkeypatch.setenv("BRIEFBOT_INGEST__SOURCES", '["feeds/a.xml"]')
    bot = BotSettings(_env_file=None)  # type: ignore[call-arg]
    ingest = IngestSettings(_env_file=None)  # type: ignore[call-arg]
    assert bot.store.embedding.batch_size == 7
    assert bot.telegram.admin_ids == [42, 43]
    assert ingest.ingest.sources == ["feeds/a.xml"]
    assert "BRIEFBOT_INGEST__SOURCES" in _documented()


def test_example_file_is_what_the_generator_prints() -> None:
    assert ENV_EXAMPLE.read_text(encoding="utf-8") == settings_doc.render_env_example(), (
        "regenerate it: python -m deploy.settings_doc > .env.example"
    )


def test_operations_doc_lists_every_setting_with_its_default() -> None:
    text = OPERATIONS.read_text(encoding="utf-8")
    assert settings_doc.render_markdown() in text, (
        "refresh the settings table in docs/operations.md from python -m deploy.settings_doc --markdown"
    )
