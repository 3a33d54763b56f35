"""One episode: a terra state from `new_state` to its end, played one turn at a time.

The episode collects the move of every seat that must move this turn, applies
the turn once all are in (server-played "random" seats move then), and knows
which seats are out of play (never filled, quit, out of steps). Moves are
checked against the game's move schema before the game sees them, so a game's
`check_move` only ever gets well-shaped JSON.
"""
from __future__ import annotations

import logging
import random
from typing import Any

import jsonschema
from jsonschema.exceptions import best_match

from ..errors import JudgeError
from ..outcome import rank_scores
from ..terra import Game, Move
from .protocol import AgentStatus

log = logging.getLogger(__name__)


class Episode:
    """The state of one episode and the moves gathered for its current turn."""

    def __init__(self, game: Game, game_map: dict[str, Any], seats: int, bots: set[int],
                 number: int, seed: int) -> None:
        self.game, self.number, self.seed = game, number, seed
        self.state = _call(game.new_state, seats, game_map, seed)
        self.moves: dict[int, Move] = {}
        self.removed: set[int] = set()
        self.bots = {seat: random.Random(f"{seed}/{seat}") for seat in bots}
        self.finals_released = False
        self._validator = _validator(game)
        self._movers: list[int] = []
        self._over = False
        self._refresh()

    def _refresh(self) -> None:
        # The state changes only in apply and remove_seat: ask it once per change, not per question.
        self._over = bool(_call(self.state.is_over))
        self._movers = [] if self._over else [seat for seat in _call(self.state.to_move) if seat not in self.removed]

    def to_move(self) -> list[int]:
        """Seats that must move now and are still in play."""
        return self._movers

    def waiting_for(self, seat: int) -> bool:
        """True while the turn needs `seat`'s move."""
        return not self.is_over() and seat not in self.moves and seat not in self.bots and seat in self.to_move()

    def is_over(self) -> bool:
        """The game ended, or it stalled: nobody left in play must move."""
        return self._over or not self._movers

    def check(self, seat: int, move: Move) -> str | None:
        """None when `move` is legal for `seat` now, else the reason."""
        error = best_match(self._validator.iter_errors(move))
        if error is not None:
            where = error.json_path.replace("$", "move", 1)
            return f"{where}: {error.message[:200]} (see the move schema of {self.game.name})"
        return _call(self.state.check_move, seat, move)

    def submit(self, seat: int, move: Move) -> None:
        self.moves[seat] = move

    def turn_ready(self) -> bool:
        return not self.is_over() and all(seat in self.moves or seat in self.bots for seat in self.to_move())

    def apply_turn(self) -> list[float]:
        """Apply the gathered moves (bots draw theirs now); the rewards of the turn per seat."""
        moves = {seat: self.moves.get(seat) for seat in self.to_move()}
        for seat, rng in self.bots.items():
            if seat in moves:
                moves[seat] = _call(self.state.random_move, seat, rng)
        self.moves.clear()
        _call(self.state.apply, moves)
        self._refresh()
        return list(_call(self.state.rewards))

    def remove(self, seat: int) -> None:
        """`seat` plays no more this episode; the game decides whether play goes on."""
        if seat in self.removed:
            return
        self.removed.add(seat)
        self.moves.pop(seat, None)
        if not self._over:
            _call(self.state.remove_seat, seat)
            self._refresh()

    def observe(self, seat: int) -> Any:
        return _call(self.state.observation, seat)

    def outcome(self, seat: int) -> AgentStatus:
        """Success when `seat` alone ranks first, Draw when it shares first place, else Fail."""
        scores = _call(self.state.scores)
        ranks = rank_scores(list(scores), [other in self.removed for other in range(len(scores))])
        if ranks[seat] != 1:
            return AgentStatus.Fail
        return AgentStatus.Success if ranks.count(1) == 1 else AgentStatus.Draw


def _validator(game: Game) -> jsonschema.protocols.Validator:
    cls = jsonschema.validators.validator_for(game.move_schema)
    return cls(game.move_schema)


def _call(method: Any, *args: Any) -> Any:
    """Call into the game; its own failure becomes a JudgeError (no agent is blamed)."""
    try:
        return method(*args)
    except Exception as exc:   # any bug in a third-party game: one boundary, logged with its traceback
        log.exception("the game failed in %s", getattr(method, "__name__", method))
        raise JudgeError(f"the game failed in {getattr(method, '__name__', method)}: {exc}") from exc
