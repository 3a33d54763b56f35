"""What the gameloop announces. Records, progress displays and transports subscribe."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Protocol

from ..outcome import Fault, MatchResult


@dataclass(frozen=True, slots=True)
class MatchStarted:
    match_id: str
    header: dict[str, Any]          # game, version, seed, map, bots (with code hashes), config hash


@dataclass(frozen=True, slots=True)
class TurnPlayed:
    turn: int
    moves: dict[int, Any]           # seat -> the move applied this turn
    frame: dict[str, Any]           # the position after the turn
    scores: list[float]
    judge_s: float                  # the engine's own time this turn, outside waiting on bots


@dataclass(frozen=True, slots=True)
class SeatFaulted:
    seat: int
    name: str
    fault: Fault


@dataclass(frozen=True, slots=True)
class MatchEnded:
    result: MatchResult


Event = MatchStarted | TurnPlayed | SeatFaulted | MatchEnded


class Observer(Protocol):
    def on_event(self, event: Event) -> None: ...


Emit = Callable[[Event], None]


def broadcaster(observers: list[Observer]) -> Emit:
    """One emit function that hands each event to every observer in order."""
    def emit(event: Event) -> None:
        for observer in observers:
            observer.on_event(event)
    return emit
