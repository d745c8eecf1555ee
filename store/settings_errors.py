"""Build a process's settings, or say in one line per bad setting what is wrong with it.

Every entry point (`python -m bot`, `bot.health`, `ingest`, `store`) calls `load_settings(TheirSettings)`
and, on `BadSettings`, prints `BadSettings.lines` and exits with `EXIT_BAD_SETTINGS`. A line names the
environment variable, shows the value it had (never for a secret) and the form expected, e.g.
`BRIEFBOT_TELEGRAM__ADMIN_IDS='1,2': expected a JSON list of numbers, e.g. [111, 222]`.

Lists and objects are JSON in the environment; pydantic-settings stops at the first one that does not parse,
naming only its section, so those are checked here first, one by one, and left out of the environment while
the rest is validated, so that every bad setting is reported in one go.
"""

from __future__ import annotations

import json
import os
import types
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings
from pydantic_settings.exceptions import SettingsError

EXIT_BAD_SETTINGS = 2
PREFIX = "BRIEFBOT_"
HIDDEN = "<hidden>"

S = TypeVar("S", bound=BaseSettings)


class BadSettings(Exception):  # noqa: N818 (reads as what it reports)
    """Settings that do not load; `lines` holds one message per bad setting, written for operators."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines

    def message(self) -> str:
        return "Bad settings (set in the environment or .env):\n" + "\n".join(f"  {x}" for x in self.lines)


def env_name(loc: tuple[str | int, ...]) -> str:
    return PREFIX + "__".join(str(part).upper() for part in loc if isinstance(part, str))


def _leaf_fields(
    model: type[BaseModel], loc: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], FieldInfo]]:
    for name, info in model.model_fields.items():
        nested = _model_of(info.annotation)
        if nested is not None:
            yield from _leaf_fields(nested, (*loc, name))
        else:
            yield (*loc, name), info


def _model_of(annotation: Any) -> type[BaseModel] | None:
    return annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None


def _field_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> FieldInfo | None:
    info = None
    current: type[BaseModel] | None = model
    for part in loc:
        if not isinstance(part, str) or current is None or part not in current.model_fields:
            break
        info = current.model_fields[part]
        current = _model_of(info.annotation)
    return info


def _is_secret(info: FieldInfo | None) -> bool:
    return info is not None and SecretStr in _members(info.annotation)


def _members(annotation: Any) -> tuple[Any, ...]:
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        return typing.get_args(annotation)
    return (annotation,)


def _is_json(info: FieldInfo) -> bool:
    return any(typing.get_origin(a) in (list, dict, tuple, set) for a in _members(info.annotation))


def _json_form(info: FieldInfo) -> str:
    args = typing.get_args(next(a for a in _members(info.annotation) if typing.get_origin(a)))
    if args and args[0] is int:
        return "a JSON list of numbers, e.g. [111, 222]"
    if args and args[0] is str:
        return 'a JSON list of strings, e.g. ["data/briefs", "https://example.org/feed.xml"]'
    return "JSON"


def _environment() -> dict[str, tuple[str, str]]:
    """BRIEFBOT_* variables, upper-cased name -> (name as set, value); the environment wins over .env."""
    found: dict[str, tuple[str, str]] = {}
    dotenv = Path(".env")
    if dotenv.is_file():
        from dotenv import dotenv_values

        for key, value in dotenv_values(dotenv).items():
            if key.upper().startswith(PREFIX) and value is not None:
                found[key.upper()] = ("", value)  # "": not removable from os.environ
    for key, value in os.environ.items():
        if key.upper().startswith(PREFIX):
            found[key.upper()] = (key, value)
    return found


def _shown(value: Any, info: FieldInfo | None) -> str:
    return HIDDEN if _is_secret(info) else repr(str(value))


def _with_description(expected: str, info: FieldInfo | None) -> str:
    return f"{expected} ({info.description})" if info is not None and info.description else expected


_EXPECTED = {
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_parsing": "a number",
    "bool_parsing": "true or false",
    "url_parsing": "a URL",
    "path_type": "a path",
}


def _expected(error: Any) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    bounds = {
        "greater_than_equal": ("a number of at least", "ge"),
        "greater_than": ("a number above", "gt"),
        "less_than_equal": ("a number of at most", "le"),
        "less_than": ("a number below", "lt"),
        "string_too_short": ("characters, at least", "min_length"),
        "too_short": ("characters or items, at least", "min_length"),
        "string_too_long": ("characters, at most", "max_length"),
        "too_long": ("characters or items, at most", "max_length"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        return f"{words} {ctx.get(key)}"
    if kind == "literal_error":
        return f"one of {ctx.get('expected')}"
    return _EXPECTED.get(
        kind, str(error["msg"]).removeprefix("Input should be ").removeprefix("Value error, ")
    )


@contextmanager
def _without(names: list[str]) -> Iterator[None]:
    saved = {name: os.environ.pop(name) for name in names if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(saved)


def load_settings(cls: type[S]) -> S:
    """`cls()` from the environment and .env, or `BadSettings` listing every bad setting."""
    env = _environment()
    lines: list[str] = []
    unparsable: list[str] = []
    for loc, info in _leaf_fields(cls):
        name = env_name(loc)
        if name not in env or not _is_json(info):
            continue
        set_as, value = env[name]
        try:
            json.loads(value)
        except ValueError:
            lines.append(
                f"{name}={_shown(value, info)}: expected {_with_description(_json_form(info), info)}"
            )
            unparsable.append(set_as)
    try:
        with _without([n for n in unparsable if n]):
            settings = cls()
    except ValidationError as exc:
        for error in exc.errors():
            where = tuple(error["loc"])
            found = _field_at(cls, where)
            shown = _shown(error.get("input"), found)
            lines.append(f"{env_name(where)}={shown}: expected {_with_description(_expected(error), found)}")
    except SettingsError as exc:  # a JSON value in .env, which cannot be left out like the environment's
        lines.append(f"{exc} (lists and objects must be JSON)")
    if lines:
        raise BadSettings(lines)
    return settings
