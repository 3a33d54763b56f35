"""The seccomp layer end to end: verdicts that name the call, denials that are counted,
exec pinned to the chosen program, foreign ABIs, C and node bots (needs root for the full jail)."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from jail_helpers import compile_c, finish, probe_folder, static_libc_available
from phoenix_judge.jail import BotProcess, launch
from phoenix_judge.jail.layers import machine_layers
from phoenix_judge.limits import Limits
from phoenix_judge.outcome import Verdict

pytestmark = [
    pytest.mark.root,
    pytest.mark.skipif(os.geteuid() != 0, reason="the full jail (namespaces, pivot_root, uid, cgroups) needs root"),
    pytest.mark.skipif(machine_layers()["seccomp"] != "active", reason=f"seccomp: {machine_layers()['seccomp']}"),
]
LIMITS = Limits(total_cpu_s=5.0)

HELLO_C = r"""
#include <stdio.h>
#include <pthread.h>
static void *work(void *arg) { return arg; }
int main(void) {
    char line[256];
    pthread_t thread;
    pthread_create(&thread, NULL, work, NULL);
    pthread_join(thread, NULL);
    if (fgets(line, sizeof line, stdin)) printf("{\"echo\": %d}\n", (int)(line[0] == 'h'));
    return 0;
}
"""
INT80_FORK_C = r"""
#include <stdio.h>
int main(void) {
    long result;
    __asm__ volatile ("int $0x80" : "=a"(result) : "a"(2L) : "memory");   /* i386 fork */
    printf("{\"fork\": %ld}\n", result);
    return 0;
}
"""
X32_GETPID_C = r"""
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(void) {
    long result = syscall(0x40000000L | SYS_getpid);
    printf("{\"x32\": %ld}\n", result);
    return 0;
}
"""
CLONE3_C = r"""
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
int main(void) {
    long result = syscall(435, NULL, 0);     /* clone3 */
    printf("{\"clone3\": %ld, \"enosys\": %d}\n", result, errno == ENOSYS);
    return 0;
}
"""


def run_native(folder: Path, source: str, static: bool = False) -> tuple[bytes, BotProcess]:
    compile_c(source, folder, static=static)
    bot = launch(["./bot"], cwd=folder, limits=LIMITS)
    try:
        os.write(bot.stdin, b"hello\n")
    except BrokenPipeError:
        pass                                   # it was already stopped
    out, _ = finish(bot)
    return out, bot


def violation(bot: BotProcess) -> str:
    fault = bot.exit_fault()
    assert fault is not None and fault.verdict is Verdict.SECURITY_VIOLATION, fault
    return fault.detail["syscall"]


def test_exec_of_a_shell_is_a_violation_naming_execve(tmp_path: Path) -> None:
    bot = launch(["python3", "probe.py", "--exec", "/bin/sh"], cwd=probe_folder(tmp_path), limits=LIMITS)
    finish(bot)
    assert violation(bot) == "execve"
    assert "execve" in bot.exit_fault().reason


def test_exec_of_the_pinned_interpreter_again_is_a_violation_too(tmp_path: Path) -> None:
    interpreter = os.path.realpath(shutil.which("python3") and __import__("sys")._base_executable)
    bot = launch(["python3", "probe.py", "--exec", interpreter], cwd=probe_folder(tmp_path), limits=LIMITS)
    finish(bot)
    assert violation(bot) == "execve"


def test_fork_is_a_violation_threads_are_fine(tmp_path: Path) -> None:
    forker = launch(["python3", "probe.py", "--fork"], cwd=probe_folder(tmp_path, "a"), limits=LIMITS)
    finish(forker)
    assert violation(forker) == "clone"
    threads = launch(["python3", "probe.py", "--thread"], cwd=probe_folder(tmp_path, "b"), limits=LIMITS)
    out, _ = finish(threads)
    assert json.loads(out) == {"thread": "ok"} and threads.exit_fault() is None


def test_other_calls_fail_with_eperm_and_are_counted(tmp_path: Path) -> None:
    bot = launch(["python3", "probe.py", "--try", "socket", "-", "--try", "chmod", "probe.py", "--try", "socket", "-"],
                 cwd=probe_folder(tmp_path), limits=LIMITS)
    out, _ = finish(bot)
    assert [json.loads(line)["error"] for line in out.splitlines()] == ["EPERM"] * 3
    assert bot.denied_syscalls == {"socket": 2, "chmod": 1}
    assert bot.exit_fault() is None


def test_signal_to_another_process_is_a_violation(tmp_path: Path) -> None:
    bot = launch(["python3", "probe.py", "--try", "kill", "1"], cwd=probe_folder(tmp_path), limits=LIMITS)
    finish(bot)
    assert violation(bot) == "kill"


@pytest.mark.parametrize("static", [False, True])
def test_native_bot_runs(tmp_path: Path, static: bool) -> None:
    if static and not static_libc_available():
        pytest.skip("no static glibc (libc.a) on this machine")
    out, bot = run_native(tmp_path, HELLO_C, static)
    assert json.loads(out) == {"echo": 1} and bot.exit_fault() is None, bot.exit_info


def test_i386_abi_is_a_violation(tmp_path: Path) -> None:
    out, bot = run_native(tmp_path, INT80_FORK_C)
    assert out == b"" and violation(bot) == "i386 fork"


def test_x32_abi_is_a_violation(tmp_path: Path) -> None:
    out, bot = run_native(tmp_path, X32_GETPID_C)
    assert out == b"" and violation(bot) == "x32 getpid"


def test_clone3_returns_enosys_and_the_bot_goes_on(tmp_path: Path) -> None:
    out, bot = run_native(tmp_path, CLONE3_C)
    assert json.loads(out) == {"clone3": -1, "enosys": 1} and bot.exit_fault() is None
    assert not bot.denied_syscalls                   # ENOSYS in the kernel, not a counted denial


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_bot_runs(tmp_path: Path) -> None:
    (tmp_path / "bot.js").write_text(
        "const rl = require('readline').createInterface({input: process.stdin});\n"
        "rl.on('line', (line) => { process.stdout.write(JSON.stringify({echo: line}) + '\\n'); rl.close(); });\n")
    bot = launch(["node", "bot.js"], cwd=tmp_path, limits=Limits(total_cpu_s=10))
    os.write(bot.stdin, b"hello\n")
    out, err = finish(bot)
    assert json.loads(out) == {"echo": "hello"}, (out, err[-500:], bot.exit_info, dict(bot.denied_syscalls))
    assert bot.exit_fault() is None
