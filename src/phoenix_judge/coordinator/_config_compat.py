"""Temporary stand-ins until the lead's shared helpers land on main.

- `load_json`, `packaged_schema`, `validate`: phoenix_judge.config's JSON Schema helper.
- `get_game`: phoenix_judge.terra's registry (built-in names and "package.module:ClassName").

Each tries the shared one first, so this module shrinks to imports once they exist.
"""
from __future__ import annotations

import importlib
import inspect
import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from ..errors import ConfigError
from ..terra import Game


def load_json(path: Path, what: str) -> Any:
    """The JSON value in the file at `path`; ConfigError naming the file (and line) otherwise."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(str(path), f"{what} not found", "check the path") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), f"cannot read the {what}: {exc}", "make it a readable UTF-8 JSON file") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}: line {exc.lineno} column {exc.colno}", f"not valid JSON: {exc.msg}",
                          "fix the JSON syntax there") from exc


@cache
def packaged_schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped in phoenix_judge/config/schemas/."""
    text = resources.files("phoenix_judge.config").joinpath("schemas", name).read_text(encoding="utf-8")
    return json.loads(text)


def validate(instance: Any, schema: dict[str, Any], where: str) -> None:
    """ConfigError at `where` and the JSON path of the first problem, when `instance` breaks `schema`."""
    error = best_match(jsonschema.Draft202012Validator(schema).iter_errors(instance))
    if error is None:
        return
    fix = error.schema.get("description", "") if isinstance(error.schema, dict) else ""
    message = error.message if len(error.message) <= 200 else error.message[:200] + "..."
    raise ConfigError(f"{where}: {error.json_path}", message, fix or "see docs/coordinator.md")


def get_game(name: str, *, where: str) -> Game:
    """The terra registry's get_game when it exists, else "package.module:ClassName" only."""
    try:
        registry = importlib.import_module("phoenix_judge.terra.registry")
    except ImportError:
        return _game_class(name, where)()
    return registry.get_game(name, where=where)


def _game_class(name: str, where: str) -> type[Game]:
    module_name, _, class_name = name.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), class_name, None) if class_name else None
    except ImportError as exc:
        raise ConfigError(where, f"cannot import the module of game {name!r}: {exc}",
                          "give a game as \"package.module:ClassName\"") from exc
    if not (inspect.isclass(cls) and issubclass(cls, Game)) or inspect.isabstract(cls):
        raise ConfigError(where, f"{name!r} is not a terra game class", "point at a subclass of phoenix_judge.terra.Game")
    return cls
