"""What a tournament plays: scheduled matches with stable ids, played results, and the Format interface.

A format hands out the tournament in stages. Static formats (round-robin,
gauntlet, SPRT) give everything in stage 0; adaptive ones (Swiss, knockout)
give one stage per round or tie-break once the previous stage is finished.
The runner persists each stage before playing it, so a resumed run plays
exactly the pairings it stored, and every id is derived from the tournament
seed, the stage, the round and the pairing: the same file gives the same ids.
"""
from __future__ import annotations

import hashlib
import json
import random
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Iterator, Sequence

from ..outcome import Verdict

_ID_BYTES = 6            # 48 bits per (stage, round): collisions need ~10^7 matches in one round


@dataclass(frozen=True, slots=True)
class Roster:
    """What scheduling needs to know about a tournament, and nothing more."""

    name: str
    seed: int
    entrants: tuple[str, ...]
    options: dict[str, Any]                     # the format section, defaults filled in
    maps: int = 1
    ratings: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ScheduledMatch:
    match_id: str
    stage: int
    round: int
    seats: tuple[str, ...]          # entrant names in seat order
    map_index: int
    seed: int
    label: str = ""


@dataclass(frozen=True, slots=True)
class Stage:
    matches: list[ScheduledMatch]
    byes: list[str] = field(default_factory=list)      # entrants given a bye this stage (Swiss)


class Outcome(StrEnum):
    WIN = "win"
    DRAW = "draw"
    LOSS = "loss"


@dataclass(frozen=True, slots=True)
class Played:
    """A finished match as the formats and standings see it."""

    match: ScheduledMatch
    ranks: tuple[int, ...]
    verdicts: tuple[Verdict, ...]

    def outcome(self, name: str) -> Outcome:
        """Win, draw or loss of `name` here; when every seat faulted, every seat lost (a double forfeit)."""
        seat = self.match.seats.index(name)
        if self.double_forfeit:
            return Outcome.LOSS
        others = [rank for i, rank in enumerate(self.ranks) if i != seat]
        if all(self.ranks[seat] < rank for rank in others):
            return Outcome.WIN
        return Outcome.DRAW if self.ranks[seat] <= min(others) else Outcome.LOSS

    @classmethod
    def from_result(cls, match: ScheduledMatch, result: dict[str, Any]) -> Played:
        """From a MatchResult's JSON (seats in seat order)."""
        seats = result["seats"]
        return cls(match, tuple(seat["rank"] for seat in seats), tuple(Verdict(seat["verdict"]) for seat in seats))

    @property
    def double_forfeit(self) -> bool:
        return all(verdict.is_fault for verdict in self.verdicts)

    def score(self, name: str) -> float:
        """1, ½ or 0: the match score Elo and SPRT use."""
        return {Outcome.WIN: 1.0, Outcome.DRAW: 0.5, Outcome.LOSS: 0.0}[self.outcome(name)]


def schedule_match(roster: Roster, stage: int, round_: int, seats: Sequence[str], map_index: int,
                   game_no: int, label: str = "") -> ScheduledMatch:
    """One match with an id and a seed derived from the tournament seed and its place in the schedule."""
    key = json.dumps([roster.seed, stage, round_, list(seats), map_index, game_no])
    digest = hashlib.sha256(key.encode()).digest()
    match_id = f"{roster.name}-s{stage}r{round_}-{digest[:_ID_BYTES].hex()}"
    return ScheduledMatch(match_id, stage, round_, tuple(seats), map_index,
                          int.from_bytes(digest[16:24], "big") >> 1, label)


def meeting(roster: Roster, stage: int, round_: int, pair: tuple[str, str], games: int,
            label: str = "", first_game: int = 0) -> Iterator[ScheduledMatch]:
    """`games` matches of `pair` on every map, sides alternating game by game (first pair[0] in seat 0)."""
    for map_index in range(roster.maps):
        for game_no in range(first_game, first_game + games):
            seats = pair if game_no % 2 == 0 else pair[::-1]
            yield schedule_match(roster, stage, round_, seats, map_index, game_no, label)


def seeded_order(roster: Roster, seeding: str) -> list[str]:
    """Entrants in seed order: as given, by rating (highest first, stable), or shuffled from the seed."""
    names = list(roster.entrants)
    if seeding == "rating":
        return sorted(names, key=lambda name: -roster.ratings.get(name, 0.0))
    if seeding == "random":
        random.Random(roster.seed).shuffle(names)
    return names


class Format(ABC):
    """A tournament format: hands out stages until it is finished."""

    bye_wins = 0        # a bye is worth this many won matches in the standings (Swiss sets it)

    def __init__(self, roster: Roster) -> None:
        self.roster = roster

    @abstractmethod
    def next_stage(self, stage: int, played: Sequence[Played], byes: Sequence[str]) -> Stage | None:
        """The matches of `stage`, given every match played (and bye given) in earlier stages; None when done."""

    def expected_total(self) -> int | None:
        """How many matches the whole tournament plays, when known in advance (the progress bar's total)."""
        return None

    def decided(self, played: Sequence[Played]) -> bool:
        """True when no further match is needed even though some are scheduled (SPRT)."""
        return False

    def describe(self, played: Sequence[Played]) -> dict[str, Any]:
        """Format-specific findings for the report and exports (SPRT verdict, knockout bracket)."""
        return {}
