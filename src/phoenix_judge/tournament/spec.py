"""The tournament file: validated against its shipped JSON Schema and resolved into a TournamentSpec.

The file shares the game config's keys for everything a single match needs
(game, maps, limits, timeout, arena, commit paths, sandbox), so a match in a
tournament runs exactly like the same match from `python src`.
"""
from __future__ import annotations

import hashlib
import json
import shlex
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import ConfigError
from ..limits import MIB, Limits
from ..match import BotSpec, CommitPaths, MatchSpec
from ..outcome import FaultPolicy
from ..config import load_json, packaged_schema, validate
from .schedule import ScheduledMatch

SCHEMA = "tournament.schema.json"
DEFAULT_COMMAND = ("python3", "bot.py")
DEFAULT_COMMIT_PATHS = {
    "replays": "out/replays", "movelogs": "out/movelogs", "debuglogs": "out/debuglogs",
    "errorlogs": "out/errorlogs", "results": "out/results",
}
_LIMIT_KEYS = {  # file key -> (Limits field, scale)
    "startup_s": ("startup_s", 1), "move_cpu_s": ("move_cpu_s", 1), "total_cpu_s": ("total_cpu_s", 1),
    "memory_mb": ("memory_bytes", MIB), "line_bytes": ("line_bytes", 1), "debug_bytes": ("debug_bytes", 1),
    "file_mb": ("file_bytes", MIB), "open_files": ("open_files", 1), "processes": ("processes", 1),
}


@dataclass(frozen=True, slots=True)
class Entrant:
    name: str
    bot: BotSpec
    rating: float | None = None


@dataclass(frozen=True, slots=True)
class Points:
    win: float = 1.0
    draw: float = 0.5
    loss: float = 0.0


@dataclass(frozen=True, slots=True)
class TournamentSpec:
    """A validated tournament file. `template` holds every MatchSpec field shared by all matches."""

    path: Path
    name: str
    game: str
    seed: int
    entrants: tuple[Entrant, ...]
    maps: tuple[tuple[str, dict[str, Any]], ...]     # (where the map came from, the map)
    format: dict[str, Any]                           # the format section, schema defaults filled in
    points: Points
    output: Path
    template: MatchSpec
    digest: str                                      # changes whenever the schedule or the rules could

    @property
    def names(self) -> list[str]:
        return [entrant.name for entrant in self.entrants]

    def entrant(self, name: str) -> Entrant:
        return next(entrant for entrant in self.entrants if entrant.name == name)

    def match_spec(self, game: ScheduledMatch, record_id: str) -> MatchSpec:
        """The MatchSpec that plays `game`; its records are named `record_id`."""
        map_name, game_map = self.maps[game.map_index]
        extra = {**self.template.extra, "tournament": {"name": self.name, "match_id": game.match_id,
                                                        "stage": game.stage, "round": game.round}}
        return replace(self.template, match_id=record_id, seed=game.seed, game_map=game_map, map_name=map_name,
                       bots=tuple(self.entrant(name).bot for name in game.seats), extra=extra)


def load_tournament(path: Path) -> TournamentSpec:
    """Read, validate and resolve a tournament file; every user error is a ConfigError."""
    raw = load_json(path, "tournament file")
    schema = packaged_schema(SCHEMA)
    validate(raw, schema, str(path))
    base = path.resolve().parent
    entrants = tuple(_entrant(item, base, f"{path}: $.entrants[{i}]") for i, item in enumerate(raw["entrants"]))
    _check_unique(entrants, path)
    maps = tuple(_load_map(source, base, f"{path}: $.maps[{i}]") for i, source in enumerate(raw.get("maps", [None])))
    fmt = format_with_defaults(raw["format"], schema)
    _check_format(fmt, [entrant.name for entrant in entrants], f"{path}: $.format")
    return TournamentSpec(
        path=path, name=raw["name"], game=raw["game"], seed=raw.get("seed", 0), entrants=entrants, maps=maps,
        format=fmt, points=Points(**raw.get("points", {})),
        output=base / raw.get("output", f"out/tournaments/{raw['name']}"),
        template=_template(raw, base), digest=_digest(raw, maps),
    )


def format_with_defaults(section: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The format section with every default its type's schema branch declares."""
    for branch in schema["properties"]["format"]["allOf"]:
        if branch["if"]["properties"]["type"]["const"] == section["type"]:
            properties = branch["then"]["properties"]
            defaults = {key: sub["default"] for key, sub in properties.items() if isinstance(sub, dict) and "default" in sub}
            return {**defaults, **section}
    raise ConfigError("$.format.type", f"unknown format {section['type']!r}", "use one the schema lists")


def _template(raw: dict[str, Any], base: Path) -> MatchSpec:
    commit = {**DEFAULT_COMMIT_PATHS, **raw.get("commit_paths", {})}
    return MatchSpec(
        match_id="", game=raw["game"], game_map={}, map_name="", seed=0, bots=(),
        limits=limits_from(raw.get("limits", {}), raw.get("timeout", 1.0)),
        max_iters=raw.get("max_iters", 1000), arena_root=base / raw.get("arena", "arena"),
        api_dir=base / raw.get("api_dir", "api"), commit=CommitPaths(**{k: base / v for k, v in commit.items()}),
        on_fault=FaultPolicy(raw.get("on_fault", "disqualify")),
        sandbox_require=tuple(raw.get("sandbox", {}).get("require", ())),
        config_hash=hashlib.sha256(json.dumps(raw, sort_keys=True).encode()).hexdigest(),
    )


def limits_from(section: dict[str, Any], timeout: float) -> Limits:
    values: dict[str, Any] = {"move_s": float(timeout)}
    for key, value in section.items():
        field, scale = _LIMIT_KEYS[key]
        values[field] = value * scale if value is not None else None
    return Limits(**values)


def _load_map(source: str | dict[str, Any] | None, base: Path, where: str) -> tuple[str, dict[str, Any]]:
    if source is None:
        return "default", {}
    if isinstance(source, dict):
        return "inline", source
    return source, load_json((base / source).resolve(), "map file")


def _entrant(raw: str | dict[str, Any], base: Path, where: str) -> Entrant:
    if isinstance(raw, str):
        raw, folder_where = {"name": Path(raw).name, "dir": raw}, where
    else:
        folder_where = f"{where}.dir"
    directory = base / raw.get("dir", f"bots/{raw['name']}")
    if not directory.is_dir():
        raise ConfigError(folder_where, f"bot folder {directory} does not exist",
                          "point dir at the folder holding the bot's code (relative to the tournament file)")
    return Entrant(raw["name"], BotSpec(raw["name"], directory, _command(raw.get("command"), where),
                                        raw.get("api", "python3")), raw.get("rating"))


def _command(command: str | list[str] | None, where: str) -> tuple[str, ...]:
    if command is None:
        return DEFAULT_COMMAND
    try:
        argv = tuple(shlex.split(command)) if isinstance(command, str) else tuple(command)
    except ValueError as exc:
        raise ConfigError(f"{where}.command", f"cannot split the command: {exc}",
                          "balance the quotes, or give the command as a list") from exc
    if not argv:
        raise ConfigError(f"{where}.command", "the command is empty", 'give the program to run, e.g. "python3 bot.py"')
    return argv


def _check_unique(entrants: tuple[Entrant, ...], path: Path) -> None:
    seen: set[str] = set()
    for i, entrant in enumerate(entrants):
        if entrant.name in seen:
            raise ConfigError(f"{path}: $.entrants[{i}]", f"the name {entrant.name!r} is taken by an earlier entrant",
                              "give every entrant its own name (a bot folder entrant is named after its folder)")
        seen.add(entrant.name)


def _check_format(fmt: dict[str, Any], names: list[str], where: str) -> None:
    referenced = {"challengers": fmt.get("challengers", []), "a": [fmt.get("a")], "b": [fmt.get("b")]}
    for key, values in referenced.items():
        for value in values:
            if value is not None and value not in names:
                raise ConfigError(f"{where}.{key}", f"{value!r} is not an entrant", f"use one of: {', '.join(names)}")
    if fmt["type"] == "gauntlet" and len(set(fmt["challengers"])) == len(names):
        raise ConfigError(f"{where}.challengers", "every entrant is a challenger: the field is empty",
                          "leave at least one entrant out of challengers")
    if fmt["type"] == "sprt" and fmt["a"] == fmt["b"]:
        raise ConfigError(f"{where}.b", "a and b are the same entrant", "test two different entrants")
    if fmt["type"] == "sprt" and fmt["elo1"] <= fmt["elo0"]:
        raise ConfigError(f"{where}.elo1", "elo1 must be greater than elo0", "e.g. elo0 0 and elo1 10")


def _digest(raw: dict[str, Any], maps: tuple[tuple[str, dict[str, Any]], ...]) -> str:
    data = {key: value for key, value in raw.items() if key != "$schema"}
    return hashlib.sha256(json.dumps([data, maps], sort_keys=True).encode()).hexdigest()
