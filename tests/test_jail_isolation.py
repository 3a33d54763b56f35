"""The full jail, end to end, checked from inside the bot and from the judge (needs root)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import prctl
import pytest

from jail_helpers import finish, probe_folder, read_line
from phoenix_judge.jail import BotProcess, SandboxSettings, launch
from phoenix_judge.jail.layers import machine_layers
from phoenix_judge.limits import MIB, Limits
from phoenix_judge.outcome import Verdict

pytestmark = [
    pytest.mark.root,
    pytest.mark.skipif(os.geteuid() != 0, reason="the full jail (namespaces, pivot_root, uid, cgroups) needs root"),
]
LIMITS = Limits(total_cpu_s=5.0, memory_bytes=256 * MIB, file_bytes=MIB)
NO_SECCOMP = SandboxSettings(disable=frozenset({"seccomp"}))
JUDGE_SOURCE = Path(__file__).resolve().parents[1] / "src" / "phoenix_judge" / "jail" / "__init__.py"


def run(folder: Path, *flags: str, sandbox: SandboxSettings | None = None, slot: int = 0) -> tuple[list[dict], BotProcess]:
    bot = launch(["python3", "probe.py", *flags], cwd=folder, limits=LIMITS, slot=slot, sandbox=sandbox)
    out, _ = finish(bot)
    import json
    return [json.loads(line) for line in out.splitlines()], bot


def tries(folder: Path, *attempts: tuple[str, str], sandbox: SandboxSettings | None = None) -> dict[str, dict]:
    flags = [part for what, arg in attempts for part in ("--try", what, arg)]
    lines, _ = run(folder, *flags, sandbox=sandbox)
    return {f"{line['try']} {line['arg']}": line for line in lines}


def test_every_layer_is_active_as_root() -> None:
    assert all(status == "active" for status in machine_layers().values()), machine_layers()


def test_identity_inside(tmp_path: Path) -> None:
    (seen,), bot = run(probe_folder(tmp_path), "--report", slot=3)
    assert bot.layers == {layer: "active" for layer in bot.layers}
    assert (seen["uid"], seen["gid"], seen["groups"]) == (20003, 20003, [])
    assert seen["capabilities"] == 0 and seen["no_new_privs"] == 1 and seen["seccomp_mode"] == 2
    assert seen["pid"] == 2 and seen["hostname"] == "phoenix"                # own pid and uts namespaces
    assert seen["pdeathsig"] == signal.SIGKILL                               # re-armed after the uid change
    assert seen["rlimits"]["NPROC"] == [LIMITS.processes] * 2 and seen["rlimits"]["MEMLOCK"] == [0, 0]
    assert set(seen["root"]) <= {"dev", "lib", "lib64", "usr", "root", "tmp", "work", "home", "opt"}


def test_cannot_see_host_files_or_other_bots(tmp_path: Path) -> None:
    mine, other = probe_folder(tmp_path, "seat0"), probe_folder(tmp_path, "seat1")
    seen = tries(mine, ("read", "/etc/shadow"), ("read", "/etc/passwd"), ("list", "/proc"), ("read", str(JUDGE_SOURCE)),
                 ("read", str(other / "probe.py")), ("list", str(tmp_path)), ("read", "probe.py"))
    for attempt in ("read /etc/shadow", "read /etc/passwd", "list /proc", f"read {JUDGE_SOURCE}",
                    f"read {other / 'probe.py'}"):
        assert seen[attempt]["error"] == "ENOENT", seen[attempt]
    assert seen[f"list {tmp_path}"]["ok"]           # only its own folder shows there
    assert seen["read probe.py"]["ok"]


def test_writes_only_in_its_folder_and_scratch(tmp_path: Path) -> None:
    folder = probe_folder(tmp_path)
    seen = tries(folder, ("write", "mine.txt"), ("write", "/tmp/scratch.txt"), ("write", "/etc/x"),
                 ("write", "/x"), ("mkdir", "/lib/evil"), ("write", "/dev/null"))
    assert seen["write mine.txt"]["ok"] and (folder / "mine.txt").read_text() == "x"
    assert seen["write /tmp/scratch.txt"]["ok"] and not Path("/tmp/scratch.txt").exists()
    assert seen["write /dev/null"]["ok"]
    for attempt in ("write /etc/x", "write /x", "mkdir /lib/evil"):
        assert seen[attempt]["error"] in ("EROFS", "ENOENT", "EACCES"), seen[attempt]


def test_no_route_to_a_judge_side_listener(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = str(server.getsockname()[1])
        without_seccomp = tries(probe_folder(tmp_path, "a"), ("connect", port), sandbox=NO_SECCOMP)
        with_seccomp = tries(probe_folder(tmp_path, "b"), ("connect", port))
    assert without_seccomp[f"connect {port}"]["error"] in ("ENETUNREACH", "ECONNREFUSED", "EADDRNOTAVAIL")
    assert with_seccomp[f"connect {port}"]["error"] == "EPERM"


def test_memory_limit_is_an_oom_verdict(tmp_path: Path) -> None:
    _, bot = run(probe_folder(tmp_path), "--alloc", "400")
    fault = bot.exit_fault()
    assert fault is not None and fault.verdict is Verdict.MEMORY_LIMIT, fault
    assert "256 MiB" in fault.reason


def test_file_size_limit_is_an_output_verdict(tmp_path: Path) -> None:
    folder = probe_folder(tmp_path)
    _, bot = run(folder, "--write-big", "3")
    assert (folder / "big.bin").stat().st_size == MIB
    fault = bot.exit_fault()
    assert fault is not None and fault.verdict is Verdict.OUTPUT_LIMIT, fault


def test_self_sent_signal_kills_like_outside_a_jail(tmp_path: Path) -> None:
    """The bot is pid 2 under a namespace init, so its own SIGSEGV is not ignored as init's would be."""
    _, bot = run(probe_folder(tmp_path), "--signal", "SEGV")
    fault = bot.exit_fault()
    assert fault is not None and fault.reason == "killed by SIGSEGV"


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return False


def test_whole_tree_dies_even_a_setsid_double_fork(tmp_path: Path) -> None:
    bot = launch(["python3", "probe.py", "--ignore-term", "--escape-session", "--double-fork", "--sleep", "600"],
                 cwd=probe_folder(tmp_path), limits=LIMITS, sandbox=NO_SECCOMP)
    read_line(bot.stdout)                                   # the grandchild exists now
    members = bot.tree_pids()
    assert len(members) >= 3                                # namespace init, bot, grandchild
    bot.kill()
    assert bot.exit_info is not None and bot.exit_info.killed_by_judge
    assert not any(_alive(pid) for pid in members), [Path(f"/proc/{p}/stat").read_text() for p in members if _alive(p)]
    assert bot.tree_pids() == []
    for fd in (bot.stdin, bot.stdout, bot.stderr):
        os.close(fd)


JUDGE_SCRIPT = """
import sys, time
from pathlib import Path
from phoenix_judge.jail import launch
from phoenix_judge.limits import Limits
bot = launch(["python3", "probe.py", "--ignore-term", "--sleep", "600"], cwd=Path(sys.argv[1]), limits=Limits(), slot=7)
print(bot.pid, " ".join(map(str, bot.tree_pids())), flush=True)
time.sleep(600)
"""


def test_bots_die_with_a_sigkilled_judge(tmp_path: Path) -> None:
    """PDEATHSIG: the bot and its namespace init die with the judge. They are re-parented to
    this test process (a subreaper), which reaps them: the bot first, since a dying
    namespace init waits until every task of its namespace is reaped."""
    prctl.set_child_subreaper(1)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    judge = subprocess.Popen([sys.executable, "-c", JUDGE_SCRIPT, str(probe_folder(tmp_path))], env=env,
                             stdout=subprocess.PIPE, text=True)
    try:
        bot_pid, *members = map(int, judge.stdout.readline().split())
        assert _alive(bot_pid)
        judge.send_signal(signal.SIGKILL)
        judge.wait()
        statuses = {pid: _reap(pid, deadline=time.monotonic() + 10) for pid in dict.fromkeys([bot_pid, *members])}
    finally:
        judge.kill()
        judge.wait()
    assert all(os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL for status in statuses.values()), statuses


def _reap(pid: int, deadline: float) -> int:
    while time.monotonic() < deadline:
        try:
            reaped, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return -1
        if reaped:
            return status
        time.sleep(0.02)
    raise AssertionError(f"process {pid} still alive: {Path(f'/proc/{pid}/stat').read_text()}")


def test_no_zombie_or_orphan_after_many_bots(tmp_path: Path) -> None:
    before = _children()
    for index in range(5):
        run(probe_folder(tmp_path, f"bot{index}"), "--exit", str(index))
    assert _children() == before


def _children() -> set[int]:
    me = str(os.getpid())
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(entry, "stat").read_text().split(") ")[1].split()[1] == me:
                    found.add(int(entry.name))
            except (OSError, IndexError):
                continue
    return found
