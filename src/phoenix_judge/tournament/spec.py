"""The tournament file: validated against its shipped JSON Schema and resolved into a TournamentSpec.

The file shares the game config's keys for everything a single match needs
(game, maps, limits, timeout, arena, commit paths, sandbox), so a match in a
tournament runs exactly like the same match from `python src`.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..config import load_json, packaged_schema, validate
from ..config.game_config import DEFAULT_COMMIT_PATHS, DEFAULT_FILENAMES, bot_spec, limits_from, load_map
from ..errors import ConfigError
from ..match import BotSpec, CommitPaths, MatchSpec
from ..outcome import FaultPolicy
from ..terra import get_game
from .schedule import Roster, ScheduledMatch
from .standings import Scoring

SCHEMA = "tournament.schema.json"
DEFAULT_COMMAND = "python3 bot.py"
SEATS = 2           # every format pairs two entrants a match


@dataclass(frozen=True, slots=True)
class Entrant:
    name: str
    bot: BotSpec
    rating: float | None = None


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
    points: Scoring                                  # win/draw/loss points; a format adds its bye value
    output: Path
    template: MatchSpec
    digest: str                                      # changes whenever the schedule or the rules could

    @property
    def names(self) -> list[str]:
        return [entrant.name for entrant in self.entrants]

    def entrant(self, name: str) -> Entrant:
        return next(entrant for entrant in self.entrants if entrant.name == name)

    def roster(self) -> Roster:
        """What the formats need to schedule this tournament."""
        ratings = {entrant.name: entrant.rating for entrant in self.entrants if entrant.rating is not None}
        return Roster(self.name, self.seed, tuple(self.names), self.format, len(self.maps), ratings)

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
    _check_game(raw["game"], f"{path}: $.game")
    entrants = tuple(_entrant(item, base, f"{path}: $.entrants[{i}]") for i, item in enumerate(raw["entrants"]))
    _check_unique(entrants, path)
    maps = tuple(load_map(raw["game"], source, base, f"{path}: $.maps[{i}]")[::-1]
                 for i, source in enumerate(raw.get("maps", [None])))
    fmt = format_with_defaults(raw["format"], schema)
    _check_format(fmt, [entrant.name for entrant in entrants], f"{path}: $.format")
    return TournamentSpec(
        path=path, name=raw["name"], game=raw["game"], seed=raw.get("seed", 0), entrants=entrants, maps=maps,
        format=fmt, points=Scoring(**raw.get("points", {})),
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
        extra={"filenames": dict(DEFAULT_FILENAMES)},
    )


def _check_game(name: str, where: str) -> None:
    game = get_game(name, where=where)
    if not game.min_seats <= SEATS <= game.max_seats:
        raise ConfigError(where, f"{name} is not a two-player game ({game.min_seats} to {game.max_seats} seats)",
                          "tournaments pair two entrants a match: pick a game two bots can play")


def _entrant(raw: str | dict[str, Any], base: Path, where: str) -> Entrant:
    """A bot folder string or an entrant object; an object without a command runs python3 bot.py."""
    if isinstance(raw, str):
        bot = bot_spec({"name": Path(raw).name, "dir": raw, "command": DEFAULT_COMMAND}, base, where)
        return Entrant(bot.name, bot)
    return Entrant(raw["name"], bot_spec({"command": DEFAULT_COMMAND, **raw}, base, where), raw.get("rating"))


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
