"""The runner with forked workers: every match once, judge failures retried, never a bot's loss."""
from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from phoenix_judge.outcome import Verdict
from phoenix_judge.tournament.formats import make_format
from phoenix_judge.tournament.runner import Runner
from phoenix_judge.tournament.spec import load_tournament
from phoenix_judge.tournament.store import Store
from phoenix_judge.tournament.summary import build_summary
from tournament_support import ScriptedPlay, tournament_file

BOTS = [f"bots/bot{i}" for i in range(5)]


def run(path: Path, play: ScriptedPlay, jobs: int = 2, retries: int = 1, pin: bool = False):
    spec = load_tournament(path)
    store = Store(spec.output / "tournament.sqlite")
    try:
        report = Runner(spec, store, jobs=jobs, play=play, retries=retries, pin=pin, progress=False).run()
        return report, store.rows(), build_summary(spec, store)
    finally:
        store.close()


def test_a_parallel_round_robin_plays_every_match_exactly_once(tmp_path: Path) -> None:
    path = tournament_file(tmp_path, BOTS, {"type": "round_robin", "repeats": 2})
    report, rows, summary = run(path, ScriptedPlay())
    assert report.finished and not report.failed and report.played == len(rows) == 5 * 4 * 2
    assert all(row.status == "done" and row.attempts == 1 and row.record_id == row.match.match_id for row in rows)
    games = {row["name"]: row["games"] for row in summary["standings"]}
    assert games == {f"bot{i}": 16 for i in range(5)}
    assert summary["standings"][0]["name"] == "bot4"
    again, _, _ = run(path, ScriptedPlay())
    assert again.finished and again.played == 0


def scheduled_ids(path: Path) -> list[str]:
    return [m.match_id for m in make_format(load_tournament(path).roster()).next_stage(0, [], []).matches]


def test_a_dead_worker_costs_only_a_retry_under_a_new_record_id(tmp_path: Path) -> None:
    path = tournament_file(tmp_path, BOTS[:3], {"type": "round_robin"})
    victim = scheduled_ids(path)[1]
    report, rows, summary = run(path, ScriptedPlay(die_on={victim}))
    row = next(row for row in rows if row.match.match_id == victim)
    assert report.finished and not report.failed
    assert (row.status, row.attempts, row.record_id) == ("done", 2, f"{victim}-a2")
    assert sum(s["games"] for s in summary["standings"]) == 2 * 6
    assert all(set(s["verdicts"]) == {"ok"} for s in summary["standings"])


def test_a_match_the_judge_keeps_failing_is_left_failed_and_played_on_the_next_run(tmp_path: Path) -> None:
    path = tournament_file(tmp_path, BOTS[:3], {"type": "round_robin"})
    failing = scheduled_ids(path)[0]
    report, rows, summary = run(path, ScriptedPlay(fail_on={failing}), retries=2)
    row = next(row for row in rows if row.match.match_id == failing)
    assert report.failed == [failing] and not report.finished
    assert (row.status, row.attempts) == ("failed", 3) and "scripted judge failure" in row.error
    assert summary["tournament"]["failed"] == 1 and sum(s["games"] for s in summary["standings"]) == 2 * 5
    report, rows, summary = run(path, ScriptedPlay())
    assert report.finished and report.played == 1
    assert all(row.status == "done" for row in rows)


def test_faults_are_counted_per_bot_and_lose_the_match(tmp_path: Path) -> None:
    path = tournament_file(tmp_path, BOTS[:3], {"type": "round_robin"})
    _, _, summary = run(path, ScriptedPlay(faults={"bot2": Verdict.SECURITY_VIOLATION}))
    rows = {row["name"]: row for row in summary["standings"]}
    assert rows["bot2"]["verdicts"] == {"security_violation": 4} and rows["bot2"]["losses"] == 4
    assert summary["standings"][-1]["name"] == "bot2"


def test_sprt_stops_as_soon_as_it_decides(tmp_path: Path) -> None:
    fmt = {"type": "sprt", "a": "bot9", "b": "bot0", "elo0": 0, "elo1": 200, "max_matches": 400}
    path = tournament_file(tmp_path, ["bots/bot0", "bots/bot9"], fmt)
    report, rows, summary = run(path, ScriptedPlay())
    assert report.finished
    assert summary["sprt"]["decision"] == "H1"
    done = [row for row in rows if row.status == "done"]
    assert len(done) < 40 < len(rows)
    assert summary["sprt"]["wins"] + summary["sprt"]["draws"] + summary["sprt"]["losses"] == len(done)


def test_swiss_and_knockout_run_stage_by_stage_and_resume_without_replaying(tmp_path: Path) -> None:
    for fmt in ({"type": "swiss", "rounds": 3}, {"type": "knockout", "games_per_pairing": 1}):
        folder = tmp_path / fmt["type"]
        path = tournament_file(folder, BOTS, fmt)
        report, rows, summary = run(path, ScriptedPlay())
        assert report.finished and all(row.status == "done" for row in rows)
        assert Counter(row.match.match_id for row in rows).most_common(1)[0][1] == 1
        again, rows_again, _ = run(path, ScriptedPlay())
        assert again.played == 0 and len(rows_again) == len(rows)
    assert summary["knockout"]["champion"] == "bot4"


def test_pin_gives_each_worker_its_own_core(tmp_path: Path) -> None:
    cores = sorted(os.sched_getaffinity(0))
    jobs = min(2, len(cores))
    _, pinned, _ = run(tournament_file(tmp_path / "pinned", BOTS, {"type": "round_robin"}), ScriptedPlay(), jobs, pin=True)
    assert {row.result["records"]["cores"] for row in pinned} == {str(core) for core in cores[:jobs]}
    _, free, _ = run(tournament_file(tmp_path / "free", BOTS, {"type": "round_robin"}), ScriptedPlay(), jobs)
    assert {row.result["records"]["cores"] for row in free} == {",".join(map(str, cores))}
