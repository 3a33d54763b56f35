"""game_config.json → MatchSpec: validate, resolve paths, load and validate the map."""
from __future__ import annotations

import hashlib
import json
import secrets
import shlex
import time
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..limits import MIB, Limits
from ..match import BotSpec, CommitPaths, MatchSpec, RemoteSeat
from ..outcome import FaultPolicy
from ..terra import get_game, validate_map
from ..terra import load_map as terra_load_map
from .validate import load_json, packaged_schema, validate

DEFAULT_COMMIT_PATHS = {
    "replays": "out/replays", "movelogs": "out/movelogs", "debuglogs": "out/debuglogs",
    "errorlogs": "out/errorlogs", "results": "out/results",
}
DEFAULT_FILENAMES = {
    "replay": "{match_id}.json", "movelog": "{match_id}.jsonl", "debuglog": "{match_id}.{seat}-{bot}.log",
    "errorlog": "{match_id}.jsonl", "result": "{match_id}.json",
}
_LIMIT_KEYS = {  # config key -> (Limits field, scale)
    "startup_s": ("startup_s", 1), "move_cpu_s": ("move_cpu_s", 1), "total_cpu_s": ("total_cpu_s", 1),
    "memory_mb": ("memory_bytes", MIB), "line_bytes": ("line_bytes", 1), "debug_bytes": ("debug_bytes", 1),
    "file_mb": ("file_bytes", MIB), "disk_mb": ("disk_bytes", MIB), "open_files": ("open_files", 1), "processes": ("processes", 1),
}


def load_config(path: Path, *, keep_arena: bool = False, match_id: str | None = None) -> MatchSpec:
    """Read, validate and resolve a game config; every user error is a ConfigError."""
    raw = load_json(path, "game config")
    validate(raw, packaged_schema("game_config.schema.json"), str(path))
    base = path.resolve().parent
    game_map, map_name = load_map(raw["game"], raw.get("map"), base, f"{path}: $.map")
    return MatchSpec(
        match_id=match_id or new_match_id(),
        game=raw["game"],
        game_map=game_map,
        map_name=map_name,
        seed=raw["seed"] if "seed" in raw else secrets.randbelow(2**63),
        bots=tuple(bot_spec(bot, base, f"{path}: $.bots[{i}]") for i, bot in enumerate(raw["bots"])),
        limits=limits_from(raw.get("limits", {}), raw.get("timeout", 1.0)),
        max_iters=raw.get("max_iters", 1000),
        arena_root=base / raw.get("arena", "arena"),
        api_dir=base / raw.get("api_dir", "api"),
        commit=CommitPaths(**{k: base / v for k, v in {**DEFAULT_COMMIT_PATHS, **raw.get("commit_paths", {})}.items()}),
        on_fault=FaultPolicy(raw.get("on_fault", "disqualify")),
        keep_arena=keep_arena,
        sandbox_require=tuple(raw.get("sandbox", {}).get("require", ())),
        config_hash=hashlib.sha256(json.dumps(raw, sort_keys=True).encode()).hexdigest(),
        extra={"filenames": {**DEFAULT_FILENAMES, **raw.get("filenames", {})}},
    )


def new_match_id() -> str:
    """Unique and sortable: UTC time to the second plus 48 random bits."""
    return time.strftime("%Y%m%d-%H%M%S", time.gmtime()) + "-" + secrets.token_hex(6)


def limits_from(section: dict[str, Any], timeout: float) -> Limits:
    values: dict[str, Any] = {"move_s": float(timeout)}
    for key, value in section.items():
        field, scale = _LIMIT_KEYS[key]
        values[field] = value * scale if value is not None else None
    return Limits(**values)


def load_map(game_name: str, source: str | dict[str, Any] | None, base: Path, where: str) -> tuple[dict[str, Any], str]:
    """The map as data plus where it came from, validated for the game."""
    game = get_game(game_name)
    if source is None:
        return game.default_map_data(), "default"
    if isinstance(source, dict):
        return validate_map(game, source, where), "inline"
    return terra_load_map(game, base / source), str(source)


def bot_spec(raw: dict[str, Any], base: Path, where: str) -> BotSpec | RemoteSeat:
    if raw.get("remote"):
        return RemoteSeat(raw["name"])
    if "command" not in raw:
        raise ConfigError(where, f"bot {raw['name']} has no command",
                          'add "command" (e.g. "python3 bot.py"), or "remote": true for a TCP agent')
    command = raw["command"]
    try:
        argv = tuple(shlex.split(command)) if isinstance(command, str) else tuple(command)
    except ValueError as exc:
        raise ConfigError(f"{where}.command", f"cannot split the command: {exc}", "balance the quotes, or give the command as a list") from exc
    if not argv:
        raise ConfigError(f"{where}.command", "the command is empty", 'give the program to run, e.g. "python3 bot.py"')
    directory = base / raw.get("dir", f"bots/{raw['name']}")
    if not directory.is_dir():
        raise ConfigError(f"{where}.dir", f"bot folder {directory} does not exist",
                          "point dir at the folder holding the bot's code (relative to the config file)")
    return BotSpec(name=raw["name"], directory=directory, command=argv, api=raw.get("api", "python3"))
