"""The hostile-bot suite: each attack plays a real jailed match against a sample bot.

For every behaviour in behaviours.BEHAVIOURS the test asserts: the judge survives
(play_match returns); the hostile bot's verdict; the other bot is unharmed (verdict
ok, it moved, the match completed); every record was committed, none holds a
judge-side secret, the debug log keeps its cap and the move log stays small; the
bot reported no escaped step (and, when it played on, at least one refused one);
nothing of the judge's side was reached (listeners, signals, SysV, limits) or written
(the test's folder, the repository, token-named files on the host); the match's arena
is gone; no process is left (nor any child of the judge). All problems of one
behaviour are listed together in the failure message.

Run: .venv/bin/python -m pytest -q tests/hostile   (as root for the whole table).
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from behaviours import BEHAVIOURS, Behaviour
from conftest import assert_all_records, sample
from evidence import (ROOT, files_named, judge_secrets, kill_leftovers, leaks, leftover_processes, remove_files,
                      remove_tree, reports, settle, tree_state)
from judge_side import JudgeSide
from phoenix_judge.config.game_config import load_config
from phoenix_judge.match import play_match
from phoenix_judge.outcome import MatchResult, Termination, Verdict

pytestmark = pytest.mark.e2e

HERE = Path(__file__).resolve().parent
PYTHON_BOT = HERE / "bots"
C_SOURCE = HERE / "csrc" / "hostile.c"
STATIC_LIBC = Path("/usr/lib/x86_64-linux-gnu/libc.a")
NOT_ROOT = "needs root: only the root-only layers (cgroups, per-slot uid) stop it"
MOVE_TIMEOUT_S = 0.5
LIMITS = {"startup_s": 5, "total_cpu_s": 2, "memory_mb": 256, "file_mb": 4, "open_files": 32,
          "processes": 32, "debug_bytes": 64 * 1024}
DEBUG_NOTE_BYTES = 200           # the "[phoenix: N more bytes dropped]" line after a capped debug log
# Whatever a bot sends, the move log of one Connect Four match stays small (a real one is ~10 KB):
# discarded lines are counted, a flood of them must not grow the judge's records without end.
MOVELOG_BOUND = 1024 * 1024


def behaviour_params() -> list[Any]:
    params = []
    for behaviour in BEHAVIOURS:
        marks = [pytest.mark.root, pytest.mark.skipif(os.geteuid() != 0, reason=NOT_ROOT)] if behaviour.root else []
        params.append(pytest.param(behaviour, id=behaviour.id, marks=marks))
    return params


@pytest.fixture(scope="session")
def c_bot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """hostile.c compiled once per session (statically when libc.a is installed)."""
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("gcc is not installed: the C hostile bots are compiled at test time")
    folder = tmp_path_factory.mktemp("hostile-c")
    static = ["-static"] if STATIC_LIBC.exists() else []
    subprocess.run([gcc, *static, "-O1", "-Wall", "-o", str(folder / "hostile_c"), str(C_SOURCE)], check=True)
    return folder


@pytest.fixture
def judge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    side = JudgeSide(tmp_path)
    monkeypatch.setenv("PHOENIX_SECRET_CANARY", side.env_canary)
    side.open()
    try:
        yield side
    finally:
        side.close()
        kill_leftovers(side.token)
        remove_tree(tmp_path / "arena")
        remove_files(files_named(side.token, [tmp_path, ROOT]))


def python_bot(behaviour: Behaviour, judge: JudgeSide, folder: Path) -> dict[str, Any]:
    """The hostile bot's folder, with links planted in it that point at judge-side files."""
    shutil.copytree(PYTHON_BOT, folder, ignore=shutil.ignore_patterns("__pycache__"))
    planted = {"planted-secret": judge.secret_file, "planted-shadow": Path("/etc/shadow"),
               "planted-other": ROOT / "sample_bots" / "connect4_random" / "bot.py"}
    for name, target in planted.items():
        (folder / name).symlink_to(target)
    return {"name": "hostile", "dir": str(folder), "api": None,
            "command": ["python3", "hostile.py", "--do", behaviour.name, *behaviour.args, *judge.bot_options()]}


def c_bot(behaviour: Behaviour, judge: JudgeSide, folder: Path) -> dict[str, Any]:
    return {"name": "hostile", "dir": str(folder), "api": None,
            "command": ["./hostile_c", "--do", behaviour.name, *behaviour.args, "--token", judge.token]}


@pytest.mark.parametrize("behaviour", behaviour_params())
def test_hostile_bot_is_contained(behaviour: Behaviour, judge: JudgeSide, match_config: Any, tmp_path: Path,
                                  request: pytest.FixtureRequest) -> None:
    if behaviour.runtime == "native":
        bot = c_bot(behaviour, judge, request.getfixturevalue("c_bot_dir"))
    else:
        bot = python_bot(behaviour, judge, tmp_path / "hostile")
    config = match_config("connect4", [bot, sample("random", "connect4_random")], timeout=MOVE_TIMEOUT_S,
                          limits=LIMITS)
    protected = {"test folder": tree_state(tmp_path, skip={"arena", "out"}), "repository": tree_state(ROOT)}
    try:
        result = play_match(load_config(config), observers=[judge.probe])
    except Exception as exc:  # noqa: BLE001 - the judge must survive any bot: its failure is this test's
        pytest.fail(f"{behaviour.id}: the judge failed: {type(exc).__name__}: {exc}")
    problems = (check_verdicts(behaviour, result) + check_reports(behaviour, result)
                + check_records(result, judge) + check_judge_side(judge, tmp_path, protected)
                + check_arena(tmp_path / "arena" / result.match_id)
                + settle(lambda: leftover_processes(judge.token, tmp_path / "arena")))
    assert not problems, f"{behaviour.id}: {result.seats[0].verdict} ({result.seats[0].reason}):\n  " + \
        "\n  ".join(problems)


def check_verdicts(behaviour: Behaviour, result: MatchResult) -> list[str]:
    hostile, other = result.seats
    problems = []
    if hostile.verdict not in behaviour.verdicts:
        problems.append(f"verdict {hostile.verdict}, expected {' or '.join(sorted(behaviour.verdicts))} "
                        f"({behaviour.why})")
    elif behaviour.words and not any(word in hostile.reason.lower() for word in behaviour.words):
        problems.append(f"the reason does not name {' or '.join(behaviour.words)}")
    # Seat 0 moves first: when it is out before its first move, the other never gets to move.
    other_could_move = hostile.moves > 0 or hostile.verdict is Verdict.OK
    if other.verdict is not Verdict.OK or (other_could_move and other.moves < 1):
        problems.append(f"the other bot was harmed: {other.verdict} ({other.reason}), {other.moves} moves")
    if result.termination not in (Termination.GAME_OVER, Termination.MAX_ITERS):
        problems.append(f"the match did not complete: {result.termination}")
    return problems


def check_reports(behaviour: Behaviour, result: MatchResult) -> list[str]:
    """What the bot itself saw: nothing may have escaped; a bot that played on saw a refusal."""
    seen = reports(Path(result.records["debuglog.0"]).read_text())
    problems = [f"escaped: {r['step']}: {r['detail'][:300]}" for r in seen if r.get("outcome") == "escaped"]
    refused = [r for r in seen if r.get("outcome") == "blocked"]
    if result.seats[0].verdict is Verdict.OK and behaviour.evidence and not refused:
        problems.append(f"the bot played on but reported no refused step: {seen[:5]}")
    return problems


def check_records(result: MatchResult, judge: JudgeSide) -> list[str]:
    try:
        assert_all_records(result, 2)
    except AssertionError as exc:
        return [f"records incomplete: {exc}"]
    problems = leaks(result.records, judge_secrets(judge.env_canary, judge.file_canary, judge.shm_canary))
    problems += [f"PWNED marker of a shell in the {kind} record" for kind, path in result.records.items()
                 if f"PWNED-{judge.token}".encode() in Path(path).read_bytes()]
    debug_size = Path(result.records["debuglog.0"]).stat().st_size
    if debug_size > LIMITS["debug_bytes"] + DEBUG_NOTE_BYTES:
        problems.append(f"the debug log holds {debug_size} bytes, over debug_bytes {LIMITS['debug_bytes']}")
    movelog_size = Path(result.records["movelog"]).stat().st_size
    if movelog_size > MOVELOG_BOUND:
        problems.append(f"the move log holds {movelog_size} bytes (bound {MOVELOG_BOUND})")
    return problems


def check_arena(folder: Path) -> list[str]:
    """The match's arena folder is gone: a bot cannot leave files on the judge's disk."""
    return [f"the arena {folder} was not removed"] if folder.exists() else []


def check_judge_side(judge: JudgeSide, tmp_path: Path, protected: dict[str, dict[str, Any]]) -> list[str]:
    """Nothing reached, nothing written outside the arena."""
    problems = judge.reached_by_bot()
    now = {"test folder": tree_state(tmp_path, skip={"arena", "out"}), "repository": tree_state(ROOT)}
    for name, before in protected.items():
        changed = sorted(set(before.items()) ^ set(now[name].items()))
        if changed:
            problems.append(f"the {name} changed: {[path for path, _ in changed][:10]}")
    problems += [f"a bot file outside the arena: {path}" for path in files_named(judge.token, [tmp_path, ROOT])]
    return problems
