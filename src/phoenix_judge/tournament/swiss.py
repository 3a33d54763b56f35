"""Swiss: N rounds, each pairing entrants on equal or close points who have not met yet.

Pairing is Monrad-style: entrants sorted by points (seed order breaks ties),
the top one paired with the highest-placed opponent it has not met, the rest
likewise, backtracking when a later entrant would be left without a fresh
opponent. Only when no rematch-free pairing exists (or the search gives up
after `_SEARCH_BUDGET` steps) are rematches allowed, fewest first. In an
even field a pairing that would leave the next round no rematch-free pairing
is avoided when another exists. One round of look-ahead is not a proof: a
Swiss with nearly as many rounds as opponents (n - 2 or more) can still be
forced into a late rematch; a round-robin is the format for that. With an
odd field the lowest-placed entrant that has had the fewest byes sits out
and is credited as if it had won all its games of the round.
"""
from __future__ import annotations

from collections import Counter
from typing import Callable, Sequence

from .schedule import Format, Played, Roster, Stage, meeting, seeded_order

Pair = tuple[str, str]
_SEARCH_BUDGET = 200_000


class Swiss(Format):
    def __init__(self, roster: Roster) -> None:
        super().__init__(roster)
        self.games = roster.options["games_per_pairing"]
        self.bye_wins = self.games * roster.maps      # a bye counts as this many won matches

    def next_stage(self, stage: int, played: Sequence[Played], byes: Sequence[str]) -> Stage | None:
        if stage >= self.roster.options["rounds"]:
            return None
        order = self.standing_order(played, byes)
        bye = self._bye(order, byes) if len(order) % 2 else None
        look_ahead = bye is None and stage + 1 < self.roster.options["rounds"]
        pairs = pair_up([name for name in order if name != bye], met_pairs(played), look_ahead)
        firsts = Counter(match.match.seats[0] for match in played)
        matches = [match for a, b in pairs
                   for match in meeting(self.roster, stage, stage, (a, b) if firsts[a] <= firsts[b] else (b, a),
                                        self.games, label=f"round {stage + 1}")]
        return Stage(matches, [bye] if bye else [])

    def expected_total(self) -> int:
        return self.roster.options["rounds"] * (len(self.roster.entrants) // 2) * self.games * self.roster.maps

    def standing_order(self, played: Sequence[Played], byes: Sequence[str]) -> list[str]:
        """Entrants by points so far, highest first; seed order breaks ties."""
        points: Counter[str] = Counter()
        for match in played:
            for name in match.match.seats:
                points[name] += match.score(name)
        for name in byes:
            points[name] += self.bye_wins
        return sorted(seeded_order(self.roster, self.roster.options["seeding"]), key=lambda name: -points[name])

    @staticmethod
    def _bye(order: list[str], byes: Sequence[str]) -> str:
        counts = Counter(byes)
        return min(reversed(order), key=lambda name: counts[name])


def met_pairs(played: Sequence[Played]) -> set[frozenset[str]]:
    return {frozenset(match.match.seats) for match in played}


def pair_up(order: list[str], met: set[frozenset[str]], look_ahead: bool = False) -> list[Pair]:
    """Pairs for an even `order`: without rematches when possible, else as few as the greedy finds.

    With `look_ahead` (an even field with a round to come), a rematch-free
    pairing that leaves the next round no rematch-free pairing is passed over
    for one that does, when there is one.
    """
    budget = [_SEARCH_BUDGET]        # shared by the search and its look-ahead: bounded work per round
    def next_round_possible(pairs: tuple[Pair, ...]) -> bool:
        after = met | {frozenset(pair) for pair in pairs}
        return _search(order, after, budget, _any) is not None
    if look_ahead and (fresh := _search(order, met, budget, next_round_possible)) is not None:
        return fresh
    fresh = _search(order, met, [_SEARCH_BUDGET], _any)
    return fresh if fresh is not None else _greedy(order, met)


def _any(pairs: tuple[Pair, ...]) -> bool:
    return True


def _search(pool: list[str], met: set[frozenset[str]], budget: list[int],
            accept: Callable[[tuple[Pair, ...]], bool], chosen: tuple[Pair, ...] = ()) -> list[Pair] | None:
    """Depth-first: the first entrant with the best-placed fresh opponent, backtracking; None past the budget."""
    if not pool:
        return list(chosen) if accept(chosen) else None
    first, rest = pool[0], pool[1:]
    for i, other in enumerate(rest):
        if frozenset((first, other)) in met:
            continue
        budget[0] -= 1
        if budget[0] < 0:
            return None
        found = _search(rest[:i] + rest[i + 1:], met, budget, accept, (*chosen, (first, other)))
        if found is not None:
            return found
    return None


def _greedy(order: list[str], met: set[frozenset[str]]) -> list[Pair]:
    pool, pairs = list(order), []
    while pool:
        first = pool.pop(0)
        other = next((name for name in pool if frozenset((first, name)) not in met), pool[0])
        pool.remove(other)
        pairs.append((first, other))
    return pairs
