"""Two tiny terra games for the coordinator's tests.

- GuessGame: simultaneous, roles Attacker/Defender. A secret number 0..size-1
  comes from the seed; every turn each seat guesses; a seat that guesses it
  scores 1 and the game is over; after `turns` turns it is a draw. The
  observation says "higher"/"lower" for the seat's last guess. Reward: +1 on
  the turn a seat guesses right.
- RaceGame: turn-based, 2 seats, seat 0 first. Each move adds 1 or 2 to a
  shared total; whoever brings it to `goal` (or beyond) wins. Rewards +1/-1 on
  the last turn. A removed seat loses at once.
"""
from __future__ import annotations

import random
from typing import Any

from phoenix_judge.terra import Game, Move, State


class GuessState(State):
    def __init__(self, seats: int, size: int, turns: int, seed: int, pad: int = 0) -> None:
        self.secret = random.Random(seed).randrange(size)
        self.pad = "EOF" * pad                  # big observations (slow-reader tests), marker text inside
        self.size, self.turns_left = size, turns
        self.out: set[int] = set()
        self.hints: list[str | None] = [None] * seats
        self.won: list[bool] = [False] * seats
        self.last_rewards = [0.0] * seats
        self.turn = 0

    def to_move(self) -> list[int]:
        return [] if self.is_over() else [s for s in range(len(self.hints)) if s not in self.out]

    def observation(self, seat: int) -> dict[str, Any]:
        obs = {"you": seat, "turn": self.turn, "hint": self.hints[seat], "size": self.size}
        return {**obs, "pad": self.pad} if self.pad else obs

    def check_move(self, seat: int, move: Move) -> str | None:
        if not isinstance(move, int) or isinstance(move, bool) or not 0 <= move < self.size:
            return f"a guess is an integer 0..{self.size - 1}"
        return None

    def apply(self, moves: dict[int, Move]) -> None:
        self.turn += 1
        self.turns_left -= 1
        self.last_rewards = [0.0] * len(self.hints)
        for seat, guess in moves.items():
            if guess == self.secret:
                self.won[seat], self.last_rewards[seat], self.hints[seat] = True, 1.0, "right"
            else:
                self.hints[seat] = "higher" if guess < self.secret else "lower"

    def is_over(self) -> bool:
        return any(self.won) or self.turns_left <= 0 or len(self.out) == len(self.hints)

    def scores(self) -> list[float]:
        return [1.0 if won else 0.0 for won in self.won]

    def rewards(self) -> list[float]:
        return list(self.last_rewards)

    def remove_seat(self, seat: int) -> None:
        self.out.add(seat)

    def random_move(self, seat: int, rng: random.Random) -> Move:
        return rng.randrange(self.size)

    def frame(self) -> dict[str, Any]:
        return {"secret": self.secret, "hints": self.hints, "won": self.won}


class GuessGame(Game):
    name = "guess"
    version = "1.0"
    min_seats = 1
    max_seats = 8
    simultaneous = True
    roles = ("Attacker", "Defender")
    map_schema = {"type": "object", "properties": {"size": {"type": "integer", "minimum": 2},
                                                   "turns": {"type": "integer", "minimum": 1},
                                                   "pad": {"type": "integer", "minimum": 0}}}
    move_schema = {"type": "integer"}

    def new_state(self, seats: int, game_map: dict[str, Any], seed: int) -> GuessState:
        return GuessState(seats, game_map.get("size", 16), game_map.get("turns", 50), seed, game_map.get("pad", 0))


class RaceState(State):
    def __init__(self, goal: int) -> None:
        self.goal, self.total, self.next, self.winner = goal, 0, 0, None
        self.last_rewards = [0.0, 0.0]

    def to_move(self) -> list[int]:
        return [] if self.is_over() else [self.next]

    def observation(self, seat: int) -> dict[str, Any]:
        return {"you": seat, "total": self.total, "goal": self.goal}

    def check_move(self, seat: int, move: Move) -> str | None:
        return None if move in (1, 2) and not isinstance(move, bool) else "add 1 or 2"

    def apply(self, moves: dict[int, Move]) -> None:
        (seat, step), = moves.items()
        self.last_rewards = [0.0, 0.0]
        self.total += step
        if self.total >= self.goal:
            self._finish(seat)
        self.next = 1 - seat

    def _finish(self, winner: int) -> None:
        self.winner = winner
        self.last_rewards = [1.0 if s == winner else -1.0 for s in (0, 1)]

    def is_over(self) -> bool:
        return self.winner is not None

    def scores(self) -> list[float]:
        return [0.0, 0.0] if self.winner is None else [1.0 if s == self.winner else 0.0 for s in (0, 1)]

    def rewards(self) -> list[float]:
        return list(self.last_rewards)

    def remove_seat(self, seat: int) -> None:
        if self.winner is None:
            self._finish(1 - seat)

    def random_move(self, seat: int, rng: random.Random) -> Move:
        return rng.choice((1, 2))

    def frame(self) -> dict[str, Any]:
        return {"total": self.total, "next": self.next}


class RaceGame(Game):
    name = "race"
    version = "1.0"
    min_seats = 2
    max_seats = 2
    simultaneous = False
    map_schema = {"type": "object", "properties": {"goal": {"type": "integer", "minimum": 1}}}
    move_schema = {"type": "integer"}

    def new_state(self, seats: int, game_map: dict[str, Any], seed: int) -> RaceState:
        return RaceState(game_map.get("goal", 10))
