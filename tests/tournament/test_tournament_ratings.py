"""Elo with intervals, SPRT and standings on known data."""
from __future__ import annotations

import math

import pytest

from phoenix_judge.outcome import Verdict
from phoenix_judge.tournament.elo import elo_estimate, elo_from_score, score_from_elo, sprt
from phoenix_judge.tournament.schedule import Played, ScheduledMatch
from phoenix_judge.tournament.standings import Scoring, compute

OK, CRASH = Verdict.OK, Verdict.CRASH


def test_logistic_elo_round_trips_and_has_the_textbook_values() -> None:
    assert elo_from_score(0.75) == pytest.approx(400 * math.log10(3))      # 190.85
    assert elo_from_score(0.5) == 0
    assert score_from_elo(elo_from_score(0.3)) == pytest.approx(0.3)
    assert elo_from_score(0) == -math.inf and elo_from_score(1) == math.inf


def test_elo_interval_by_hand() -> None:
    # 60 wins, 20 draws, 20 losses: score .7, per-game variance .16, standard error .04.
    estimate = elo_estimate(60, 20, 20)
    low, high = 0.7 - 1.959964 * 0.04, 0.7 + 1.959964 * 0.04
    assert estimate.score == pytest.approx(0.7)
    assert estimate.elo == pytest.approx(-400 * math.log10(1 / 0.7 - 1))
    assert (estimate.low, estimate.high) == (pytest.approx(-400 * math.log10(1 / low - 1), abs=1e-3),
                                             pytest.approx(-400 * math.log10(1 / high - 1), abs=1e-3))
    even = elo_estimate(30, 40, 30)
    assert even.elo == 0 and even.low == pytest.approx(-even.high)
    assert elo_estimate(0, 0, 0) is None


def test_sprt_bounds_are_walds() -> None:
    result = sprt(0, 0, 0, 0, 10, 0.05, 0.05)
    assert result.upper == pytest.approx(math.log(0.95 / 0.05)) == pytest.approx(2.944439, abs=1e-6)
    assert result.lower == -result.upper and result.llr == 0 and result.decision is None


@pytest.mark.parametrize(("wins", "draws", "losses"), [(1000, 500, 900), (4000, 3000, 3800), (700, 100, 650)])
def test_sprt_llr_matches_the_normal_approximation_on_large_samples(wins: int, draws: int, losses: int) -> None:
    n = wins + draws + losses
    s = (wins + draws / 2) / n
    var = (wins * (1 - s) ** 2 + draws * (0.5 - s) ** 2 + losses * s ** 2) / n
    s0, s1 = score_from_elo(0), score_from_elo(10)
    approx = n * (s1 - s0) * (2 * s - s0 - s1) / (2 * var)
    assert sprt(wins, draws, losses, 0, 10, 0.05, 0.05).llr == pytest.approx(approx, rel=0.02)


def test_sprt_on_pure_wins_is_walds_bernoulli_test() -> None:
    # With only wins, each one multiplies the likelihood ratio by s1/s0: finite, honest, no shortcut.
    result = sprt(10, 0, 0, 0, 10, 0.05, 0.05)
    assert result.llr == pytest.approx(10 * math.log(score_from_elo(10) / 0.5), rel=0.01)
    assert result.decision is None
    assert sprt(103, 0, 0, 0, 10, 0.05, 0.05).decision is None     # ln(19) / ln(s1/s0) = 103.5 wins
    assert sprt(104, 0, 0, 0, 10, 0.05, 0.05).decision == "H1"


def test_sprt_decides_both_ways() -> None:
    assert sprt(5000, 5000, 5000, 0, 10, 0.05, 0.05).decision == "H0"
    assert sprt(600, 200, 400, 0, 10, 0.05, 0.05).decision == "H1"
    assert sprt(60, 20, 50, 0, 10, 0.05, 0.05).decision is None


def game(a: str, b: str, ranks: tuple[int, int], verdicts: tuple[Verdict, Verdict] = (OK, OK), n: int = 0) -> Played:
    return Played(ScheduledMatch(f"m{a}{b}{n}", 0, 0, (a, b), 0, 0), ranks, verdicts)


def test_standings_count_points_verdicts_and_the_crosstable() -> None:
    played = [game("a", "b", (1, 2)), game("b", "a", (2, 1), (CRASH, OK)), game("a", "c", (1, 1)),
              game("c", "b", (2, 1)), game("b", "c", (1, 2), (CRASH, CRASH))]     # the last: a double forfeit
    table = compute(["a", "b", "c"], played, ["c"], Scoring(win=3, draw=1, loss=0, bye_wins=2))
    rows = {row.name: row for row in table.standings}
    assert (rows["a"].wins, rows["a"].draws, rows["a"].losses, rows["a"].points) == (2, 1, 0, 7)
    assert (rows["b"].wins, rows["b"].draws, rows["b"].losses, rows["b"].points) == (1, 0, 3, 3)
    assert (rows["c"].wins, rows["c"].draws, rows["c"].losses, rows["c"].byes, rows["c"].points) == (0, 1, 2, 1, 1 + 6)
    assert rows["b"].verdicts == {"ok": 2, "crash": 2} and rows["c"].verdicts == {"ok": 2, "crash": 1}
    assert table.cross["a"]["b"] == [2, 0, 0] and table.cross["b"]["a"] == [0, 0, 2]
    assert table.cross["b"]["c"] == [1, 0, 1] and table.cross["c"]["b"] == [0, 0, 2]
    assert [row.name for row in table.standings] == ["a", "c", "b"]


def test_ratings_order_a_clear_hierarchy_and_grow_sure_with_games() -> None:
    played = [game(x, y, (1, 2), n=i) for i in range(10) for x, y in (("s", "m"), ("m", "w"), ("s", "w"))]
    table = compute(["w", "m", "s"], played, [], Scoring())
    rows = {row.name: row for row in table.standings}
    assert rows["s"].mu > rows["m"].mu > rows["w"].mu
    assert all(row.sigma < 25 / 3 for row in rows.values())       # openskill's prior sigma
    few = {row.name: row for row in compute(["w", "m", "s"], played[:3], [], Scoring()).standings}
    assert rows["s"].sigma < few["s"].sigma


def test_a_double_forfeit_moves_no_rating() -> None:
    table = compute(["a", "b"], [game("a", "b", (1, 1), (CRASH, CRASH))], [], Scoring())
    assert {row.mu for row in table.standings} == {25.0}
    assert all(row.losses == 1 for row in table.standings)
