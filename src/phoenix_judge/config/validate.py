"""JSON files and JSON Schema validation with errors a person can act on.

Every user-supplied JSON document (game config, map, tournament file, serve
config) goes through `load_json` and `validate`, so all of them fail the same
way: one ConfigError naming the file, the JSON path of the offending value,
what was expected, and how to fix it (taken from the schema's description).
"""
from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from ..errors import ConfigError


def load_json(path: Path, what: str = "file") -> Any:
    """Parse a JSON file; a missing, unreadable or malformed file is a ConfigError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(str(path), f"{what} not found", "check the path (relative paths start at the config file's folder)") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), f"cannot read the {what}: {exc}", "make it a readable UTF-8 JSON file") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path} line {exc.lineno} column {exc.colno}", f"not valid JSON: {exc.msg}",
                          "fix the JSON syntax there (a missing comma or quote, or a trailing comma)") from exc


@cache
def packaged_schema(name: str) -> dict[str, Any]:
    """A JSON Schema shipped in phoenix_judge/config/schemas/."""
    text = resources.files(__package__).joinpath("schemas", name).read_text(encoding="utf-8")
    return json.loads(text)


def validate(instance: Any, schema: dict[str, Any], where: str) -> None:
    """Raise ConfigError for the most relevant violation of `schema`, naming its JSON path."""
    validator = jsonschema.Draft202012Validator(schema)
    error = best_match(validator.iter_errors(instance))
    if error is None:
        return
    raise ConfigError(f"{where}: {error.json_path}", _problem(error), _fix(error))


def _problem(error: ValidationError) -> str:
    if error.validator == "additionalProperties":
        return f"{error.message}; allowed keys: {', '.join(sorted(error.schema.get('properties', {})))}"
    if error.validator == "required":
        return error.message.replace("is a required property", "is missing (required)")
    return error.message


def _fix(error: ValidationError) -> str:
    key_schema = error.schema
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else ""
        key_schema = error.schema.get("properties", {}).get(missing, {})
    description = key_schema.get("description")
    return f"expected: {description}" if description else "see the schema's description of this key"
