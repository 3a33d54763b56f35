"""The static formats: round-robin, gauntlet and SPRT; and the registry of every format by name.

Their whole schedule is stage 0. Matches are ordered cycle by cycle (every
pair meets once before any meets again), so an interrupted tournament's
partial standings are as even as they can be.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Sequence

from .elo import SprtResult, sprt
from .knockout import Knockout
from .schedule import Format, Played, Roster, ScheduledMatch, Stage, meeting, schedule_match
from .swiss import Swiss

Pair = tuple[str, str]


def circle_rounds(names: Sequence[str]) -> list[list[Pair]]:
    """Round-robin rounds by the circle method: every pair exactly once, nobody twice in a round.

    Sides follow the rotational rule (entrant i takes seat 0 against the next
    (m-1)/2 entrants after it, cyclically, m odd), so each entrant's seat-0
    and seat-1 counts differ by at most one.
    """
    players: list[str | None] = [*names, None] if len(names) % 2 else list(names)
    index = {name: i for i, name in enumerate(names)}
    rounds = []
    for _ in range(len(players) - 1):
        half = len(players) // 2
        pairs = [(players[i], players[-1 - i]) for i in range(half)]
        rounds.append([_sides(a, b, index) for a, b in pairs if a is not None and b is not None])
        players = [players[0], players[-1], *players[1:-1]]
    return rounds


def _sides(a: str, b: str, index: dict[str, int]) -> Pair:
    i, j = sorted((index[a], index[b]))
    low, high = (a, b) if index[a] < index[b] else (b, a)
    odd = len(index) if len(index) % 2 else len(index) - 1
    if j == odd:                    # the extra entrant of an even field alternates
        return (low, high) if i % 2 == 0 else (high, low)
    return (low, high) if j - i <= (odd - 1) // 2 else (high, low)


class _Cycles(Format):
    """A fixed list of rounds of pairs, played `repeats` times; both sides of every meeting with side_swap."""

    def rounds(self) -> list[list[Pair]]:
        raise NotImplementedError

    def next_stage(self, stage: int, played: Sequence[Played], byes: Sequence[str]) -> Stage | None:
        return Stage(list(self._schedule())) if stage == 0 else None

    def expected_total(self) -> int:
        per_meeting = 2 if self.roster.options["side_swap"] else 1
        pairs = sum(len(pairs) for pairs in self.rounds())
        return pairs * per_meeting * self.roster.options["repeats"] * self.roster.maps

    def _schedule(self) -> list[ScheduledMatch]:
        per_meeting = 2 if self.roster.options["side_swap"] else 1
        rounds = self.rounds()
        return [match
                for cycle in range(self.roster.options["repeats"])
                for number, pairs in enumerate(rounds)
                for pair in pairs
                for match in meeting(self.roster, 0, cycle * len(rounds) + number, pair, per_meeting,
                                     first_game=cycle * per_meeting)]


class RoundRobin(_Cycles):
    """Every entrant meets every other `repeats` times on every map."""

    def rounds(self) -> list[list[Pair]]:
        return circle_rounds(self.roster.entrants)


class Gauntlet(_Cycles):
    """Each challenger meets every entrant of the field; the field does not play itself."""

    def rounds(self) -> list[list[Pair]]:
        challengers = self.roster.options["challengers"]
        field = [name for name in self.roster.entrants if name not in challengers]
        # Sides alternate in a checkerboard, so every bot's seat counts differ by at most one.
        return [[(c, f) if (i + j) % 2 == 0 else (f, c) for i, c in enumerate(challengers)] for j, f in enumerate(field)]


class Sprt(Format):
    """A against B, pair by pair with sides swapped, until the SPRT decides or max_matches."""

    def __init__(self, roster: Roster) -> None:
        super().__init__(roster)
        self._seen, self._counts = 0, Counter[str]()

    def next_stage(self, stage: int, played: Sequence[Played], byes: Sequence[str]) -> Stage | None:
        if stage > 0:
            return None
        pair = (self.roster.options["a"], self.roster.options["b"])
        pairs = (self.roster.options["max_matches"] + 1) // 2
        return Stage([schedule_match(self.roster, 0, number, pair[::-1] if side else pair, number % self.roster.maps, side)
                      for number in range(pairs) for side in (0, 1)])

    def expected_total(self) -> int:
        return 2 * ((self.roster.options["max_matches"] + 1) // 2)

    def result(self, played: Sequence[Played]) -> SprtResult:
        """The test on every match played so far (`played` only ever grows: counted incrementally)."""
        if len(played) < self._seen:
            self._seen, self._counts = 0, Counter()
        for match in played[self._seen:]:
            self._counts[match.outcome(self.roster.options["a"])] += 1
        self._seen = len(played)
        options = self.roster.options
        return sprt(self._counts["win"], self._counts["draw"], self._counts["loss"],
                    options["elo0"], options["elo1"], options["alpha"], options["beta"])

    def decided(self, played: Sequence[Played]) -> bool:
        return self.result(played).decision is not None

    def describe(self, played: Sequence[Played]) -> dict[str, Any]:
        result, options = self.result(played), self.roster.options
        return {"sprt": {"a": options["a"], "b": options["b"], "elo0": options["elo0"], "elo1": options["elo1"],
                         "alpha": options["alpha"], "beta": options["beta"], "llr": result.llr,
                         "lower": result.lower, "upper": result.upper, "decision": result.decision,
                         "wins": result.wins, "draws": result.draws, "losses": result.losses}}


FORMATS: dict[str, type[Format]] = {"round_robin": RoundRobin, "gauntlet": Gauntlet, "swiss": Swiss,
                                    "knockout": Knockout, "sprt": Sprt}


def make_format(roster: Roster) -> Format:
    """The format named by the roster's options["type"]."""
    return FORMATS[roster.options["type"]](roster)
