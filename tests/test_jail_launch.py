"""End-to-end: launch real bots through the jail and check from inside and outside."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from jail_helpers import finish, probe_folder, read_line
from phoenix_judge.errors import ConfigError
from phoenix_judge.jail import BotProcess, SandboxSettings, launch
from phoenix_judge.limits import MIB, Limits
from phoenix_judge.outcome import Verdict

LIMITS = Limits(total_cpu_s=1.0, memory_bytes=384 * MIB, open_files=40, file_bytes=2 * MIB)
NO_SECCOMP = SandboxSettings(disable=frozenset({"seccomp"}))


def judge_pid(pid_in_bot: int, bot: BotProcess) -> int:
    """A pid the bot printed, as the judge sees it (the bot may live in its own pid namespace)."""
    if bot.layers["namespaces"] != "active":
        return pid_in_bot
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            nspids = next((line.split()[1:] for line in status.splitlines() if line.startswith("NSpid:")), [])
            if len(nspids) > 1 and int(nspids[-1]) == pid_in_bot and _descends(int(entry.name), bot.pid):
                return int(entry.name)
    raise AssertionError(f"no process {pid_in_bot} in the bot's namespace")


def _descends(pid: int, ancestor: int) -> bool:
    """Same pid namespace as `ancestor` (the namespace init)."""
    try:
        return os.readlink(f"/proc/{pid}/ns/pid") == os.readlink(f"/proc/{ancestor}/ns/pid")
    except OSError:
        return False


def test_bot_sees_its_limits_env_and_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUDGE_SECRET", "must-not-leak")
    folder = probe_folder(tmp_path)
    bot = launch(["python3", "probe.py", "--report"], cwd=folder, limits=LIMITS)
    seen = read_line(bot.stdout)
    finish(bot)
    assert seen["env"] == {"PATH": "/usr/bin:/bin", "HOME": str(folder), "LANG": "C.UTF-8",
                           "PYTHONDONTWRITEBYTECODE": "1"}
    assert seen["cwd"] == str(folder) and seen["path0"] == str(folder)
    assert seen["rlimits"]["CPU"] == [1, 1]
    assert seen["rlimits"]["AS"][0] <= 4 * 384 * MIB
    assert seen["rlimits"]["NOFILE"] == [40, 40]
    assert seen["rlimits"]["FSIZE"] == [2 * MIB, 2 * MIB]
    assert seen["rlimits"]["CORE"] == [0, 0]
    assert seen["no_new_privs"] == 1 and seen["pdeathsig"] == signal.SIGKILL
    assert seen["flags"] == [1, 1, 1, 0]
    assert seen["sid"] == seen["pgid"] == seen["pid"]
    if seen["fds"] is not None:    # no /proc in a full jail; else the probe's listdir fd is the only extra
        assert seen["fds"] == [0, 1, 2, 3]


def test_clean_exit_is_no_fault(tmp_path: Path) -> None:
    bot = launch(["python3", "probe.py"], cwd=probe_folder(tmp_path), limits=LIMITS)
    finish(bot)
    assert bot.exit_info is not None and bot.exit_info.returncode == 0
    assert bot.exit_fault() is None


def test_exit_code_is_a_crash(tmp_path: Path) -> None:
    bot = launch(["python3", "probe.py", "--exit", "3"], cwd=probe_folder(tmp_path), limits=LIMITS)
    finish(bot)
    fault = bot.exit_fault()
    assert fault is not None and (fault.verdict, fault.reason) == (Verdict.CRASH, "exited with code 3")


def test_signal_is_a_crash_naming_it(tmp_path: Path) -> None:
    bot = launch(["python3", "probe.py", "--segfault"], cwd=probe_folder(tmp_path), limits=LIMITS)
    finish(bot)
    fault = bot.exit_fault()
    assert fault is not None and (fault.verdict, fault.reason) == (Verdict.CRASH, "killed by SIGSEGV")


def test_cpu_limit_is_a_cpu_timeout(tmp_path: Path) -> None:
    bot = launch(["python3", "probe.py", "--burn"], cwd=probe_folder(tmp_path), limits=LIMITS)
    finish(bot)
    fault = bot.exit_fault()
    assert fault is not None and fault.verdict is Verdict.CPU_TIMEOUT, fault
    assert bot.cpu_time_s() >= 0.9      # RLIMIT_CPU is checked on scheduler ticks: a little under is normal


def test_cpu_time_is_measured_while_running(tmp_path: Path) -> None:
    bot = launch(["python3", "probe.py", "--burn"], cwd=probe_folder(tmp_path), limits=Limits(total_cpu_s=5), slot=1)
    try:
        deadline = time.monotonic() + 10
        while bot.cpu_time_s() < 0.2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert bot.cpu_time_s() >= 0.2
    finally:
        bot.kill()
    assert bot.exit_fault() is None        # the judge stopped it: no fault from the exit itself
    for fd in (bot.stdin, bot.stdout, bot.stderr):
        os.close(fd)


def test_kill_takes_the_whole_tree(tmp_path: Path) -> None:
    """Double fork + ignored SIGTERM: kill() still leaves no process and no zombie.
    (seccomp is off here: with it, the fork itself is a security verdict.)"""
    bot = launch(["python3", "probe.py", "--ignore-term", "--double-fork", "--sleep", "600"],
                 cwd=probe_folder(tmp_path), limits=LIMITS, sandbox=NO_SECCOMP)
    grandchild = judge_pid(read_line(bot.stdout)["grandchild"], bot)
    bot.kill()
    bot.kill()                                     # idempotent
    assert bot.exit_info is not None and bot.exit_info.killed_by_judge
    assert not Path(f"/proc/{bot.pid}").exists()
    assert not Path(f"/proc/{grandchild}").exists(), Path(f"/proc/{grandchild}/stat").read_text()
    for fd in (bot.stdin, bot.stdout, bot.stderr):
        os.close(fd)


def test_wait_times_out_then_kill(tmp_path: Path) -> None:
    bot = launch(["python3", "probe.py", "--sleep", "600"], cwd=probe_folder(tmp_path), limits=LIMITS)
    assert bot.wait(0.05) is None and bot.poll() is None
    bot.kill()
    assert bot.exit_info is not None and bot.exit_info.signal in (signal.SIGTERM, signal.SIGKILL)
    for fd in (bot.stdin, bot.stdout, bot.stderr):
        os.close(fd)


def test_missing_program_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        launch(["./missing"], cwd=probe_folder(tmp_path), limits=LIMITS)


def test_no_pipe_leaks_into_the_judge(tmp_path: Path) -> None:
    before = set(os.listdir("/proc/self/fd"))
    bot = launch(["python3", "probe.py"], cwd=probe_folder(tmp_path), limits=LIMITS)
    finish(bot)
    assert set(os.listdir("/proc/self/fd")) == before
