"""Standings: wins/draws/losses, points, openskill ratings, verdict counts, the crosstable.

Everything is recomputed from the stored matches in schedule order, so the
standings do not depend on the order parallel matches happened to finish in,
and a resumed tournament's standings equal an uninterrupted one's.

Ratings are openskill's Plackett-Luce model (mu, sigma; ordinal = mu - 3
sigma, the conservative estimate the table sorts ties by). A double forfeit
(every seat faulted) counts as a loss for both and does not move ratings.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Sequence

from openskill.models import PlackettLuce

from .elo import EloEstimate, elo_estimate
from .schedule import Outcome, Played


@dataclass(frozen=True, slots=True)
class Scoring:
    win: float = 1.0
    draw: float = 0.5
    loss: float = 0.0
    bye_wins: int = 0          # a bye is worth this many wins (Swiss)

    def points(self, outcome: Outcome) -> float:
        return {Outcome.WIN: self.win, Outcome.DRAW: self.draw, Outcome.LOSS: self.loss}[outcome]


@dataclass(slots=True)
class Standing:
    name: str
    wins: int = 0
    draws: int = 0
    losses: int = 0
    byes: int = 0
    points: float = 0.0
    mu: float = 0.0
    sigma: float = 0.0
    verdicts: Counter[str] = field(default_factory=Counter)

    @property
    def games(self) -> int:
        return self.wins + self.draws + self.losses

    @property
    def ordinal(self) -> float:
        return self.mu - 3 * self.sigma

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "games": self.games, "wins": self.wins, "draws": self.draws, "losses": self.losses,
                "byes": self.byes, "points": self.points, "mu": self.mu, "sigma": self.sigma,
                "ordinal": self.ordinal, "verdicts": dict(self.verdicts)}


@dataclass(slots=True)
class Table:
    standings: list[Standing]                           # best first
    cross: dict[str, dict[str, list[int]]]              # cross[a][b] = [a's wins, draws, losses] against b

    def head_to_head(self, a: str, b: str) -> EloEstimate | None:
        """Elo of a over b with its 95% interval; None when they never met."""
        return elo_estimate(*self.cross[a][b])


def compute(names: Sequence[str], played: Sequence[Played], byes: Sequence[str], scoring: Scoring) -> Table:
    """The standings of `names` after `played` (in schedule order) and `byes`."""
    rows = {name: Standing(name) for name in names}
    cross = {a: {b: [0, 0, 0] for b in names if b != a} for a in names}
    for match in played:
        _count(match, rows, cross, scoring)
    for name in byes:
        rows[name].byes += 1
        rows[name].points += scoring.bye_wins * scoring.win
    _rate(rows, played)
    ordered = sorted(rows.values(), key=lambda row: (-row.points, -row.ordinal, row.name))
    return Table(ordered, cross)


def _count(match: Played, rows: dict[str, Standing], cross: dict[str, dict[str, list[int]]], scoring: Scoring) -> None:
    seats = match.match.seats
    for seat, name in enumerate(seats):
        row, outcome = rows[name], match.outcome(name)
        row.verdicts[str(match.verdicts[seat])] += 1
        row.points += scoring.points(outcome)
        row.wins += outcome is Outcome.WIN
        row.draws += outcome is Outcome.DRAW
        row.losses += outcome is Outcome.LOSS
        column = {Outcome.WIN: 0, Outcome.DRAW: 1, Outcome.LOSS: 2}[outcome]
        for other in seats:
            if other != name:
                cross[name][other][column] += 1


def _rate(rows: dict[str, Standing], played: Sequence[Played]) -> None:
    model = PlackettLuce()
    ratings = {name: model.rating(name=name) for name in rows}
    for match in played:
        if match.double_forfeit:
            continue
        teams = model.rate([[ratings[name]] for name in match.match.seats], ranks=list(match.ranks))
        for name, (rating,) in zip(match.match.seats, teams):
            ratings[name] = rating
    for name, rating in ratings.items():
        rows[name].mu, rows[name].sigma = rating.mu, rating.sigma
