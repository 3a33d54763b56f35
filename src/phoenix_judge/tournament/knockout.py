"""Single-elimination knockout, seeded from the entrants' order, their rating or the seed.

The bracket is the standard one (seed 1 meets the lowest seed, seeds 1 and 2
can only meet in the final); when the field is not a power of two the top
seeds get byes. A tie is `games_per_pairing` matches per map, sides
alternating; the entrant with more points (win 1, draw ½) goes through. A
level tie plays tie-break rounds of `tiebreak_games` per map, up to
`max_tiebreaks`; still level, the higher seed goes through.

The bracket is never stored: it is replayed from the played matches, so the
runner only persists each stage's matches, like any other format's.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from .schedule import Format, Played, Roster, ScheduledMatch, Stage, meeting, seeded_order


def bracket_order(size: int) -> list[int]:
    """Seed numbers (1-based) in bracket position order for a power-of-two `size`: 1, size, ..."""
    order = [1]
    while len(order) < size:
        total = 2 * len(order) + 1
        order = [seed for top in order for seed in (top, total - top)]
    return order


@dataclass(slots=True)
class Tie:
    high: str | None                      # the higher seed (None: a bye slot)
    low: str | None
    round: int
    points: dict[str, float] = field(default_factory=dict)
    games: int = 0
    winner: str | None = None
    decided_by: str = ""                  # "bye", "games", "tie-break", "seed"

    def to_json(self) -> dict[str, Any]:
        return {"high": self.high, "low": self.low, "round": self.round, "points": self.points,
                "games": self.games, "winner": self.winner, "decided_by": self.decided_by}


class Knockout(Format):
    def __init__(self, roster: Roster) -> None:
        super().__init__(roster)
        options = roster.options
        self.seeds = seeded_order(roster, options["seeding"])
        self.main_games = options["games_per_pairing"] * roster.maps
        self.break_games = options["tiebreak_games"] * roster.maps

    def next_stage(self, stage: int, played: Sequence[Played], byes: Sequence[str]) -> Stage | None:
        rounds = self.replay(played)
        open_ties = [tie for tie in rounds[-1] if tie.winner is None]
        if not open_ties:
            return None
        return Stage([match for tie in open_ties for match in self._games(stage, tie, len(rounds[-1]))])

    def expected_total(self) -> int:
        return (len(self.seeds) - 1) * self.main_games      # without tie-breaks

    def replay(self, played: Sequence[Played]) -> list[list[Tie]]:
        """Every round so far, each tie with its points and (once decided) its winner."""
        size = 1 << (len(self.seeds) - 1).bit_length()
        slots = [self.seeds[seed - 1] if seed <= len(self.seeds) else None for seed in bracket_order(size)]
        rounds: list[list[Tie]] = []
        while len(slots) > 1:
            ties = [self._judge(Tie(*self._by_seed(slots[i], slots[i + 1]), len(rounds)), played)
                    for i in range(0, len(slots), 2)]
            rounds.append(ties)
            if any(tie.winner is None for tie in ties):
                break
            slots = [tie.winner for tie in ties]
        return rounds

    def champion(self, played: Sequence[Played]) -> str | None:
        final = self.replay(played)[-1]
        return final[0].winner if len(final) == 1 else None

    def describe(self, played: Sequence[Played]) -> dict[str, Any]:
        rounds = self.replay(played)
        return {"knockout": {"seeds": self.seeds, "champion": self.champion(played),
                             "rounds": [[tie.to_json() for tie in ties] for ties in rounds]}}

    def _by_seed(self, a: str | None, b: str | None) -> tuple[str | None, str | None]:
        if a is None or (b is not None and self.seeds.index(b) < self.seeds.index(a)):
            return b, a
        return a, b

    def _judge(self, tie: Tie, played: Sequence[Played]) -> Tie:
        if tie.low is None:
            tie.winner, tie.decided_by = tie.high, "bye"
            return tie
        pair = {tie.high, tie.low}
        games = [match for match in played if match.match.round == tie.round and set(match.match.seats) == pair]
        tie.points = {name: sum(match.score(name) for match in games) for name in (tie.high, tie.low)}
        tie.games = len(games)
        tiebreaks_played = max(0, tie.games - self.main_games) // self.break_games
        if tie.games < self.main_games:
            return tie
        if tie.points[tie.high] != tie.points[tie.low]:
            tie.winner = max(pair, key=lambda name: tie.points[name])
            tie.decided_by = "tie-break" if tiebreaks_played else "games"
        elif tiebreaks_played >= self.roster.options["max_tiebreaks"]:
            tie.winner, tie.decided_by = tie.high, "seed"
        return tie

    def _games(self, stage: int, tie: Tie, ties_in_round: int) -> list[ScheduledMatch]:
        if tie.high is None or tie.low is None:      # a bye: decided without games
            return []
        name = _round_name(ties_in_round)
        if tie.games == 0:
            games, label = self.main_games, name
        else:
            games, label = self.break_games, f"{name} tie-break {(tie.games - self.main_games) // self.break_games + 1}"
        per_map = games // self.roster.maps
        return list(meeting(self.roster, stage, tie.round, (tie.high, tie.low), per_map, label,
                            first_game=tie.games // self.roster.maps))


def _round_name(ties: int) -> str:
    return {1: "final", 2: "semi-final", 4: "quarter-final"}.get(ties, f"round of {2 * ties}")
