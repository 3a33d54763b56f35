"""Schedule properties: every pair meets as often as the format says, sides balance, ids are stable."""
from __future__ import annotations

import random
from collections import Counter
from itertools import combinations

import pytest

from phoenix_judge.outcome import Verdict
from phoenix_judge.tournament.formats import circle_rounds, make_format
from phoenix_judge.tournament.knockout import bracket_order
from phoenix_judge.tournament.schedule import Played, Roster, ScheduledMatch
from phoenix_judge.tournament.swiss import pair_up


def roster(n: int, fmt: dict, maps: int = 1, seed: int = 5, ratings: dict | None = None) -> Roster:
    return Roster("t", seed, tuple(f"bot{i}" for i in range(n)), fmt, maps, ratings or {})


def static_schedule(r: Roster) -> list[ScheduledMatch]:
    fmt = make_format(r)
    stage = fmt.next_stage(0, [], [])
    assert fmt.next_stage(1, [], []) is None
    assert len(stage.matches) == fmt.expected_total()
    return stage.matches


def seat_counts(matches: list[ScheduledMatch]) -> Counter:
    return Counter((m.seats[0], 0) for m in matches) + Counter((m.seats[1], 1) for m in matches)


@pytest.mark.parametrize("n", [2, 3, 4, 5, 6, 7, 10])
@pytest.mark.parametrize(("repeats", "maps"), [(1, 1), (2, 1), (3, 2)])
def test_round_robin_with_side_swap_every_pair_meets_equally_on_both_sides(n: int, repeats: int, maps: int) -> None:
    matches = static_schedule(roster(n, {"type": "round_robin", "repeats": repeats, "side_swap": True}, maps))
    ordered = Counter(m.seats for m in matches)
    for a, b in combinations([f"bot{i}" for i in range(n)], 2):
        assert ordered[(a, b)] == ordered[(b, a)] == repeats * maps
    per_map = Counter(m.map_index for m in matches)
    assert set(per_map.values()) == {n * (n - 1) * repeats}


@pytest.mark.parametrize("n", [3, 4, 5, 6, 8, 9, 12])
@pytest.mark.parametrize("repeats", [1, 2, 3])
def test_round_robin_without_swap_keeps_each_bots_sides_within_one(n: int, repeats: int) -> None:
    matches = static_schedule(roster(n, {"type": "round_robin", "repeats": repeats, "side_swap": False}))
    pairs = Counter(frozenset(m.seats) for m in matches)
    assert len(pairs) == n * (n - 1) // 2 and set(pairs.values()) == {repeats}
    sides = seat_counts(matches)
    for i in range(n):
        assert abs(sides[(f"bot{i}", 0)] - sides[(f"bot{i}", 1)]) <= 1


def test_circle_rounds_have_nobody_twice_in_a_round() -> None:
    for n in range(2, 15):
        rounds = circle_rounds([str(i) for i in range(n)])
        assert len(rounds) == (n - 1 if n % 2 == 0 else n)
        for pairs in rounds:
            names = [name for pair in pairs for name in pair]
            assert len(names) == len(set(names))


def test_ids_and_seeds_are_stable_unique_and_follow_the_tournament_seed() -> None:
    fmt = {"type": "round_robin", "repeats": 2, "side_swap": True}
    first, again = static_schedule(roster(6, fmt)), static_schedule(roster(6, fmt))
    assert [(m.match_id, m.seed) for m in first] == [(m.match_id, m.seed) for m in again]
    assert len({m.match_id for m in first}) == len(first)
    other = static_schedule(roster(6, fmt, seed=6))
    assert not {m.match_id for m in first} & {m.match_id for m in other}
    assert all(m.match_id.startswith("t-s0r") for m in first)


def test_gauntlet_challengers_meet_the_field_and_the_field_never_meets_itself() -> None:
    r = roster(5, {"type": "gauntlet", "challengers": ["bot0", "bot3"], "repeats": 2, "side_swap": True}, maps=2)
    matches = static_schedule(r)
    pairs = Counter(frozenset(m.seats) for m in matches)
    expected = {frozenset((c, f)) for c in ("bot0", "bot3") for f in ("bot1", "bot2", "bot4")}
    assert set(pairs) == expected and set(pairs.values()) == {2 * 2 * 2}
    sides = seat_counts(matches)
    assert all(sides[(name, 0)] == sides[(name, 1)] for name in r.entrants)


def test_sprt_alternates_sides_pair_by_pair() -> None:
    r = roster(3, {"type": "sprt", "a": "bot1", "b": "bot2", "max_matches": 9, "elo0": 0, "elo1": 10,
                   "alpha": 0.05, "beta": 0.05})
    matches = static_schedule(r)
    assert len(matches) == 10
    assert [m.seats for m in matches[:4]] == [("bot1", "bot2"), ("bot2", "bot1")] * 2


def outcome_by_strength(match: ScheduledMatch, rng: random.Random) -> Played:
    """bot<i> beats bot<j> with probability growing with i - j; sometimes a draw."""
    a, b = (int(name[3:]) for name in match.seats)
    roll = rng.random()
    if roll < 0.1:
        ranks = (1, 1)
    else:
        ranks = (1, 2) if rng.random() < 0.5 + (a - b) / 40 else (2, 1)
    return Played(match, ranks, (Verdict.OK, Verdict.OK))


def play_adaptive(r: Roster, seed: int = 1) -> tuple[list[list[ScheduledMatch]], list[Played], list[str]]:
    fmt, rng = make_format(r), random.Random(seed)
    stages, played, byes = [], [], []
    while (stage := fmt.next_stage(len(stages), played, byes)) is not None:
        stages.append(stage.matches)
        byes += stage.byes
        played += [outcome_by_strength(m, rng) for m in stage.matches]
        assert len(stages) < 100
    return stages, played, byes


@pytest.mark.parametrize(("n", "rounds"), [(8, 5), (9, 4), (12, 7), (16, 6), (5, 2), (6, 5), (10, 9), (13, 10)])
@pytest.mark.parametrize("seed", range(4))
def test_swiss_never_rematches_with_rounds_to_spare_and_pairs_everyone_each_round(n: int, rounds: int, seed: int) -> None:
    stages, played, byes = play_adaptive(roster(n, {"type": "swiss", "rounds": rounds, "games_per_pairing": 2,
                                                    "seeding": "order"}), seed)
    assert len(stages) == rounds
    pairings = [frozenset(m.seats) for stage in stages for m in stage[::2]]
    assert len(pairings) == len(set(pairings)), "a rematch"
    for number, stage in enumerate(stages):
        names = [name for m in stage[::2] for name in m.seats]
        assert len(names) == len(set(names)) == n - n % 2
        assert all(m.stage == m.round == number for m in stage)
    assert len(byes) == (rounds if n % 2 else 0) and len(set(byes)) == len(byes)   # nobody sits out twice


def fresh_matching_exists(field: list[str], met: set[frozenset[str]]) -> bool:
    """Brute force: is there any pairing of `field` without a rematch?"""
    if not field:
        return True
    first, rest = field[0], field[1:]
    return any(frozenset((first, other)) not in met and fresh_matching_exists([n for n in rest if n != other], met)
               for other in rest)


@pytest.mark.parametrize(("n", "rounds", "seed"), [(7, 7, 1), (9, 9, 0), (11, 11, 9), (14, 13, 8), (6, 5, 2)])
def test_swiss_rematches_only_in_a_round_where_every_pairing_is_a_rematch(n: int, rounds: int, seed: int) -> None:
    stages, _, byes = play_adaptive(roster(n, {"type": "swiss", "rounds": rounds, "games_per_pairing": 1,
                                               "seeding": "order"}), seed)
    met: set[frozenset[str]] = set()
    for stage in stages:
        pairs = {frozenset(m.seats) for m in stage}
        if pairs & met:
            field = [name for m in stage for name in m.seats]
            assert not fresh_matching_exists(field, met), "a rematch although a fresh pairing existed"
        met |= pairs


def test_swiss_with_more_rounds_than_opponents_allows_only_needed_rematches() -> None:
    stages, _, _ = play_adaptive(roster(4, {"type": "swiss", "rounds": 5, "games_per_pairing": 1, "seeding": "order"}))
    firsts = [frozenset(m.seats) for stage in stages[:3] for m in stage]
    assert len(set(firsts)) == 6        # the first three rounds are the three rematch-free ones


def test_pair_up_backtracks_instead_of_forcing_a_rematch() -> None:
    # Greedy top-down would pair a-b, then c-d have met: the only fresh pairing is a-c, b-d.
    met = {frozenset(("c", "d")), frozenset(("a", "d"))}
    pairs = pair_up(["a", "b", "c", "d"], met)
    assert {frozenset(p) for p in pairs} == {frozenset(("a", "c")), frozenset(("b", "d"))}


def test_bracket_order_puts_top_seeds_in_opposite_halves() -> None:
    assert bracket_order(8) == [1, 8, 4, 5, 2, 7, 3, 6]
    for size in (2, 4, 16, 32):
        order = bracket_order(size)
        assert sorted(order) == list(range(1, size + 1))
        assert all(order[i] + order[i + 1] == size + 1 for i in range(0, size, 2))


@pytest.mark.parametrize("n", [2, 3, 5, 8, 11])
def test_knockout_ends_with_one_champion_who_never_lost_a_tie(n: int) -> None:
    r = roster(n, {"type": "knockout", "seeding": "order", "games_per_pairing": 2, "tiebreak_games": 2,
                   "max_tiebreaks": 2})
    fmt = make_format(r)
    stages, played, _ = play_adaptive(r)
    rounds = fmt.replay(played)
    champion = fmt.champion(played)
    assert champion is not None and len(rounds[-1]) == 1
    assert all(tie.winner is not None for ties in rounds for tie in ties)
    eliminated = {tie.high if tie.winner == tie.low else tie.low for ties in rounds for tie in ties} - {None}
    assert eliminated == set(r.entrants) - {champion}
    ids = [m.match_id for stage in stages for m in stage]
    assert len(ids) == len(set(ids))


def test_knockout_byes_go_to_the_top_seeds_and_tie_breaks_follow_a_level_tie() -> None:
    r = roster(3, {"type": "knockout", "seeding": "rating", "games_per_pairing": 2, "tiebreak_games": 2,
                   "max_tiebreaks": 1}, ratings={"bot2": 2000, "bot0": 1500, "bot1": 1000})
    fmt = make_format(r)
    first = fmt.next_stage(0, [], []).matches
    assert {frozenset(m.seats) for m in first} == {frozenset(("bot0", "bot1"))}   # bot2, top seed, has a bye
    level = [Played(m, (1, 2), (Verdict.OK, Verdict.OK)) for m in first]          # each wins with seat 0: 1-1
    tiebreak = fmt.next_stage(1, level, []).matches
    assert len(tiebreak) == 2 and all(m.label == "semi-final tie-break 1" for m in tiebreak)
    still_level = level + [Played(m, (1, 1), (Verdict.OK, Verdict.OK)) for m in tiebreak]
    final = fmt.next_stage(2, still_level, []).matches
    assert {frozenset(m.seats) for m in final} == {frozenset(("bot2", "bot0"))}   # level after tie-breaks: higher seed
    assert fmt.replay(still_level)[0][1].decided_by == "seed"
