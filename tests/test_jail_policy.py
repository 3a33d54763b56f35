"""The jail's policy as data, tested without launching anything: syscall tables, the
compiled BPF (run in a BPF interpreter), cgroup discovery, the root's mounts, layer planning."""
from __future__ import annotations

import errno
from pathlib import Path

import pytest

from phoenix_judge.jail import bpf, seccomp
from phoenix_judge.jail.cgroups import CgroupUnavailable, detect, parse_membership, parse_mounts
from phoenix_judge.jail.layers import machine_layers, plan_layers
from phoenix_judge.jail.mounts import root_mounts
from phoenix_judge.jail.policydoc import BEGIN, END, policy_markdown
from phoenix_judge.jail.process import ExitInfo, classify_exit
from phoenix_judge.jail.resolve import resolve
from phoenix_judge.jail.settings import ACTIVE, SandboxSettings
from phoenix_judge.jail.syscalls import CLONE_THREAD, POLICIES, THREAD_FLAGS, Action, hostile
from phoenix_judge.limits import MIB, Limits
from phoenix_judge.outcome import Verdict

ROOT = Path(__file__).resolve().parents[1]
ISSUE_HOSTILE = ("fork vfork execve execveat ptrace setuid setgid setreuid setregid setresuid setresgid setfsuid "
                 "setfsgid setgroups capset mount umount2 unshare pivot_root setns bpf io_uring_setup "
                 "io_uring_enter io_uring_register keyctl add_key request_key").split()
PYTHON_NEEDS = ("read write openat close mmap mprotect munmap brk futex rt_sigaction rt_sigprocmask getrandom "
                "epoll_create1 epoll_ctl epoll_wait newfstatat lseek ioctl getdents64 set_robust_list rseq "
                "clock_gettime exit_group sysinfo readlink getcwd").split()
SIGCHLD = 17
CLONE_VFORK, CLONE_NEWNET = 0x4000, 0x40000000
GLIBC_THREAD = 0x3D0F00          # pthread_create's flags
OWN = 2                          # the bot's pid in its pid namespace


@pytest.mark.parametrize("runtime", sorted(POLICIES))
def test_hostile_set_is_killed(runtime: str) -> None:
    policy = POLICIES[runtime]
    for name in ISSUE_HOSTILE:
        assert policy.decide(name) is Action.KILL, name
    assert set(ISSUE_HOSTILE) <= set(hostile(policy))


@pytest.mark.parametrize("runtime", sorted(POLICIES))
def test_python_essentials_are_allowed(runtime: str) -> None:
    for name in PYTHON_NEEDS:
        assert POLICIES[runtime].decide(name) is Action.ALLOW, name


def test_only_threads_may_be_created() -> None:
    policy = POLICIES["python3"]
    assert policy.decide("clone", (GLIBC_THREAD, 0, 0, 0, 0, 0)) is Action.ALLOW
    for flags in (SIGCHLD, CLONE_VFORK | 0x100 | SIGCHLD, GLIBC_THREAD | CLONE_NEWNET, GLIBC_THREAD & ~CLONE_THREAD):
        assert policy.decide("clone", (flags, 0, 0, 0, 0, 0)) is Action.KILL, hex(flags)
    assert THREAD_FLAGS & GLIBC_THREAD == THREAD_FLAGS


def test_clone3_fails_with_enosys_so_glibc_falls_back_to_clone() -> None:
    for policy in POLICIES.values():
        assert policy.decide("clone3") is Action.ENOSYS


def test_signals_only_to_itself() -> None:
    policy = POLICIES["native"]
    assert policy.decide("kill", (0, 9, 0, 0, 0, 0), OWN) is Action.ALLOW
    assert policy.decide("kill", (OWN, 9, 0, 0, 0, 0), OWN) is Action.ALLOW
    assert policy.decide("tgkill", (OWN, 5, 9, 0, 0, 0), OWN) is Action.ALLOW
    for target in (1, 3, 0xFFFFFFFF, (1 << 32) | OWN):
        assert policy.decide("kill", (target, 9, 0, 0, 0, 0), OWN) is Action.KILL, target
        assert policy.decide("tgkill", (target, 5, 9, 0, 0, 0), OWN) is Action.KILL, target
    assert policy.decide("tkill") is Action.KILL


def test_unknown_calls_are_denied_and_counted_not_killed() -> None:
    for name in ("socket", "connect", "chmod", "symlink", "personality"):
        assert POLICIES["python3"].decide(name) is Action.DENY


def test_non_native_abis_are_killed() -> None:
    name, action, why = seccomp.decide("python3", seccomp.AUDIT_ARCH_I386, 2, (0,) * 6, OWN)
    assert (name, action) == ("i386 fork", Action.KILL) and "i386" in why
    name, action, _ = seccomp.decide("python3", seccomp.AUDIT_ARCH_X86_64, seccomp.X32_SYSCALL_BIT | 57, (0,) * 6, OWN)
    assert (name, action) == ("x32 fork", Action.KILL)


def _expected_bpf(action: Action) -> int:
    import pyseccomp
    return {Action.ALLOW: pyseccomp.ALLOW, Action.ENOSYS: pyseccomp.ERRNO(errno.ENOSYS)}.get(action, pyseccomp.NOTIFY)


@pytest.mark.parametrize("runtime", sorted(POLICIES))
def test_compiled_filter_agrees_with_the_table(runtime: str) -> None:
    """Every call in the table, and a range of others, with argument variants."""
    import pyseccomp
    program = seccomp.compile_bpf(runtime, OWN)
    policy = POLICIES[runtime]
    arg_variants = [(0,) * 6, (OWN, 9, 9, 0, 0, 0), (GLIBC_THREAD,) + (0,) * 5, (SIGCHLD,) + (0,) * 5,
                    ((1 << 32) | OWN, 9, 0, 0, 0, 0), (7, 9, 0, 0, 0, 0)]
    names = set(policy.entries) | {"socket", "chmod", "personality", "mknod", "msgget"}
    for name in sorted(names):
        nr = pyseccomp.resolve_syscall(pyseccomp.Arch.X86_64, name)
        for args in arg_variants:
            got = bpf.run(program, nr, seccomp.AUDIT_ARCH_X86_64, args)
            assert got == _expected_bpf(policy.decide(name, args, OWN)), (name, args, hex(got))


def test_compiled_filter_sends_foreign_abis_to_the_supervisor() -> None:
    import pyseccomp
    program = seccomp.compile_bpf("python3", OWN)
    read = 0
    assert bpf.run(program, 2, seccomp.AUDIT_ARCH_I386) == pyseccomp.NOTIFY          # i386 fork via int 0x80
    assert bpf.run(program, seccomp.X32_SYSCALL_BIT | read, seccomp.AUDIT_ARCH_X86_64) == pyseccomp.NOTIFY
    assert bpf.run(program, read, seccomp.AUDIT_ARCH_X86_64) == pyseccomp.ALLOW


def test_docs_show_the_current_policy() -> None:
    document = (ROOT / "docs" / "sandbox.md").read_text()
    assert f"{BEGIN}\n{policy_markdown()}\n{END}" in document, \
        "docs/sandbox.md is stale: run python -m phoenix_judge.jail.policydoc docs/sandbox.md"


V1_MOUNTINFO = """\
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
"""


def test_cgroup_v1_hierarchies_under_the_judges_own_groups() -> None:
    version, bases = detect(V1_MOUNTINFO, "4:memory:/judges/7\n8:pids:/\n2:cpuacct:/\n6:freezer:/\n0::/\n")
    assert version == 1
    assert bases["memory"] == Path("/sys/fs/cgroup/memory/judges/7")
    assert bases["pids"] == Path("/sys/fs/cgroup/pids")


def test_cgroup_v2_is_preferred_when_its_controllers_are_enabled(tmp_path: Path) -> None:
    (tmp_path / "judge").mkdir()
    (tmp_path / "judge" / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    mountinfo = f"41 31 0:38 / {tmp_path} rw,relatime - cgroup2 cgroup2 rw\n"
    version, bases = detect(mountinfo, "0::/judge\n")
    assert version == 2 and set(bases.values()) == {tmp_path / "judge"}


def test_no_usable_cgroup_says_what_is_missing() -> None:
    with pytest.raises(CgroupUnavailable, match="memory"):
        detect("41 31 0:38 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "0::/\n")
    assert parse_mounts(V1_MOUNTINFO)[0]["cpuacct"] == Path("/sys/fs/cgroup/cpuacct")
    assert parse_membership("1:cpu,cpuacct:/a\n0::/b\n") == {"cpu": "/a", "cpuacct": "/a", "": "/b"}


def test_root_holds_only_the_program_the_arena_and_scratch(tmp_path: Path) -> None:
    mounts = root_mounts(resolve(["python3", "bot.py"], tmp_path), tmp_path, 8 * MIB, (), proc=False)
    by_target = {m.target: m for m in mounts}
    arena = by_target[str(tmp_path)]
    assert (arena.kind, arena.readonly, arena.exec_ok) == ("bind", False, False)
    assert by_target["/tmp"].kind == "tmpfs" and "size=8388608" in by_target["/tmp"].data
    assert "/proc" not in by_target and "/etc" not in by_target
    assert not any(target.startswith(str(ROOT)) for target in by_target if target != str(tmp_path))
    assert all(m.readonly for m in mounts if m.kind == "bind" and not m.target.startswith(("/dev/", str(tmp_path))))


def test_native_bots_may_exec_their_own_binary_python_bots_may_not_map_arena_code(tmp_path: Path) -> None:
    (tmp_path / "bot").write_bytes(b"\x7fELF")
    (tmp_path / "bot").chmod(0o755)
    native = {m.target: m for m in root_mounts(resolve(["./bot"], tmp_path), tmp_path, MIB, (), proc=True)}
    assert native[str(tmp_path)].exec_ok and native["/proc"].kind == "proc"
    assert "/lib/x86_64-linux-gnu" in native or "/lib64" in native


def test_layer_planning_honours_settings_and_prerequisites() -> None:
    assert set(plan_layers(SandboxSettings())) == set(machine_layers())
    layers = plan_layers(SandboxSettings(disable=frozenset({"namespaces", "no_new_privs"})))
    assert layers["namespaces"] == "missing (disabled by settings)"
    if machine_layers()["pivot_root"] == ACTIVE:
        assert layers["pivot_root"].startswith("missing (needs namespaces")
    if machine_layers()["seccomp"] == ACTIVE:
        assert layers["seccomp"].startswith("missing (needs no_new_privs")
    with pytest.raises(ValueError, match="unknown sandbox layer"):
        SandboxSettings(disable=frozenset({"selinux"}))


LIMITS = Limits(total_cpu_s=2.0, memory_bytes=64 * MIB, file_bytes=MIB)


def _exit(**fields: object) -> ExitInfo:
    values = {"returncode": None, "signal": None, "cpu_s": 0.1, "max_rss_bytes": 0, "wall_s": 1.0, **fields}
    return ExitInfo(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(("info", "verdict", "words"), [
    (_exit(returncode=0), None, ""),
    (_exit(returncode=3), Verdict.CRASH, "exited with code 3"),
    (_exit(signal=11), Verdict.CRASH, "killed by SIGSEGV"),
    (_exit(signal=9, killed_by_judge=True), None, ""),
    (_exit(signal=9, cpu_s=2.0), Verdict.CPU_TIMEOUT, "2 s"),
    (_exit(signal=24), Verdict.CPU_TIMEOUT, "CPU"),
    (_exit(signal=9, oom_kills=1), Verdict.MEMORY_LIMIT, "64 MiB"),
    (_exit(signal=9, security="execve", security_why="exec"), Verdict.SECURITY_VIOLATION, "execve"),
    (_exit(signal=31), Verdict.SECURITY_VIOLATION, "SIGSYS"),
    (_exit(returncode=1, file_limit_hit=True), Verdict.OUTPUT_LIMIT, "1 MiB"),
    (_exit(signal=25), Verdict.OUTPUT_LIMIT, "file"),
])
def test_exit_classification(info: ExitInfo, verdict: Verdict | None, words: str) -> None:
    fault = classify_exit(info, LIMITS)
    assert (fault.verdict if fault else None) is verdict
    if fault:
        assert words in fault.reason


def test_walking_a_bot_folder_survives_deep_nesting_and_symlinks(tmp_path: Path) -> None:
    from phoenix_judge.jail.files import entries
    deep = tmp_path
    for _ in range(1200):                      # deeper than Python's recursion limit
        deep = deep / "d"
        deep.mkdir()
    (deep / "f").write_text("x")
    (tmp_path / "loop").symlink_to(tmp_path)
    names = [entry.name for entry in entries(str(tmp_path))]
    assert names.count("d") == 1200 and "f" in names and names.count("loop") == 1
    assert len(list(entries(str(tmp_path), limit=10))) == 10
    (deep / "f").unlink()                      # shutil.rmtree (pytest's clean-up) would recurse too deep
    while deep != tmp_path:
        deep.rmdir()
        deep = deep.parent
