"""Temporary stand-in for phoenix_judge.config's load_json/validate until the lead's lands on main."""
from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from ..errors import ConfigError


def load_json(path: Path, what: str = "file") -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(str(path), f"{what} not found", "check the path") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), f"cannot read the {what}: {exc}", "make it a readable UTF-8 JSON file") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path} line {exc.lineno} column {exc.colno}", f"not valid JSON: {exc.msg}",
                          "fix the JSON syntax there") from exc


@cache
def packaged_schema(name: str) -> dict[str, Any]:
    text = resources.files("phoenix_judge.config").joinpath("schemas", name).read_text(encoding="utf-8")
    return json.loads(text)


def validate(instance: Any, schema: dict[str, Any], where: str) -> None:
    error = best_match(jsonschema.Draft202012Validator(schema).iter_errors(instance))
    if error is not None:
        raise ConfigError(f"{where}: {error.json_path}", error.message,
                          error.schema.get("description", "see the schema") if isinstance(error.schema, dict) else "")
