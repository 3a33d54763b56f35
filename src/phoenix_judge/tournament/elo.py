"""Elo from match scores: head-to-head differences with a 95% interval, and the SPRT.

Scores are 1 / ½ / 0 per match. The interval is the usual normal one on the
mean score (as cutechess and fastchess print it), mapped through the logistic
Elo curve. The SPRT is the generalised SPRT on the trinomial (win/draw/loss)
distribution with maximum-likelihood estimates under each hypothesis, the
method fishtest uses; zero counts are regularised like fishtest's so a run of
pure wins still gives a finite, honest log-likelihood ratio.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

Z95 = 1.959963984540054          # two-sided 95% quantile of the standard normal
_REGULARISE = 1e-3                # stands in for a zero count (fishtest's `regularize`)
_BISECTION_STEPS = 200


def score_from_elo(elo: float) -> float:
    return 1.0 / (1.0 + 10.0 ** (-elo / 400.0))


def elo_from_score(score: float) -> float:
    """Logistic Elo difference for a mean score; ±inf at 0 and 1."""
    if score <= 0.0:
        return -math.inf
    if score >= 1.0:
        return math.inf
    return -400.0 * math.log10(1.0 / score - 1.0)


@dataclass(frozen=True, slots=True)
class EloEstimate:
    """Elo of A over B from A's wins, draws and losses against B, with its 95% interval."""

    wins: int
    draws: int
    losses: int
    score: float
    elo: float
    low: float
    high: float

    @property
    def games(self) -> int:
        return self.wins + self.draws + self.losses


def elo_estimate(wins: int, draws: int, losses: int) -> EloEstimate | None:
    """None when no match was played."""
    games = wins + draws + losses
    if games == 0:
        return None
    score = (wins + 0.5 * draws) / games
    variance = (wins * (1 - score) ** 2 + draws * (0.5 - score) ** 2 + losses * score ** 2) / games
    margin = Z95 * math.sqrt(variance / games)
    return EloEstimate(wins, draws, losses, score, elo_from_score(score),
                       elo_from_score(score - margin), elo_from_score(score + margin))


@dataclass(frozen=True, slots=True)
class SprtResult:
    llr: float
    lower: float          # accept H0 at or below
    upper: float          # accept H1 at or above
    wins: int
    draws: int
    losses: int

    @property
    def decision(self) -> str | None:
        """"H1" (A is better by elo1), "H0" (not better than elo0), or None while undecided."""
        if self.llr >= self.upper:
            return "H1"
        if self.llr <= self.lower:
            return "H0"
        return None


def sprt(wins: int, draws: int, losses: int, elo0: float, elo1: float, alpha: float, beta: float) -> SprtResult:
    """Wald's bounds and the GSPRT log-likelihood ratio of H1 (elo1) against H0 (elo0)."""
    lower, upper = math.log(beta / (1 - alpha)), math.log((1 - beta) / alpha)
    return SprtResult(_llr((losses, draws, wins), elo0, elo1), lower, upper, wins, draws, losses)


def _llr(counts: tuple[int, int, int], elo0: float, elo1: float) -> float:
    if sum(counts) == 0:
        return 0.0
    regular = [count if count > 0 else _REGULARISE for count in counts]
    total = sum(regular)
    pdf = [(x, count / total) for x, count in zip((0.0, 0.5, 1.0), regular)]
    q0 = _mle(pdf, score_from_elo(elo0))
    q1 = _mle(pdf, score_from_elo(elo1))
    return total * sum(p * (math.log(b) - math.log(a)) for (_, p), a, b in zip(pdf, q0, q1))


def _mle(pdf: list[tuple[float, float]], mean: float) -> list[float]:
    """The distribution on pdf's outcomes closest to pdf (max likelihood) whose mean is `mean`.

    It is q_i = p_i / (1 + λ (x_i - mean)) for the λ that makes the mean right;
    the constraint's derivative is monotone in λ, so bisection finds it.
    """
    low = -1.0 / (max(x for x, _ in pdf) - mean)
    high = 1.0 / (mean - min(x for x, _ in pdf))
    for _ in range(_BISECTION_STEPS):
        lam = (low + high) / 2
        excess = sum(p * (x - mean) / (1 + lam * (x - mean)) for x, p in pdf)
        low, high = (lam, high) if excess > 0 else (low, lam)
    lam = (low + high) / 2
    return [p / (1 + lam * (x - mean)) for x, p in pdf]
