"""Maps: read a map file and validate it against its game (JSON Schema, then the game's own check).

Every problem becomes a ConfigError naming the file and the JSON path, so a
person can open the file and fix the one value that is wrong.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema

from ..config.validate import load_json
from ..errors import ConfigError
from .base import Game

_MAX_MESSAGE = 200   # jsonschema quotes the offending value, which may be huge


def load_map(game: Game, path: Path | str) -> dict[str, Any]:
    """The map in the JSON file at `path`, validated for `game`."""
    return validate_map(game, load_json(Path(path), "map file"), str(path))


def validate_map(game: Game, game_map: Any, where: str) -> dict[str, Any]:
    """`game_map` if it is a valid map for `game`, else ConfigError at `where` and the JSON path."""
    error = map_error(game, game_map)
    if error is not None:
        path, problem = error
        raise ConfigError(f"{where}: {path}", problem, f"see the map schema of game {game.name!r} (docs/terra.md)")
    return game_map


def map_error(game: Game, game_map: Any) -> tuple[str, str] | None:
    """(JSON path, problem) of the first thing wrong with `game_map`, or None when it is valid."""
    validator_class = jsonschema.validators.validator_for(game.map_schema)
    error = jsonschema.exceptions.best_match(validator_class(game.map_schema).iter_errors(game_map))
    if error is not None:
        return error.json_path, _shorten(error.message)
    problem = game.check_map(game_map)
    return ("$", problem) if problem is not None else None


def _shorten(message: str) -> str:
    return message if len(message) <= _MAX_MESSAGE else message[:_MAX_MESSAGE] + "..."
