"""End-to-end matches: real bot processes through the real launcher, one verdict per fault."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import assert_all_records, fakebot, python_bot, read_jsonl, sample
from phoenix_judge.config.game_config import load_config
from phoenix_judge.match import play_match
from phoenix_judge.outcome import Termination, Verdict

pytestmark = pytest.mark.e2e


def play(path: Path):
    return play_match(load_config(path))


def test_sample_bots_play_a_complete_connect4_match(match_config) -> None:
    result = play(match_config("connect4", [sample("greedy", "connect4_greedy"), sample("random", "connect4_random")]))
    assert result.termination is Termination.GAME_OVER
    assert all(seat.verdict is Verdict.OK for seat in result.seats)
    assert_all_records(result, 2)
    frames = json.loads(Path(result.records["replay"]).read_text())["frames"]
    assert len(frames) == result.turns + 1          # the initial position plus one frame a turn


@pytest.mark.parametrize(("flags", "verdict", "words"), [
    (["--crash"], Verdict.CRASH, "code 3"),
    (["--crash-signal"], Verdict.CRASH, "SIGSEGV"),
    (["--stall"], Verdict.TIMEOUT, ""),
    (["--garbage"], Verdict.PROTOCOL_ERROR, "JSON"),
    (["--illegal"], Verdict.ILLEGAL_MOVE, "99"),
    (["--huge-line"], Verdict.OUTPUT_LIMIT, "bytes"),
    (["--no-read"], Verdict.TIMEOUT, ""),
    (["--late"], Verdict.TIMEOUT, ""),
    (["--slow-start"], Verdict.TIMEOUT, "start-up"),
    (["--bad-version"], Verdict.PROTOCOL_ERROR, "sky 2"),
])
def test_each_fault_gets_its_verdict_and_the_other_bot_wins(match_config, flags, verdict, words) -> None:
    path = match_config("connect4", [fakebot("faulty", *flags), sample("random", "connect4_random")],
                        timeout=0.5, limits={"startup_s": 3, "line_bytes": 65536})
    result = play(path)
    faulty, other = result.seats
    assert faulty.verdict is verdict, faulty.reason
    assert words.lower() in faulty.reason.lower()
    assert other.verdict is Verdict.OK and other.rank == 1 and faulty.rank == 2
    assert_all_records(result, 2)
    errors = read_jsonl(result.records["errorlog"])
    assert [e["verdict"] for e in errors if e.get("seat") == 0] == [str(verdict)]


def test_a_faulty_bot_is_disqualified_and_the_others_play_on(match_config) -> None:
    bots = [fakebot("crasher", "--crash", "--at", "2"), sample("r1", "phoenix_random"), sample("r2", "phoenix_random")]
    result = play(match_config("phoenix", bots, max_iters=30, timeout=1.0))
    crasher, first, second = result.seats
    assert crasher.verdict is Verdict.CRASH and crasher.rank == 3
    assert first.verdict is second.verdict is Verdict.OK
    assert first.moves > 2 and second.moves > 2          # they kept playing after the crash at turn 2
    assert_all_records(result, 3)


def test_stderr_flood_is_capped_and_the_bot_still_plays(match_config) -> None:
    bots = [fakebot("loud", "--stderr-flood"), sample("random", "connect4_random")]
    result = play(match_config("connect4", bots, limits={"startup_s": 10, "debug_bytes": 4096}))
    assert result.seats[0].verdict is Verdict.OK
    debug = Path(result.records["debuglog.0"]).read_text()
    assert len(debug.encode()) < 4096 + 400 and "dropped" in debug


def test_stale_replies_are_logged_and_never_taken(match_config) -> None:
    bots = [fakebot("stale", "--stale"), sample("random", "connect4_random")]
    result = play(match_config("connect4", bots))
    assert result.seats[0].verdict is Verdict.OK
    moves = [r for r in read_jsonl(result.records["movelog"]) if r.get("seat") == 0]
    assert any("stale" in str(r.get("note", "")) for r in moves)


def test_end_match_policy_stops_at_the_first_fault(match_config) -> None:
    bots = [fakebot("crasher", "--crash", "--at", "2"), sample("r1", "phoenix_random"), sample("r2", "phoenix_random")]
    result = play(match_config("phoenix", bots, max_iters=30, on_fault="end_match"))
    assert result.seats[0].verdict is Verdict.CRASH
    assert result.turns <= 3


def test_cpu_time_per_move_is_enforced_under_a_generous_wall_limit(match_config, tmp_path) -> None:
    burner = python_bot(tmp_path / "burner", "burner", "end = time.process_time() + 0.4\n"
                        "while time.process_time() < end:\n    pass\nreturn observation['legal'][0]")
    bots = [burner, sample("random", "connect4_random")]
    result = play(match_config("connect4", bots, timeout=5.0, limits={"startup_s": 10, "move_cpu_s": 0.1}))
    assert result.seats[0].verdict is Verdict.CPU_TIMEOUT, result.seats[0].reason
    assert "CPU" in result.seats[0].reason
    assert result.seats[1].verdict is Verdict.OK


def test_keep_arena_leaves_each_bot_folder_with_what_the_bot_wrote(match_config, tmp_path) -> None:
    writer = python_bot(tmp_path / "writer", "writer", "open('notes.txt', 'a').write('turn\\n')\n"
                        "return observation['legal'][0]")
    bots = [writer, sample("random", "connect4_random")]
    spec = load_config(match_config("connect4", bots), keep_arena=True)
    result = play_match(spec)
    assert result.seats[0].verdict is Verdict.OK
    notes = spec.arena_root / spec.match_id / "0-writer" / "notes.txt"
    assert notes.read_text().count("turn") == result.seats[0].moves
    assert (spec.arena_root / spec.match_id / "0-writer" / "sky.py").is_file()
