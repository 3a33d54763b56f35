"""A match: what to play (MatchSpec) and playing it (play_match).

Everything that runs matches (the CLI, tournaments, the coordinator's mixed
matches) builds a MatchSpec and calls `play_match`; the config loader turns a
game_config.json into one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from .limits import Limits
from .outcome import FaultPolicy

if TYPE_CHECKING:
    from .gameloop.events import Observer
    from .outcome import MatchResult
    from .sky.channel import Channel


@dataclass(frozen=True, slots=True)
class BotSpec:
    """One local bot: its code folder, the command that runs it there, and its API."""

    name: str
    directory: Path                  # copied into the match's arena folder
    command: tuple[str, ...]         # argv, run inside the bot's arena folder (argv[0] resolved by the jail)
    api: str | None = "python3"      # name of a folder under api_dir copied next to the code, or None


@dataclass(frozen=True, slots=True)
class RemoteSeat:
    """A seat played by a participant that is not a local process (a TCP agent).

    `play_match` takes its channel from the `remote` mapping, keyed by seat index.
    """

    name: str


@dataclass(frozen=True, slots=True)
class CommitPaths:
    """Where each kind of record is committed."""

    replays: Path
    movelogs: Path
    debuglogs: Path
    errorlogs: Path
    results: Path

    def ensure(self) -> None:
        for path in (self.replays, self.movelogs, self.debuglogs, self.errorlogs, self.results):
            path.mkdir(parents=True, exist_ok=True)


@dataclass(frozen=True, slots=True)
class MatchSpec:
    """Everything needed to play one match, already validated."""

    match_id: str
    game: str                          # registry name or "module:Class"
    game_map: dict[str, Any]           # validated against the game's map schema
    map_name: str                      # where the map came from (path or "default")
    seed: int
    bots: tuple[BotSpec | RemoteSeat, ...]   # one per seat, in seat order
    limits: Limits
    max_iters: int
    arena_root: Path
    api_dir: Path
    commit: CommitPaths
    on_fault: FaultPolicy = FaultPolicy.DISQUALIFY
    keep_arena: bool = False
    sandbox_require: tuple[str, ...] = ()
    slot_base: int = 0                 # seat i runs in jail slot slot_base + i (its cgroup and uid)
    config_hash: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def play_match(spec: MatchSpec, *, remote: "Mapping[int, Channel] | None" = None,
               observers: "Sequence[Observer]" = ()) -> "MatchResult":
    """Play one match and commit its records; see phoenix_judge.play for the flow."""
    from .play import play   # the match flow needs records and the jail, which need this module

    return play(spec, remote=remote or {}, observers=observers)
